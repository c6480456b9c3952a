"""The speakers stage: tags whose subject cannot speak, the turns of a conversation counted over
a narration break, and `he said` resolved to the subject of the narration before it."""

from __future__ import annotations

from speaker_helpers import char_id, context

from ficlens.stages.speakers import FEATURES, features


def feature(ctx, qi: int, cand: str, name: str, previous=None) -> float:
    return features(ctx, qi, [cand], previous)[0][FEATURES.index(name)]


def test_a_thing_going_on_is_no_speech_tag():
    text = ("Lily and Severus sat at the window.\n\n"
            'The rain went on. "We cannot walk home in this."\n')
    _, ctx = context(text)
    assert ctx.tags[0].kind == "none"


def test_a_person_noun_or_a_speech_verb_still_makes_a_tag():
    _, ctx = context('Lily sat down.\n\nThe old woman went on: "We cannot walk home."\n')
    assert ctx.tags[0].kind == "nominal" and ctx.tags[0].head == "woman"
    _, ctx = context('Lily sat down.\n\n"Who is there?" a voice asked.\n')
    assert ctx.tags[0].kind == "nominal"


def test_turns_are_counted_over_a_narration_break():
    text = ('"Where were you?" asked Lily.\n\n'
            '"In the library," said Severus.\n\n'
            "The candles burned low and the fire hissed.\n\n"
            '"All night?"\n\n'
            '"All night."\n')
    story, ctx = context(text)
    lily, severus = char_id(story, "Lily Evans"), char_id(story, "Severus Snape")
    assert ctx.turns[2][1] == 0  # a new run of talk starts after the break
    assert [ctx.conv_turn[qi] for qi in range(4)] == [0, 1, 2, 3]  # but not a new conversation
    assert feature(ctx, 2, lily, "after_break") == 1.0
    # Lily spoke two turns before "All night?", Severus one turn before
    assert feature(ctx, 2, lily, "cpar_known_even") > 0
    assert feature(ctx, 2, severus, "cpar_known_odd") > 0
    assert feature(ctx, 2, severus, "cpar_known_even") == 0
    previous = [(lily, 0.97), (severus, 0.97), (severus, 0.5), (lily, 0.5)]
    assert feature(ctx, 2, severus, "break_prev_pred", previous) > 0
    assert feature(ctx, 2, lily, "break_prev2_pred", previous) > 0


def test_he_said_goes_to_the_subject_of_the_narration_before():
    # Severus is the nearer name, but James is the one acting
    text = ("Lily had gone to bed.\n\n"
            "James looked across the table at Severus.\n\n"
            '"Pass the salt," he said.\n')
    story, ctx = context(text)
    james, severus = char_id(story, "James Potter"), char_id(story, "Severus Snape")
    assert ctx.tags[0].kind == "pronoun"
    assert feature(ctx, 0, james, "tag_pron_subj0") == 1.0
    assert feature(ctx, 0, severus, "tag_pron_subj0") == 0.0


def test_he_said_in_a_conversation_with_one_man():
    text = ("James was asleep by the fire.\n\n"
            '"Where were you?" asked Lily.\n\n'
            '"In the library," said Severus.\n\n'
            '"All night?" asked Lily.\n\n'
            '"All night," he said.\n')
    story, ctx = context(text)
    lily, severus, james = (char_id(story, n) for n in ("Lily Evans", "Severus Snape",
                                                         "James Potter"))
    previous = [(lily, 0.97), (severus, 0.97), (lily, 0.97), (james, 0.4)]
    assert feature(ctx, 3, severus, "tag_pron_conv_unique", previous) == 1.0
    assert feature(ctx, 3, james, "tag_pron_conv_unique", previous) == 0.0
    assert feature(ctx, 3, lily, "tag_pron_conv_unique", previous) == 0.0
