"""The speakers stage over whole conversations: the two sides of an exchange, conversations
that go on over a short narration break, descriptive tags that name a cast member."""

from __future__ import annotations

import ficlens
from ficlens.stages.speakers import build_context, candidates, conversation_window

STAGES = ["parse", "quotes", "cast", "speakers"]
CAST = {"Lily Evans": ["Lily"], "Severus Snape": ["Severus", "Sev"], "James Potter": ["James"]}


def names(story) -> list[str | None]:
    """The speaker name of every quote."""
    out = []
    for quote in story.quotes:
        character = story.character(quote.speaker)
        out.append(character.name if character else None)
    return out


def test_vocatives_on_one_side_name_the_other_side():
    # nobody is tagged: the one called "Severus" on turns 1 and 3 answers on turns 2 and 4
    text = ("Lily, Severus and James were in the common room.\n\n"
            '"Severus, are you coming to the match?"\n\n'
            '"No."\n\n'
            '"Why not, Severus?"\n\n'
            '"I have homework."\n')
    story = ficlens.analyze(text, cast=CAST, stages=STAGES)
    result = names(story)
    assert result[1] == result[3] == "Severus Snape"
    assert result[0] == result[2] != "Severus Snape"


def test_two_people_talking_while_a_third_is_named_in_the_narration():
    text = ("James was asleep by the fire.\n\n"
            '"Where were you?" asked Lily.\n\n'
            '"In the library," said Severus.\n\n'
            '"All night?"\n\n'
            '"All night."\n')
    story = ficlens.analyze(text, cast=CAST, stages=STAGES)
    assert names(story) == ["Lily Evans", "Severus Snape", "Lily Evans", "Severus Snape"]


def test_a_conversation_goes_on_over_a_short_narration_break_but_not_a_long_one():
    talk = '"Where were you?" asked Lily.\n\n"In the library," said Severus.\n\n'
    short = talk + "The candles burned low.\n\n" + '"All night?"\n'
    story = ficlens.analyze(short, cast=CAST, stages=["parse", "quotes", "cast"])
    assert conversation_window(build_context(story), 2) == [0, 1]
    long = talk + "The candles burned low.\n\n" * 4 + '"All night?"\n'
    story = ficlens.analyze(long, cast=CAST, stages=["parse", "quotes", "cast"])
    assert conversation_window(build_context(story), 2) == []


def test_a_known_speaker_of_the_conversation_is_a_candidate_after_a_break():
    # Severus is named far back (more than ten paragraphs), but he spoke in this conversation
    text = ('"Where were you?" Severus asked.\n\n' + "The candles burned low.\n\n"
            + "".join(f'"{word}," said Lily.\n\n' for word in
                      ["Out", "Away", "Elsewhere", "Outside", "Gone", "Off", "Far",
                       "Walking", "Running", "Flying", "Hiding", "Sleeping"])
            + '"And you?"\n')
    story = ficlens.analyze(text, cast=CAST, stages=["parse", "quotes", "cast"])
    ctx = build_context(story)
    severus = next(c for c in story.characters if c.name == "Severus Snape")
    assert severus.id in candidates(ctx, len(story.quotes) - 1, None)


def test_a_descriptive_tag_brings_in_the_cast_member_it_names():
    # "the professor" is no name mention, but only one cast member is a Professor
    cast = {"Lily Evans": ["Lily"], "James Potter": ["James"],
            "Horace Slughorn": ["Professor Slughorn", "Slughorn"]}
    text = ("Lily waited in the dungeon with James.\n\n"
            '"Sit down," said the professor.\n')
    story = ficlens.analyze(text, cast=cast, stages=["parse", "quotes", "cast"])
    ctx = build_context(story)
    slughorn = next(c for c in story.characters if c.name == "Horace Slughorn")
    # the cast stage may already mark the description as his mention (a name tag)
    assert ctx.tags[0].kind in ("nominal", "name")
    assert slughorn.id in candidates(ctx, 0, None)


def test_a_plain_tag_ending_the_sentence_is_found_without_a_parse():
    story = ficlens.analyze('"Go," she said.\n\n"Now," Severus said.\n', cast=CAST,
                            stages=["quotes", "cast", "speakers"])
    assert [q.kind for q in story.quotes] == ["anaphoric", "explicit"]
    assert names(story)[1] == "Severus Snape"
