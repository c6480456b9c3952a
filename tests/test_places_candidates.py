"""Places: what becomes a candidate — a heading or a title is no part of a name, `here` in
speech with a verb of staying is left to the span model, and a setting may start with
adjectives spaCy hung elsewhere."""

from __future__ import annotations

import pytest
from references_helpers import place_texts, story_with_cast

from ficlens.model import Character
from ficlens.stages.coref import resolve_mentions
from ficlens.stages.place_model import options
from ficlens.stages.places import place_candidates

TEXT = """Chapter 1

II Harrowgate College stood on the hill. In Australia Mrs. Lynde had a cousin.

"You must stay here," said Nell. "I will come back."

They crossed the empty, echoing hall and went out.
"""


@pytest.fixture(scope="module")
def story():
    cast = [Character(id="C0", name="Nell", gender="female")]
    return resolve_mentions(story_with_cast(TEXT, cast, {}))


def test_a_heading_numeral_is_no_part_of_a_name(story):
    found = place_texts(story, False)
    assert "Harrowgate College" in found
    assert not any(text.startswith("II") for text in found)


def test_a_title_starts_the_next_name(story):
    found = place_texts(story, False)
    assert "Australia" in found
    assert not any("Mrs" in text for text in found)


def test_here_in_speech_with_a_verb_of_staying_is_left_to_the_model(story):
    here = [c for c in place_candidates(story) if c.head.lower_ == "here"]
    assert [c.role for c in here] == ["deictic-speech"] and here[0].rule is None
    assert "here" not in place_texts(story, False)
    keen = {"bias": 5.0, "weights": {}, "roles": {"deictic-speech": 0.5}}
    assert "here" in place_texts(story, keen)


def test_a_setting_may_start_with_adjectives_hung_elsewhere(story):
    hall = next(c for c in place_candidates(story) if c.head.lower_ == "hall")
    spans = {hall.doc[a:b + 1].text for a, b in options(hall)}
    assert "the empty, echoing hall" in spans


def test_the_model_is_told_when_a_doubtful_name_is_a_given_name():
    story = story_with_cast("Chapter 1\n\nThey went to Lucy and then to Paris.\n", None, {})
    lucy = [c for c in place_candidates(story) if c.name == "Lucy"]
    assert lucy and all(c.role == "doubtful-name" and "given:True" in c.info for c in lucy)
