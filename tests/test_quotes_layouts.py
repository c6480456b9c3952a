"""The quote finder on dash dialogue, on text set one sentence per line, and the grouping and
filtering rules added with them: each case on a small invented text."""

from __future__ import annotations

from quote_helpers import quoted, story_of

from ficlens.model import Story
from ficlens.stages.quotes import _one_sentence_per_paragraph


def all_spans(story: Story) -> list[str]:
    return [span for quote in quoted(story) for span in quote]


# Enough dash speeches for a story to count as written in dash dialogue.
DASH_LINES = [f"\u2014 Line number {n} is spoken here." for n in range(10)]

# Invented narration, one sentence per line, to make a story look like a tokenised corpus.
FILLER_LINES = [f"The rain fell on the roof of house number {n} ." for n in range(20)]


# --- dash dialogue ----------------------------------------------------------------------------

def test_dash_speech_goes_on_after_its_tag():
    story = story_of(*DASH_LINES, "\u2014 Look at yourself, he said, you dreadful bard!")
    assert quoted(story)[-1] == ["\u2014 Look at yourself,", "you dreadful bard!"]


def test_dash_speech_stops_where_narration_follows_its_tag():
    story = story_of(*DASH_LINES, "\u2014 Thanks, he said. He turned and walked to the door.")
    assert quoted(story)[-1] == ["\u2014 Thanks,"]


def test_heading_between_dashes_is_no_speech():
    story = story_of("\u2014 IV \u2014 The morning was grey over the bay.", *DASH_LINES)
    assert all(not span.startswith("\u2014 IV") for span in all_spans(story))


def test_dash_speech_runs_over_sentence_lines_until_narration():
    lines = [*DASH_LINES, "\u2014 Come up, Kinch !", "Come up, you lazy thing !",
             "Solemnly he came forward and climbed the steps .", *FILLER_LINES]
    story = story_of(*lines, separator="\n")
    assert "\u2014 Come up, Kinch !\nCome up, you lazy thing !" in all_spans(story)


def test_dash_speech_goes_on_after_a_tag_on_a_line_of_its_own():
    lines = [*DASH_LINES, "\u2014 The mockery of it !", "he said gaily .", "Your silly name , a Greek one !",
             "He pointed his finger and went over to the wall .", *FILLER_LINES]
    story = story_of(*lines, separator="\n")
    spans = all_spans(story)
    assert "\u2014 The mockery of it !" in spans
    assert "Your silly name , a Greek one !" in spans
    assert not any("pointed" in span for span in spans)


# --- text set one sentence per line -------------------------------------------------------------

def test_one_sentence_per_line_is_told_from_prose():
    lines = story_of(*FILLER_LINES, separator="\n")
    assert _one_sentence_per_paragraph(lines.text, lines.paragraphs)
    prose = story_of(*[f"It rained on house {n}. Nobody came out." for n in range(20)])
    assert not _one_sentence_per_paragraph(prose.text, prose.paragraphs)
    short = story_of(*[f"It rained on house {n}." for n in range(20)])  # paragraphs, not lines
    assert not _one_sentence_per_paragraph(short.text, short.paragraphs)


def test_mark_alone_at_line_end_opens_the_next_lines_quote():
    lines = [*FILLER_LINES, '" Very well , sir , " she said . "', "As you like .",
             'The room will be warmer soon . "', *FILLER_LINES]
    story = story_of(*lines, separator="\n")
    assert '"\nAs you like .\nThe room will be warmer soon . "' in all_spans(story)


def test_unclosed_quote_runs_over_lines_to_the_next_opening_mark():
    lines = [*FILLER_LINES, '" You watch out , Henry .', "Do n't go a-thinking you can win .",
             '" I have knitted you eight pairs of socks .', *FILLER_LINES]
    story = story_of(*lines, separator="\n")
    assert quoted(story)[0] == ['" You watch out , Henry .\nDo n\'t go a-thinking you can win .']


def test_speech_over_sentence_lines_is_one_span():
    lines = [*FILLER_LINES, '" It began in the spring .', '" Then it rained for a week . "', *FILLER_LINES]
    story = story_of(*lines, separator="\n")
    assert quoted(story) == [['" It began in the spring .\n" Then it rained for a week . "']]


# --- grouping ----------------------------------------------------------------------------------

def test_a_speech_broken_off_then_begun_anew_is_two_quotes():
    story = story_of('"I was going to--" she stopped. "Never mind."')
    assert quoted(story) == [['"I was going to--"'], ['"Never mind."']]
    story = story_of('"I was going to--" she stopped, "to say something."')
    assert quoted(story) == [['"I was going to--"', '"to say something."']]


def test_a_finished_speech_then_more_than_a_sentence_of_narration_is_two_quotes():
    story = story_of('"Katharine!" he exclaimed. But her head was turned away. "You have been out?"')
    assert quoted(story) == [['"Katharine!"'], ['"You have been out?"']]


# --- not speech ------------------------------------------------------------------------------

def test_thoughts_imagined_or_denied_are_not_speech():
    for text in ('If anyone came in he would think, "What a happy house this is!"',
                 'She did not say, "Perhaps never," but each of them thought it.',
                 'He felt like adding: "But I have caught it already."',
                 'He could imagine the old man saying, "It is served at small tables."',
                 'She smiled at him. "Oh, do let us see it through," it seemed to say.'):
        assert quoted(story_of(text)) == [], text


def test_a_passive_said_is_no_speech_tag_for_reported_speech():
    story = story_of('She was said to be beautiful. "He longed to see her, and he hoped she '
                     'would come to the house soon."')
    assert quoted(story) == []


def test_illustration_caption_is_not_speech():
    story = story_of('[Illustration: "You are a jealous one," he said] She folded her napkin.')
    assert quoted(story) == []


def test_a_quoted_term_opening_a_sentence_is_not_speech():
    story = story_of('"Wuthering" being a provincial adjective, the house was well named.')
    assert quoted(story) == []
    story = story_of('"I should like" faltered the child.')
    assert quoted(story) == [['"I should like"']]


def test_a_letter_quoted_paragraph_by_paragraph_keeps_only_its_body():
    story = story_of('She wrote back at once:', '"Dear Charlotte,"', '"Many thanks for your warning."',
                     '"Believe me,"', '"Your loving cousin,"', '"Lucy."', 'Then she posted it.')
    assert quoted(story) == [['"Many thanks for your warning."']]
    story = story_of('"Dear Brett."', 'She smiled at him.')  # spoken: no comma left hanging
    assert quoted(story) == [['"Dear Brett."']]


def test_words_right_after_a_speech_verb_in_ing_are_speech():
    story = story_of('He lay at her feet, murmuring "It was not I," and trying to explain.')
    assert quoted(story) == [['"It was not I,"']]


def test_a_long_narration_opening_with_the_speech_tag_keeps_one_quote():
    tag = ("said Diana, whose dark eyes and shining hair had turned the heads of half the boys "
           "in the village school for three long winters and who knew it very well indeed,")
    story = story_of(f'"Nonsense," {tag} "it is only a joke."')
    assert quoted(story) == [['"Nonsense,"', '"it is only a joke."']]
    narration = ("and the long grey road wound on between the hedges and the fields and the small "
                 "farms where the dogs barked at every cart that passed in the dusty summer evening,")
    story = story_of(f'"Nonsense," {narration} "It is only a joke, you know."')
    assert quoted(story) == [['"Nonsense,"'], ['"It is only a joke, you know."']]
