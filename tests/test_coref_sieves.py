"""Coreference rules beyond the basics: titles and given names that keep a family apart,
relations through a possessor, people who are no one in particular, the rank in a name,
centering, and the narrator of a first-person story in dialogue."""

from __future__ import annotations

import re

from references_helpers import story_with_cast

from ficlens.model import Character
from ficlens.stages.coref import cluster_spans


def _spans(text: str, *words: str) -> list[tuple[int, int]]:
    """Every occurrence of each word or phrase (whole words), in text order."""
    found = {(m.start(), m.end()) for w in words for m in re.finditer(rf"(?<!\w){re.escape(w)}(?!\w)", text)}
    return sorted(found)


def _clusters(text: str, *words: str, cast=None, dialogue=None) -> dict[tuple[str, int], int]:
    """(phrase, n-th occurrence) -> entity id, for the given phrases taken as gold mentions."""
    story = story_with_cast(text, cast or [], dialogue or {})
    spans = _spans(text, *words)
    ids = cluster_spans(story, spans)
    out: dict[tuple[str, int], int] = {}
    seen: dict[str, int] = {}
    for (s, e), eid in zip(spans, ids):
        phrase = text[s:e]
        out[(phrase, seen.get(phrase, 0))] = eid
        seen[phrase] = seen.get(phrase, 0) + 1
    return out


def test_titles_keep_husband_and_wife_apart():
    text = ("Chapter 1\n\nMr. Bennet opened the door. Mrs. Bennet was reading by the fire. "
            "Mr. Bennet sat down and Mrs. Bennet put her book away.\n")
    ids = _clusters(text, "Mr. Bennet", "Mrs. Bennet")
    assert ids[("Mr. Bennet", 0)] == ids[("Mr. Bennet", 1)]
    assert ids[("Mrs. Bennet", 0)] == ids[("Mrs. Bennet", 1)]
    assert ids[("Mr. Bennet", 0)] != ids[("Mrs. Bennet", 0)]


def test_different_given_names_with_one_surname_are_two_people():
    text = ("Chapter 1\n\nAdam Patch owned the mill. Anthony Patch was his grandson. "
            "Anthony Patch rarely visited the mill.\n")
    ids = _clusters(text, "Adam Patch", "Anthony Patch")
    assert ids[("Anthony Patch", 0)] == ids[("Anthony Patch", 1)]
    assert ids[("Adam Patch", 0)] != ids[("Anthony Patch", 0)]


def test_a_relation_is_found_again_through_its_possessor():
    text = ("Chapter 1\n\nMary came down with her father. The morning was cold. "
            "Mary's father lit the fire while her mother slept.\n")
    ids = _clusters(text, "Mary", "her", "her father", "Mary's father", "her mother")
    assert ids[("her father", 0)] == ids[("Mary's father", 0)]
    assert ids[("her mother", 0)] != ids[("her father", 0)]
    assert ids[("her", 0)] == ids[("Mary", 0)]


def test_nobody_is_never_an_antecedent():
    text = "Chapter 1\n\nJohn knocked twice. Nobody answered. Nobody came. He knocked again.\n"
    ids = _clusters(text, "John", "Nobody", "He")
    assert ids[("He", 0)] == ids[("John", 0)]
    assert ids[("Nobody", 0)] != ids[("John", 0)]


def test_the_rank_in_a_name_finds_the_person():
    text = ("Chapter 1\n\nDr. Archie drove out to the farm. A farmer met him at the gate. "
            "The doctor went inside.\n")
    ids = _clusters(text, "Dr. Archie", "A farmer", "The doctor")
    assert ids[("The doctor", 0)] == ids[("Dr. Archie", 0)]
    assert ids[("A farmer", 0)] != ids[("Dr. Archie", 0)]


def test_a_subject_pronoun_continues_the_previous_subject():
    # Peter is the more salient, but John is the subject of the sentence before `He`
    text = ("Chapter 1\n\nPeter was tired. Peter had worked all night. John visited Peter. "
            "He brought a cake.\n")
    ids = _clusters(text, "Peter", "John", "He")
    assert ids[("He", 0)] == ids[("John", 0)]


def test_a_possessive_pronoun_belongs_to_the_subject_of_its_clause():
    text = ("Chapter 1\n\nTom waited for Bill by the gate. Bill was late again. "
            "Bill watched as Tom raised his hand.\n")
    ids = _clusters(text, "Tom", "Bill", "his")
    assert ids[("his", 0)] == ids[("Tom", 0)]


def test_i_said_makes_the_narrator_the_speaker():
    text = ("Chapter 1\n\nI walked to the gate where Tom stood.\n\n"
            "\u201cI am late,\u201d I said.\n\nTom nodded.\n")
    cast = [Character("C0", "Tom", [], "male")]
    story = story_with_cast(text, cast, {})  # the speakers stage named no one
    spans = _spans(text, "I", "Tom")
    ids = dict(zip(spans, cluster_spans(story, spans)))
    narrator = ids[spans[0]]
    quoted_i = next(s for s in spans if text[s[0]:s[1]] == "I" and s[0] > text.index("\u201c"))
    assert ids[quoted_i] == narrator
    assert ids[_spans(text, "Tom")[0]] != narrator


def test_you_without_a_known_addressee_is_the_one_who_replies():
    text = ("Chapter 1\n\nTom and Lucy sat by the fire.\n\n"
            "\u201cWill you come tomorrow?\u201d Tom asked.\n\n"
            "\u201cPerhaps,\u201d Lucy said.\n")
    cast = [Character("C0", "Tom", [], "male"), Character("C1", "Lucy", [], "female")]
    story = story_with_cast(text, cast, {0: ("C0", []), 1: ("C1", [])})
    spans = _spans(text, "you", "Lucy")
    ids = dict(zip(spans, cluster_spans(story, spans)))
    lucy = [s for s in spans if text[s[0]:s[1]] == "Lucy"]
    assert ids[_spans(text, "you")[0]] == ids[lucy[-1]]


def test_a_generic_you_in_the_narration_is_no_one_in_particular():
    text = ("Chapter 1\n\nThe house stood on the cliff. From the porch you could see the whole bay. "
            "In winter you would hear the storms all night. You never forget a place like that.\n")
    ids = _clusters(text, "you", "You")
    assert ids[("you", 0)] != ids[("you", 1)]


def test_a_narration_you_addressed_to_someone_stays_one_person():
    text = ("Chapter 1\n\nYou open the door slowly. The hall is dark, and you step inside. "
            "Somewhere above you, a floorboard creaks.\n")
    ids = _clusters(text, "you", "You")
    assert ids[("You", 0)] == ids[("you", 0)] == ids[("you", 1)]


def test_who_is_called_by_name_is_you_not_the_speaker():
    text = ("Chapter 1\n\nHolmes and Watson sat by the fire.\n\n"
            "\u201cWatson, you amaze me,\u201d came the answer.\n")
    cast = [Character("C0", "Holmes", [], "male"), Character("C1", "Watson", [], "male")]
    # the speakers stage got it backwards: Watson speaking to Holmes
    story = story_with_cast(text, cast, {0: ("C1", ["C0"])})
    spans = _spans(text, "Holmes", "Watson", "you", "me")
    ids = dict(zip(spans, cluster_spans(story, spans)))
    by_text = {text[s:e]: ids[(s, e)] for s, e in spans if s > text.index("\u201c")}
    first = {text[s:e]: ids[(s, e)] for s, e in spans if s < text.index("\u201c")}
    assert by_text["you"] == first["Watson"]
    assert by_text["me"] == first["Holmes"]


def test_a_speaker_not_yet_mentioned_is_no_antecedent_for_he_said():
    text = ("Chapter 1\n\nTom walked into the empty room and sat down.\n\n"
            "\u201cI am tired,\u201d he said.\n")
    cast = [Character("C0", "Tom", [], "male"), Character("C1", "Jack", [], "male")]
    # the speakers stage named Jack, whom the story has not mentioned, as the one behind `he`
    story = story_with_cast(text, cast, {0: ("C1", [])})
    he = _spans(text, "he")[0]
    story.quotes[0].speaker_mention = he
    spans = _spans(text, "Tom", "I", "he")
    ids = dict(zip(spans, cluster_spans(story, spans)))
    quoted_i = next(s for s in spans if text[s[0]:s[1]] == "I")
    assert ids[he] == ids[_spans(text, "Tom")[0]]
    assert ids[quoted_i] == ids[he]
