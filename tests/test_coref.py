"""Character coreference: names, pronouns (inside and outside quotations) and nominals."""

from __future__ import annotations

import pytest
from references_helpers import mention_at, story_with_cast

from ficlens.model import Character, Mention
from ficlens.stages.coref import cluster_spans, resolve_mentions


@pytest.fixture(scope="module")
def story():
    return resolve_mentions(story_with_cast())


def test_names_are_linked_to_their_character(story):
    assert mention_at(story, "Tom Baxter").character == "C0"
    assert mention_at(story, "Tom Baxter").kind == "name"
    assert mention_at(story, "Lucy Morrow").character == "C1"
    assert mention_at(story, "Mr. Finch").character == "C2"


def test_third_person_pronouns_follow_gender_and_salience(story):
    assert mention_at(story, "He").character == "C0"
    assert mention_at(story, "him").character == "C0"  # `came in after him`
    assert mention_at(story, "She").character == "C1"
    assert mention_at(story, "her").character == "C1"  # `her bag`


def test_reflexive_goes_to_the_subject(story):
    assert mention_at(story, "himself").character == "C0"


def test_first_person_in_a_quotation_is_its_speaker(story):
    first_i = mention_at(story, "I", 0)  # Lucy: "I found the map"
    second_i = mention_at(story, "I", 1)  # Tom: "I am not happy"
    assert first_i.character == "C1"
    assert second_i.character == "C0"
    assert mention_at(story, "me", 0).character == "C1"  # "You owe me"
    assert mention_at(story, "mine").character == "C0"


def test_second_person_in_a_quotation_is_its_addressee(story):
    assert mention_at(story, "you", 0).character == "C0"  # Lucy to Tom: "the map you wanted"
    assert mention_at(story, "You", 0).character == "C0"
    assert mention_at(story, "you", 1).character == "C1"  # Tom to Lucy: "you know it"


def test_third_person_inside_a_quote_is_not_the_speaker(story):
    # Mr. Finch to Tom: "Lucy told me you would be" -> me = Finch, you = Tom
    assert mention_at(story, "me", 1).character == "C2"
    assert mention_at(story, "you", 2).character == "C0"


def test_nominal_mentions_are_found(story):
    kinds = {m.text: m.kind for m in story.mentions}
    assert kinds.get("the caretaker") == "nominal"
    assert kinds.get("her aunt") == "nominal"


def test_character_mention_counts_are_updated(story):
    counts = {c.id: c.mentions for c in story.characters}
    linked = {cid: sum(1 for m in story.mentions if m.character == cid) for cid in counts}
    assert counts == linked
    assert counts["C0"] >= 8 and counts["C1"] >= 6


def test_mentions_have_valid_offsets(story):
    for m in story.mentions:
        assert story.text[m.start:m.end] == m.text
        assert m.kind in ("name", "pronoun", "nominal")


def test_name_mentions_from_the_cast_stage_are_reused_not_duplicated():
    story = story_with_cast()
    start = story.text.index("Tom Baxter")
    story.mentions = [Mention(start, start + len("Tom Baxter"), "Tom Baxter", "name", "C0")]
    resolve_mentions(story)
    spans = [(m.start, m.end) for m in story.mentions]
    assert len(spans) == len(set(spans))
    assert spans.count((start, start + len("Tom Baxter"))) == 1


def test_binding_keeps_an_object_pronoun_off_its_subject():
    text = "Chapter 1\n\nJohn met Peter in the hall. John saw him at once.\n"
    cast = [Character("C0", "John", [], "male"), Character("C1", "Peter", [], "male")]
    story = resolve_mentions(story_with_cast(text, cast, {}))
    assert mention_at(story, "him").character == "C1"


def test_first_person_narration_is_one_narrator():
    text = ("Chapter 1\n\nI woke early. My sister was still asleep, so I crept out.\n\n"
            "Nobody saw me leave. I walked to the river alone.\n")
    story = story_with_cast(text, [], {})
    spans = [(m.start(), m.start() + len(w)) for w in ("I", "My", "me")
             for m in __import__("re").finditer(rf"\b{w}\b", text)]
    ids = cluster_spans(story, sorted(spans))
    assert len(set(ids)) == 1


def test_gender_learned_from_the_story_when_the_name_is_unknown():
    text = ("Chapter 1\n\nZorvath entered the room. She looked at Kell. Kell waved, "
            "but Zorvath ignored him. She sat down.\n")
    story = story_with_cast(text, [Character("C0", "Zorvath", []), Character("C1", "Kell", [])], {})
    resolve_mentions(story)
    assert mention_at(story, "She", 1).character == "C0"
    assert mention_at(story, "him").character == "C1"
