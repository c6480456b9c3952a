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


def test_everyone_in_a_three_person_scene_hears():
    text = ("Lily, James and Severus met in the hall.\n\n"
            '"I have news," said Lily.\n\n'
            '"What news?" asked James.\n\n'
            '"Tell us," said Severus.\n\n'
            '"I am leaving school, and all of you should know it," said Lily.\n')
    assert addressees(text)[-1] == ["James Potter", "Severus Snape"]


def test_a_speaker_further_back_in_the_scene_is_a_candidate_listener():
    from ficlens.stages.addressees import addressee_candidates
    from ficlens.stages.speakers import build_context

    # James spoke seven quotes and a narration break before the last one: out of its run and
    # of the paragraphs looked at for names, but within the scene
    text = ('"Ready?" asked James.\n\nThe candles burned low.\n\n'
            + "".join(f'"{w}," said {who}.\n\n' for w, who in
                      [("Yes", "Lily"), ("No", "Severus"), ("Maybe", "Lily"),
                       ("Never", "Severus"), ("Always", "Lily"), ("Again", "Severus")])
            + '"Then go," said Severus.\n')
    story = ficlens.analyze(text, cast=CAST, stages=STAGES)
    speakers = [q.speaker for q in story.quotes]
    james = next(c.id for c in story.characters if c.name == "James Potter")
    assert james in addressee_candidates(build_context(story), len(speakers) - 1, speakers)
