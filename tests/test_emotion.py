"""Emotion: valence and the eight emotions, negation, intensifiers, and the arcs."""

from __future__ import annotations

import pytest
from references_helpers import story_with_cast

from ficlens.stages.coref import resolve_mentions
from ficlens.stages.emotion import EMOTIONS, score_emotions, score_text, smooth


def test_clear_positive_and_negative_sentences():
    good = score_text("What a wonderful, happy day; I love my friends.")
    bad = score_text("The murder was horrible and everyone wept in grief.")
    assert good["valence"] > 0.5 and bad["valence"] < -0.5
    assert good["joy"] > 0 and bad["joy"] == 0
    assert bad["sadness"] > 0 and bad["fear"] > 0
    assert set(good) == {"valence", *EMOTIONS}


def test_negation_flips_an_emotion_to_its_opposite():
    plain = score_text("She was happy.")
    negated = score_text("She was not happy.")
    never = score_text("He was never happy.")
    assert plain["joy"] > 0 and negated["joy"] == 0 and never["joy"] == 0
    assert negated["sadness"] > 0
    assert negated["valence"] < 0 < plain["valence"]


def test_negation_has_a_limited_scope():
    far = score_text("He did not come, and later everyone was happy and cheerful together.")
    assert far["joy"] > 0


def test_intensifiers_strengthen_an_emotion():
    plain = score_text("He was angry.")
    very = score_text("He was very angry.")
    assert very["anger"] > plain["anger"] > 0
    assert very["valence"] < plain["valence"] < 0


@pytest.fixture(scope="module")
def story():
    return score_emotions(resolve_mentions(story_with_cast()))


def test_every_quote_is_scored(story):
    assert all(q.emotion is not None and "valence" in q.emotion for q in story.quotes)
    assert story.quotes[1].emotion["joy"] == 0  # "I am not happy about it"
    assert story.quotes[3].emotion["valence"] > 0.5  # "What a wonderful, lovely morning"


def test_narration_sentences_are_scored_and_quotes_left_out(story):
    rows = story.emotions["sentences"]
    assert rows and all(story.text[r["start"]:r["end"]] for r in rows)
    texts = [story.text[r["start"]:r["end"]] for r in rows]
    assert any("walked into the library" in t for t in texts)
    assert not any(t.startswith(("\u201c", '"')) for t in texts)


def test_time_axis_is_explicit_chapters(story):
    axis = story.emotions["time_axis"]
    assert axis["unit"] == "chapter"
    assert [b["chapter"] for b in axis["bins"]] == [1, 2]
    assert all(b["start"] < b["end"] for b in axis["bins"])


def test_one_chapter_story_gets_equal_segments():
    text = "Chapter 1\n\n" + "\n\n".join(
        f'"I am {"happy" if i < 10 else "miserable"} today," Anna said to Ben. Ben nodded.'
        for i in range(20)) + "\n"
    from ficlens.model import Character

    cast = [Character("C0", "Anna", [], "female"), Character("C1", "Ben", [], "male")]
    story = story_with_cast(text, cast, {i: ("C0", ["C1"]) for i in range(20)})
    score_emotions(resolve_mentions(story), segments=4)
    axis = story.emotions["time_axis"]
    assert axis["unit"] == "segment" and len(axis["bins"]) == 4
    rel = story.emotions["relationships"][0]
    assert (rel["source"], rel["target"]) == ("C0", "C1")
    assert rel["valence"][0] > 0 > rel["valence"][-1]
    assert sum(rel["count"]) == 20
    speech = story.emotions["characters"]["C0"]["speech"]
    assert speech["valence"][0] > speech["valence"][-1]


def test_character_arcs_cover_speech_and_narration(story):
    lucy = story.emotions["characters"]["C1"]
    assert sum(lucy["speech"]["count"]) == 2
    assert lucy["speech"]["count"] == [1, 1]
    assert len(lucy["speech"]["smoothed"]) == 2
    tom = story.emotions["characters"]["C0"]
    assert sum(tom["narration"]["count"]) >= 1  # `He was tired` has Tom as its subject
    assert set(tom["speech"]["emotions"]) == set(EMOTIONS)


def test_relationships_carry_directed_valence(story):
    pairs = {(r["source"], r["target"]): r for r in story.emotions["relationships"]}
    assert ("C1", "C0") in pairs and ("C0", "C1") in pairs
    assert pairs[("C0", "C1")]["valence"][0] < 0  # "I am not happy about it"


def test_smoothing_skips_empty_bins():
    assert smooth([None, None], [0, 0]) == [None, None]
    out = smooth([1.0, None, -1.0], [1, 0, 1])
    assert out[1] == pytest.approx(0.0)
    assert out[0] > 0 > out[2]
