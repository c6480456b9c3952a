"""The speakers stage on speech tags: a verb next to a quote whose own object or clause is what
was said or done (`Rosa said nothing.`, `She put the key down.`) does not tag the quote."""

from __future__ import annotations

from speaker_helpers import char_id, context


def test_a_verb_that_says_nothing_introduces_no_quote():
    cases = ['Lily said nothing.\n\n"Are you coming?"\n',
             "Lily thought the door should be shut.\n\n\"Are you coming?\"\n",
             'Lily said a great deal; nobody listened.\n\n"Are you coming?"\n']
    for text in cases:
        _, ctx = context(text)
        assert ctx.tags[0].kind == "none", text


def test_a_verb_before_the_quote_with_a_person_or_speech_object_still_tags_it():
    for text in ('Lily turned to Severus and asked him: "Are you coming?"\n',
                 'Lily laughed, and replied,\n\n"Are you coming?"\n',
                 'Lily answered the question: "No."\n',
                 'Lily said: "Are you coming?"\n'):
        story, ctx = context(text)
        assert ctx.tags[0].kind == "name", text
        assert ctx.tags[0].character == char_id(story, "Lily Evans")


def test_a_narration_sentence_after_the_quote_that_does_something_else_is_no_tag():
    _, ctx = context('"Here is the key." Lily put the key on the table.\n')
    assert ctx.tags[0].kind == "none"
    story, ctx = context('"Here is the key," said Lily, smiling.\n')
    assert ctx.tags[0].character == char_id(story, "Lily Evans")


def test_a_participle_after_the_tag_is_manner_and_keeps_it():
    # `asked Severus, frowning`: not what was asked, and Severus is not the speaker
    story, ctx = context('"Where were you?" Lily asked Severus, frowning.\n')
    assert ctx.tags[0].kind == "name"
    assert ctx.tags[0].character == char_id(story, "Lily Evans")


def test_a_rejected_verb_is_not_read_again_as_an_inverted_tag():
    # `asked Severus to ...`: not a tag, and above all not `Severus` as the speaker
    story, ctx = context('"Really?" Lily asked Severus to repeat it.\n')
    assert ctx.tags[0].character != char_id(story, "Severus Snape")
