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


def _rows(text: str, qi: int = -1):
    """The candidates of quote `qi` with their addressee feature rows, by character name."""
    from ficlens.stages.addressees import addressee_candidates, addressee_features
    from ficlens.stages.speakers import build_context

    story = ficlens.analyze(text, cast=CAST, stages=STAGES)
    ctx = build_context(story)
    speakers = [q.speaker for q in story.quotes]
    qi = qi % len(speakers)
    cands = addressee_candidates(ctx, qi, speakers)
    names = {c.id: c.name for c in story.characters}
    rows = addressee_features(ctx, qi, cands, speakers)
    return {names[c]: row for c, row in zip(cands, rows)}


def _value(row, feature: str) -> float:
    from ficlens.stages.addressees import ADDRESSEE_FEATURES

    return row[ADDRESSEE_FEATURES.index(feature)]


def test_the_narration_turning_to_a_character_marks_the_listener():
    text = ("Lily, James and Severus stood in the hall.\n\n"
            '"It is late," said Lily, turning to James.\n')
    rows = _rows(text)
    assert _value(rows["James Potter"], "narr_to") == 1.0
    assert _value(rows["Severus Snape"], "narr_to") == 0.0


def test_answering_a_character_and_their_question_mark_the_listener():
    text = ("Lily, James and Severus stood in the hall.\n\n"
            'Lily answered Severus at once. "No."\n\n'
            'In reply to James\'s question, Severus shrugged. "Perhaps."\n')
    assert _value(_rows(text, 0)["Severus Snape"], "narr_object") == 1.0
    rows = _rows(text, 1)
    assert _value(rows["James Potter"], "narr_owner") == 1.0
    assert _value(rows["Lily Evans"], "narr_owner") == 0.0


def test_a_pronoun_the_narration_turns_to_matches_a_gender():
    text = ("Lily, James and Severus stood in the hall.\n\n"
            '"Go home," said James, turning to her.\n')
    rows = _rows(text)
    assert _value(rows["Lily Evans"], "narr_pron_match") == 1.0
    assert _value(rows["Severus Snape"], "narr_pron_other") == 1.0


def test_a_character_named_earlier_in_the_chapter_is_a_candidate_listener():
    # Severus was named fifteen paragraphs back and has not spoken since
    text = ("Severus sat by the fire with Lily and James.\n\n"
            + "".join(f'"{w}," said {who}.\n\n' for w, who in
                      [("Yes", "Lily"), ("No", "James")] * 7)
            + '"Then go," said Lily.\n')
    rows = _rows(text)
    assert "Severus Snape" in rows
    assert _value(rows["Severus Snape"], "scene_named") > 0


def test_a_second_pass_sees_the_listeners_of_the_quotes_around():
    from ficlens.stages.addressees import (
        FIRST_PASS_FEATURES,
        first_pass,
        predict_addressees,
    )
    from ficlens.stages.speakers import build_context

    text = ('"Where were you?" asked Lily.\n\n'
            '"In the library," said Severus.\n\n'
            '"All night?" said Lily.\n')
    story = ficlens.analyze(text, cast=CAST, stages=STAGES)
    ctx = build_context(story)
    speakers = [q.speaker for q in story.quotes]
    severus = next(c.id for c in story.characters if c.name == "Severus Snape")
    # a first pass that only trusts the next speaker; a second pass that keeps the candidate
    # the first pass ranked first
    first = {"type": "logreg", "features": list(FIRST_PASS_FEATURES),
             "coef": [4.0 if n == "next_speaker" else 0.0 for n in FIRST_PASS_FEATURES],
             "intercept": -2.0, "threshold": 0.5}
    first["stage2"] = {"type": "mlp", "features": ["p1_top"], "coefs": [[[1.0]], [[6.0]]],
                       "intercepts": [[0.0], [-3.0]], "threshold": 0.5}
    probabilities = first_pass(ctx, speakers, first)
    assert probabilities[0][severus] > 0.8
    assert predict_addressees(ctx, 0, speakers, first) == [severus]


def test_no_one_listens_before_they_come_in():
    text = ("Lily and Severus sat in the empty classroom.\n\n"
            '"You are late," said Lily.\n\n'
            '"I know," said Severus.\n\n'
            '"Then sit down."\n\n'
            "The door opened and James came in.\n\n"
            '"Morning, all," said James.\n\n'
            '"Go away, James," said Lily.\n')
    heard = addressees(text)
    # James is no listener before he comes in, except of the line he answers ("Then sit down.")
    assert all("James Potter" not in h for h in heard[:2])
    assert "James Potter" in heard[-1]


def test_a_vocative_still_calls_someone_not_yet_in_the_scene():
    text = ("Lily sat alone in the empty classroom.\n\n"
            '"James! Where are you?" called Lily.\n')
    assert addressees(text)[-1] == ["James Potter"]


def test_no_one_listens_after_they_leave():
    text = ("Lily, James and Severus sat in the empty classroom.\n\n"
            '"I am going," said James.\n\n'
            '"Then go," said Severus.\n\n'
            "James left the room.\n\n"
            '"He is impossible," said Lily.\n\n'
            '"He is," said Severus.\n')
    heard = addressees(text)
    assert "James Potter" in heard[1]
    assert heard[-2] == ["Severus Snape"]


def test_speech_with_out_is_no_leaving():
    from ficlens.stages.speakers import _departures, build_context

    story = ficlens.analyze("James cried out. Lily turned away. Severus broke off.\n\n"
                            "Severus hurried away.\n", cast=CAST, stages=STAGES)
    ctx = build_context(story)
    names = {c.id: c.name for c in story.characters}
    assert [{names[c] for c in _departures(ctx, pi)} for pi in range(2)] == [
        set(), {"Severus Snape"}]
