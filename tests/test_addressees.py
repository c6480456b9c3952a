"""The addressees stage: vocatives, `said to X`, the other party of a conversation."""

from __future__ import annotations

import ficlens

STAGES = ["parse", "quotes", "cast", "speakers", "addressees"]
CAST = {"Lily Evans": ["Lily"], "Severus Snape": ["Severus", "Sev"], "James Potter": ["James"]}


def addressees(text: str) -> list[list[str]]:
    story = ficlens.analyze(text, cast=CAST, stages=STAGES)
    return [sorted(story.character(a).name for a in q.addressees) for q in story.quotes]


def test_vocative():
    text = ("Lily, James and Severus stood in the hall.\n\n"
            '"James, please stop," said Lily.\n')
    assert addressees(text)[-1] == ["James Potter"]


def test_vocative_at_the_end():
    text = ("Lily, James and Severus stood in the hall.\n\n"
            '"Leave him alone, James!" cried Lily.\n')
    assert addressees(text)[-1] == ["James Potter"]


def test_said_to():
    text = ("Lily, James and Severus stood in the hall.\n\n"
            '"It is late," Lily said to Severus.\n')
    assert addressees(text)[-1] == ["Severus Snape"]


def test_told():
    text = ("Lily, James and Severus stood in the hall.\n\n"
            '"Go home," Lily told James.\n')
    assert addressees(text)[-1] == ["James Potter"]


def test_other_party_of_a_two_person_conversation():
    text = ('"Where were you?" asked Lily.\n\n'
            '"In the library," said Severus.\n\n'
            '"All night?" said Lily.\n')
    assert addressees(text) == [["Severus Snape"], ["Lily Evans"], ["Severus Snape"]]


def test_speaker_is_never_an_addressee():
    story = ficlens.analyze('"Lily, you fool," said Lily to herself.\n', cast=CAST, stages=STAGES)
    quote = story.quotes[0]
    assert quote.speaker not in quote.addressees


def test_a_lone_quote_has_no_addressee():
    assert addressees('Severus sat alone.\n\n"Nobody listens," said Severus.\n') == [[]]
