"""A fan-fiction chapter end to end: modern speech tags, interjections, a scene that fills up.

The fixture (`fixtures/fanfic_story.txt`, written for these tests) is in the archive layout,
with the tags fan fiction favours (`drawled`, `quipped`, `deadpanned`, `blurted out`) and
quotations that open with an interjection (`"Oi, Malfoy."`, `"Language, Granger,"`).
"""

from __future__ import annotations

import pytest

import ficlens


@pytest.fixture(scope="module")
def story(fixtures) -> ficlens.Story:
    return ficlens.analyze(fixtures / "fanfic_story.txt")


def said_by(story: ficlens.Story, opening: str) -> str | None:
    """The name of who says the quotation that starts with `opening`."""
    for quote in story.quotes:
        if quote.text.lstrip("\"\u201c").startswith(opening):
            character = story.character(quote.speaker)
            return character.name if character else None
    raise AssertionError(f"no quotation opens with {opening!r}")


def heard_by(story: ficlens.Story, opening: str) -> set[str]:
    """The names of those the quotation that starts with `opening` is said to."""
    for quote in story.quotes:
        if quote.text.lstrip("\"\u201c").startswith(opening):
            return {story.character(a).name for a in quote.addressees}
    raise AssertionError(f"no quotation opens with {opening!r}")


def test_structure_and_metadata(story):
    assert story.metadata.title == "The Long Way Round"
    assert len(story.chapters) == 2
    assert len(story.scenes) == 3


def test_interjections_are_not_characters(story):
    names = {f for c in story.characters for f in [c.name, *c.aliases]}
    assert {"Hermione", "Draco", "Harry", "Ron", "Snape"} <= names
    assert not names & {"Language", "Oi", "Whatever"}


@pytest.mark.parametrize("opening, speaker", [
    ("Language, Granger", "Draco"),
    ("That explains a lot", "Harry"),
    ("I'll try", "Draco"),
    ("Yes, sir", "Harry"),
    ("Is that supposed to happen", "Ron"),
    ("Maybe a bit", "Draco"),
    ("Snape's orders", "Harry"),
])
def test_modern_speech_tags_name_the_speaker(story, opening, speaker):
    assert said_by(story, opening) == speaker


def test_a_two_person_scene_is_said_to_the_other_one(story):
    assert heard_by(story, "We need to talk about Malfoy") == {"Hermione"}
    assert heard_by(story, "What about him?") == {"Harry"}


def test_no_one_listens_before_they_come_in(story):
    # Snape and Ron enter the dungeon later in the scene
    assert not heard_by(story, "Don't look so pleased") & {"Snape", "Ron"}
