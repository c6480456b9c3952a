"""Places: which proper names are places, how far a place phrase reaches, when `there` is a
place, and which place a scene is set in (fixture `places_story.txt`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from references_helpers import story_with_cast

from ficlens.model import Character
from ficlens.stages.coref import resolve_mentions
from ficlens.stages.places import find_place_mentions, find_places

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "places_story.txt"
CAST = [
    Character(id="C0", name="Harry", gender="male"),
    Character(id="C1", name="Ron", gender="male"),
    Character(id="C2", name="Silas", gender="male"),
    Character(id="C3", name="Georgia", gender="female"),
]


@pytest.fixture(scope="module")
def story():
    return find_places(resolve_mentions(story_with_cast(FIXTURE, CAST, {0: ("C1", ["C0"])})))


@pytest.fixture(scope="module")
def spans(story):
    """{mention text: [kinds]} of every place mention."""
    out: dict[str, list[str]] = {}
    for start, end, kind, _name in find_place_mentions(story):
        out.setdefault(story.text[start:end], []).append(kind)
    return out


def test_fan_fiction_places(spans):
    for text in ("Gryffindor Tower", "the Great Hall", "Diagon Alley"):
        assert spans.get(text) == ["named"], text
    assert spans.get("the portrait hole") == ["setting"]


def test_a_titled_name_ending_in_a_place_word_is_a_person(spans):
    assert not any("Hall" in text and "Great" not in text for text in spans)


def test_a_name_shown_to_be_a_place_is_a_place_everywhere(story, spans):
    # `come to Raveloe` and `in Raveloe` make `Raveloe lay ...` a place too
    assert spans["Raveloe"] == ["named"] * 3


def test_a_character_name_that_spacy_may_take_for_a_place_is_not_one(spans):
    assert not any("Georgia" in text for text in spans)


def test_named_place_phrases_take_their_determiner_and_adjectives(spans):
    assert "the old Pyncheon House" in spans
    # `the village of Kellynch` is one mention, of Kellynch
    assert "the village of Kellynch" in spans and "Kellynch" not in spans


def test_setting_phrases(spans):
    assert "the house" in spans and "all the house" not in spans
    # the place one is at the top of, and the top of it
    assert "the top of the stairs" in spans and "the stairs" in spans
    # water is a place to look at, not what one drinks
    assert "the water of the lake" in spans and not any(t.startswith("a glass") for t in spans)


def test_there_as_a_place_and_as_a_direction(story):
    deictic = [story.text[s:e] for s, e, kind, _ in find_place_mentions(story) if kind == "deictic"]
    text = story.text
    here_and_there = text.index("here and there")
    went_there = text.index("went there") + len("went ")
    starts = [s for s, _, kind, _ in find_place_mentions(story) if kind == "deictic"]
    assert went_there in starts
    assert here_and_there not in starts and here_and_there + len("here and ") not in starts
    assert all(word in ("there", "here") for word in deictic)


def test_scene_locations_skip_vague_settings(story):
    locations = [scene.location for scene in story.scenes]
    assert locations[1] == "Raveloe"
    # `the world` three times, but the scene happens in the kitchen
    assert locations[2] == "kitchen"


def test_places_know_who_was_there(story):
    places = {p.name: p for p in story.places}
    assert places["Raveloe"].characters == ["C2"]
    assert "C3" in places["kitchen"].characters
    assert "world" in places  # still a place mention, just not a scene's location


def test_a_name_broken_over_a_line_is_one_place():
    text = "Chapter 1\n\nAnne walked slowly home to Green\nGables and sat down in the kitchen.\n"
    story = story_with_cast(text, [Character(id="C0", name="Anne", gender="female")], {})
    found = {story.text[s:e]: kind for s, e, kind, _ in find_place_mentions(resolve_mentions(story))}
    assert found.get("Green\nGables") == "named"
    assert "Green" not in found and "Gables" not in found
