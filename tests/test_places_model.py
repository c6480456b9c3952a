"""Places: the span model — the spans a place word could have, how a model picks among
them, that the rules decide where the model is not used, and that the shipped model is
small and holds no memorised names."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from references_helpers import place_texts, story_with_cast

from ficlens.model import Character
from ficlens.stages import places
from ficlens.stages.coref import resolve_mentions
from ficlens.stages.place_model import features, head_features, load_model, options
from ficlens.stages.places import place_candidates

TEXT = """Chapter 1

The house on the hill was empty. Nell knocked at the kitchen door and went in.
"""


@pytest.fixture(scope="module")
def story():
    cast = [Character(id="C0", name="Nell", gender="female")]
    return resolve_mentions(story_with_cast(TEXT, cast, {}))


def _house(story):
    return next(c for c in place_candidates(story) if c.head.lower_ == "house")


def test_a_place_word_may_end_before_or_after_the_phrase_that_follows_it(story):
    cand = _house(story)
    spans = {cand.doc[a:b + 1].text for a, b in options(cand)}
    assert {"The house", "The house on the hill"} <= spans
    # the rules' span comes first
    assert options(cand)[0] == cand.rule


def test_a_model_picks_the_span_its_weights_favour(story):
    cand = _house(story)
    common = head_features(cand)
    longer = next(s for s in options(cand) if cand.doc[s[1]].lower_ == "hill")
    assert "in:prep:on" in features(cand, longer, common)
    roles = {"setting": 0.5}
    take = {"bias": 0.0, "weights": {"in:prep:on": 3.0, "out:prep:on": -3.0}, "roles": roles}
    leave = {"bias": 0.0, "weights": {"in:prep:on": -3.0, "out:prep:on": 3.0}, "roles": roles}
    assert "The house on the hill" in place_texts(story, take)
    assert "The house" not in place_texts(story, take)
    assert "The house" in place_texts(story, leave)
    # a threshold no span reaches: no setting at all
    none = {"bias": -10.0, "weights": {}, "roles": roles}
    assert not any("house" in t for t in place_texts(story, none))


def test_the_rules_decide_the_roles_the_model_is_not_used_for(story):
    rules = place_texts(story, False)
    idle = {"bias": -10.0, "weights": {}, "roles": {"setting": None}}
    assert place_texts(story, idle) == rules


def test_a_place_word_before_a_noun_is_left_to_the_model(story):
    # `the kitchen door`: LitBank marks `kitchen` now and then; the rules never do
    kitchen = [c for c in place_candidates(story) if c.head.lower_ == "kitchen"]
    assert [c.role for c in kitchen] == ["compound"] and kitchen[0].rule is None
    assert "kitchen" not in place_texts(story, False)
    keen = {"bias": 5.0, "weights": {}, "roles": {"compound": 0.5}}
    assert "kitchen" in place_texts(story, keen)


def test_the_shipped_model_is_small_and_general():
    raw = resources.files("ficlens.data").joinpath("place_model.json").read_text("utf-8")
    assert len(raw.encode()) < 100_000
    model = load_model()
    assert model == json.loads(raw)
    assert all(t is None or 0 < t < 1 for t in model["roles"].values())
    # the only words the model knows are those of the place word lists: no names
    known = (places.PLACE_NOUNS | places._PARTS | places._PLACE_ADVERBS | places._LOCATIVE_ONLY
             | {"there", "here", "place", "store"})
    for feature in model["weights"]:
        lemmas = re.findall(r"lemma:([^|]+)", feature)
        # (`quarters` is listed, its lemma `quarter`)
        assert all(lemma in known or lemma + "s" in known for lemma in lemmas), feature
