"""Places: named places and settings, the characters seen there, scene locations."""

from __future__ import annotations

import pytest
from references_helpers import story_with_cast

from ficlens.stages.coref import resolve_mentions
from ficlens.stages.places import find_place_mentions, find_places


@pytest.fixture(scope="module")
def story():
    return find_places(resolve_mentions(story_with_cast()))


def test_named_places_and_settings_are_found(story):
    places = {p.name: p for p in story.places}
    for name in ("Gryffindor Tower", "Pemberley"):
        assert places[name].kind == "named", name
    for name in ("library", "corridor", "portrait hole"):
        assert places[name].kind == "setting", name
    assert "Tom Baxter" not in places and "Lucy" not in places


def test_place_mentions_have_offsets_into_the_text(story):
    for place in story.places:
        assert place.id.startswith("P")
        for start, end in place.mentions:
            assert story.text[start:end]


def test_characters_seen_at_a_place(story):
    places = {p.name: p for p in story.places}
    assert "C0" in places["library"].characters
    assert places["Pemberley"].characters == ["C1"]


def test_each_scene_gets_its_location(story):
    locations = [s.location for s in story.scenes]
    assert locations[0] == "library"
    assert locations[2] == "Pemberley"


def test_a_character_name_is_not_a_place():
    # a name from a cast the user gave is a person whatever its context; a discovered
    # character's name only weighs against a place, left to the evidence and the model
    story = story_with_cast("Chapter 1\n\nThey went to Lucy and then to Paris.\n", None, {})
    for character in story.characters:
        character.given = True
    names = [m[3] for m in find_place_mentions(story)]
    assert "Paris" in names and "Lucy" not in names


def test_a_speaking_character_is_not_a_place():
    text = ('Chapter 1\n\n"Come in," said Lucy. "The kettle is on."\n\n'
            "They went to Lucy and then to Paris.\n")
    story = story_with_cast(text, None, {0: ("C1", [])})
    names = [m[3] for m in find_place_mentions(story)]
    assert "Paris" in names and "Lucy" not in names
