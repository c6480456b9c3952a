"""The quote finder: each hard case on a small text written for it, plus property tests."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from quote_helpers import quoted, story_of

from ficlens.readers import story_from_text
from ficlens.stages.quotes import ALL_MARKS, find_quotes, quote_style

# --- double quotes -------------------------------------------------------------------------

def test_interrupted_quote_is_one_quote_with_two_spans():
    story = story_of('"Go," she said, "now."')
    assert quoted(story) == [['"Go,"', '"now."']]
    quote = find_quotes(story)[0]
    assert quote.text == "Go, now."


def test_curly_double_quotes():
    story = story_of("\u201cHello,\u201d said Lily. \u201cAre you coming?\u201d")
    assert quoted(story) == [["\u201cHello,\u201d", "\u201cAre you coming?\u201d"]]


def test_curly_marks_typed_the_wrong_way_round():
    story = story_of("\u201cHello,\u201c said Lily. \u201dAre you coming?\u201d")
    assert quoted(story) == [["\u201cHello,\u201c", "\u201dAre you coming?\u201d"]]


def test_new_sentence_of_narration_starts_a_new_quote():
    story = story_of('"Yes." He turned away and looked at the sea. "No."')
    assert quoted(story) == [['"Yes."'], ['"No."']]


def test_short_name_first_tag_keeps_one_quote():
    story = story_of('"Yes." Mrs. Hilbery repeated. "Quite so."')
    assert quoted(story) == [['"Yes."', '"Quite so."']]


def test_adjacent_quotes_are_two_utterances():
    story = story_of('"Did you ever!" "What possesses him!" were some of the replies.')
    assert quoted(story) == [['"Did you ever!"'], ['"What possesses him!"']]


def test_colon_after_a_finished_quote_starts_a_new_one():
    story = story_of('"Come in." Then she added: "And shut the door."')
    assert quoted(story) == [['"Come in."'], ['"And shut the door."']]


def test_quote_inside_quote_stays_one_quote():
    story = story_of("\"He said 'hello' to me and left,\" she said.")
    assert quoted(story) == [["\"He said 'hello' to me and left,\""]]


def test_multi_paragraph_speech_is_one_quote_per_paragraph():
    story = story_of('"It began in the spring.', '"Then it rained for a week."', "She stopped.")
    assert quoted(story) == [['"It began in the spring.'], ['"Then it rained for a week."']]


def test_multi_paragraph_speech_as_one_span_when_switched(monkeypatch):
    from ficlens.stages import quotes as module

    monkeypatch.setattr(module, "SPEECH_PER_PARAGRAPH", False)
    story = story_of('"It began in the spring.', '"Then it rained for a week."', "She stopped.")
    assert quoted(story) == [['"It began in the spring.\n\n"Then it rained for a week."']]


def test_a_tag_then_a_new_sentence_that_says_something_starts_a_new_quote():
    story = story_of('"Oh," said Ann. Then she turned to the window and added, "Come here."')
    assert quoted(story) == [['"Oh,"'], ['"Come here."']]
    smiled = story_of('"Oh," said Ann. She smiled, "come here."')
    assert quoted(smiled) == [['"Oh,"', '"come here."']]


def test_an_inverted_tag_before_a_colon_continues_the_speech():
    story = story_of('"What!" cried Julia: "go boxed up three in a chaise?"')
    assert quoted(story) == [['"What!"', '"go boxed up three in a chaise?"']]


def test_reported_speech_in_quotation_marks_inside_narration_is_not_speech():
    story = story_of(
        'The night was darker than he had expected. "He was afraid they would have a very bad '
        'drive, and he hoped the horses were safe."',
        'The night was darker than he had expected. "I am afraid we shall have a very bad drive, '
        'and I hope the horses are safe."',
        '"He was afraid they would have a very bad drive, and the horses were tired."',
        'It was dark. "He was afraid they would have a very bad drive, and she agreed," said Tom.',
        'It was late. "Mr. Elton\'s horse was lame, and he was afraid they would miss the dinner."',
        'It was late. "He was afraid they\'d miss the dinner, for the horse was lame and tired."',
    )
    assert [spans[0][:12] for spans in quoted(story)] == ['"I am afraid', '"He was afra', '"He was afra',
                                                          '"He was afra']


def test_letters_ending_with_a_closing_formula_or_a_signature_are_not_speech():
    story = story_of(
        'The note ran thus: "Do not wait for me; the coach is late and the roads are bad after '
        'all the rain. '
        'Yours, etc."',
        '"I cannot come to-morrow, for my aunt is ill and there is nobody else to sit with her.',
        '"M.D."',
        '"Come with us. Your sister loves to laugh."',
    )
    assert quoted(story) == [['"Come with us. Your sister loves to laugh."']]


def test_narration_in_parentheses_inside_a_speech_is_left_out_of_its_spans():
    story = story_of('"The thing is settled, that is (laughing a little) as far as I can settle it."')
    assert quoted(story) == [['"The thing is settled, that is', 'as far as I can settle it."']]
    assert find_quotes(story)[0].text == "The thing is settled, that is as far as I can settle it."
    remark = story_of('"The thing is settled (and nothing was ever juster) for good."')
    assert quoted(remark) == [['"The thing is settled (and nothing was ever juster) for good."']]


def test_words_only_imagined_or_conveyed_by_a_look_are_not_speech():
    story = story_of(
        'He felt like answering: "I was, till I saw you again." But he only bowed.',
        'Her eyes said: "Remember, we are doing this because it is right."',
        '"Exquisite pleasures, it is something to have had them!" he felt like retorting.',
        'Aziz, after another silence, said: "Why are you not married?"',
    )
    assert quoted(story) == [['"Why are you not married?"']]


def test_long_quoted_phrase_glued_into_narration_is_not_speech():
    story = story_of(
        'He told me to keep my "weather-eye open for a seafaring man with one leg" and went in.',
        '"This," said the man, stopping in a gloomy passage where a couple of workmen were at work '
        'in silence "this is the place he passes through."',
    )
    assert quoted(story) == [['"This,"', '"this is the place he passes through."']]


def test_unclosed_quote_without_reopening_ends_with_its_paragraph():
    story = story_of('"It began in the spring.', "She stopped. Nobody spoke.", '"Really?" he asked.')
    assert quoted(story) == [['"It began in the spring.'], ['"Really?"']]


def test_a_lone_mark_at_the_end_is_no_quote():
    story = story_of('"Good night," said he.', 'She turned away. "')
    assert quoted(story) == [['"Good night,"']]
    dots = story_of('". . . . . ." the drummer sang softly.')
    assert quoted(dots) == [['". . . . . ."']]


def test_em_dash_cut_off_then_new_quote():
    story = story_of('"I only meant\u2014" "Don\'t," he said.')
    assert quoted(story) == [['"I only meant\u2014"'], ['"Don\'t,"']]


def test_em_dash_cut_off_without_closing_mark():
    story = story_of('"But I\u2014', '"Stop it!" he shouted.')
    assert quoted(story) == [['"But I\u2014'], ['"Stop it!"']]


def test_scare_quotes_and_titles_are_not_speech():
    story = story_of(
        'They called the house "the Burrow" in those days.',
        'She was reading "Pride and Prejudice" again.',
        'Those who entered spoke of it as "handsome."',
        'Mary, who was a "personality," wished to speak.',
        '"Come here," said Tom.',
    )
    assert quoted(story) == [['"Come here,"']]


def test_written_text_is_not_speech():
    story = story_of(
        'She found a card, on which was written, "Back at noon, do not wait."',
        'Over the door hung the family motto: "Never yield."',
        '"Never," said Tom.',
    )
    assert quoted(story) == [['"Never,"']]


def test_a_quoted_letter_is_not_speech_but_a_dear_in_speech_is():
    story = story_of(
        'She opened it and read:',
        '"My dear Tom,--I write in haste, for the coach leaves at noon and there is much to say.',
        '"Yours ever, Kate."',
        '"Dear Kate," said Tom, folding the paper, "always in haste."',
        '"My dear, do sit down. You have walked all the way from the village, I suppose?"',
    )
    invitation = '"My dear, do sit down. You have walked all the way from the village, I suppose?"'
    assert quoted(story) == [['"Dear Kate,"', '"always in haste."'], [invitation]]


def test_epigraph_is_not_speech():
    story = story_of('"All the world\'s a stage, and all the men and women merely players."',
                     "\u2014 T. S. Eliot-Smith", '"Wait!" \u2014 Harry grabbed her arm.')
    assert quoted(story) == [['"Wait!"']]


def test_quoted_words_after_a_speech_verb_are_speech():
    story = story_of('Mary laughed, and said "No."')
    assert quoted(story) == [['"No."']]


def test_indented_verse_is_not_speech():
    story = story_of('"Listen to this," she said.', 'It went:', '      "Roses are red"',
                     '"Lovely," he said.', separator="\n\n")
    assert [spans[0] for spans in quoted(story)] == ['"Listen to this,"', '"Lovely,"']


# --- single quotes (British) ---------------------------------------------------------------

BRITISH = [
    "'I don't know what you're on about,' said Tom. 'It's five o'clock and we've lost 'em.'",
    "'That's James' hat,' she said, 'and those are the boys' boots.'",
    "He was goin' to the shop when she called.",
    "'We were goin' to the fair,' said Bill.",
    "It was her 'one mistake' and she knew it.",
    "'Is it \"Hamlet\" you mean?' asked Ann.",
]


def test_british_style_is_detected():
    story = story_of(*BRITISH)
    assert quote_style(story.text, story.paragraphs) == "single"
    assert quote_style('"Hello," she said. "It\'s late."') == "double"


def test_apostrophes_neither_open_nor_close():
    story = story_of(*BRITISH)
    assert quoted(story) == [
        ["'I don't know what you're on about,'", "'It's five o'clock and we've lost 'em.'"],
        ["'That's James' hat,'", "'and those are the boys' boots.'"],
        ["'We were goin' to the fair,'"],
        ["'Is it \"Hamlet\" you mean?'"],
    ]


def test_tokenised_text_with_spaced_marks():
    story = story_of("\u201c Of course , we \u2019ll take over your furniture , mother , \u201d said he .")
    assert quoted(story) == [["\u201c Of course , we \u2019ll take over your furniture , mother , \u201d"]]
    british = story_of("\u2018 I \u2019ve done , \u2019 said Good .", "\u2018 It \u2019s late . \u2019",
                       "\u2018 Go on . \u2019")
    assert quoted(british)[0] == ["\u2018 I \u2019ve done , \u2019"]


def test_quote_runs_on_over_sentence_lines_until_its_closing_mark():
    story = story_of("\u201c It began in the spring .", "Then it rained .",
                     "It did not stop , \u201d said she .", "She left .", separator="\n")
    assert quoted(story) == [["\u201c It began in the spring .\nThen it rained .\nIt did not stop , \u201d"]]


def test_run_on_quote_holds_quotes_inside_it_until_its_closing_mark():
    story = story_of("\u2018 You may believe it .", "She was glad to say \u2018 good-by , \u2019 then .",
                     "We should call , mamma . \u2019", "She nodded .", separator="\n")
    whole = ("\u2018 You may believe it .\nShe was glad to say \u2018 good-by , \u2019 then .\n"
             "We should call , mamma . \u2019")
    assert quoted(story) == [[whole]]
    unclosed = story_of("\u2018 You may believe it .", "She was glad to say \u2018 good-by , \u2019 then .",
                        "She nodded .", separator="\n")
    assert quoted(unclosed) == [["\u2018 You may believe it ."], ["\u2018 good-by , \u2019"]]


def test_unclosed_epigraph_ends_at_its_attribution_line():
    story = story_of('CHAPTER I. " Since I can do no good because a woman , Reach at something near it .',
                     "-- The Maid 's Tragedy : BEAUMONT AND FLETCHER .", "Miss Brooke was plain .",
                     'A baronet who said " Exactly " to her remarks .', separator="\n")
    assert quoted(story) == [['" Exactly "']]
    speech = story_of("\u201c Poor Miss Taylor !", "-- I wish she were here again .",
                      "What a pity it is ! \u201d", separator="\n")
    assert len(quoted(speech)) == 1 and quoted(speech)[0][0].endswith("\u201d")


def test_dash_dialogue():
    lines = []
    for n in range(6):
        lines += [f"\u2014 Come up, Kinch number {n}, Buck said.", "He turned to the sea."]
        lines += [f"\u2014 Back to barracks {n}!"]
    story = story_of(*lines)
    found = quoted(story)
    assert found[0] == ["\u2014 Come up, Kinch number 0,"]
    assert found[1] == ["\u2014 Back to barracks 0!"]
    assert len(found) == 12


def test_archive_story_through_the_reader():
    text = "Chapter 1\n\n\"Go away,\" Lily said.\n\nSeverus didn't move. \"No.\"\n"
    story = story_from_text(text)
    assert quoted(story) == [['"Go away,"'], ['"No."']]


# --- properties ----------------------------------------------------------------------------

OPENING = set(ALL_MARKS) | {"\u2014", "\u2015", "-"}  # any quotation mark, or a dialogue dash
CLOSING = set(ALL_MARKS)

alphabet = st.sampled_from(list("ab cd,.!?\n") + ["\n\n", "'", '"', "\u201c", "\u201d", "\u2018",
                                                   "\u2019", "\u2014", "--", " said Tom", "don't"])


@settings(max_examples=300, deadline=None)
@given(st.lists(alphabet, min_size=1, max_size=80))
def test_spans_are_sound(pieces):
    text = "x" + "".join(pieces)
    story = story_from_text(text)
    quotes = find_quotes(story)
    paragraph_ends = {p.end for p in story.paragraphs}
    spans = sorted(span for q in quotes for span in q.spans)
    for quote in quotes:
        assert quote.spans == sorted(quote.spans)
        assert quote.id == f"Q{quotes.index(quote)}"
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        assert e1 <= s2, "spans overlap"
    paragraph_starts = sorted(p.start for p in story.paragraphs)
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        piece = text[start:end]
        if piece[0] not in OPENING:
            # dash dialogue: the speech going on after its tag (`— Look, he said, you fool!`),
            # after a dash in its paragraph, or from the start of a line of one sentence per line
            opened = max(s for s in paragraph_starts if s <= start)
            before = text[opened:start].strip()
            assert not before or before[0] in "\u2014\u2015-" or ":" in before
            continue
        if piece[0] in "\u2014\u2015-":
            # dash speech: to its tag, to a sentence end before narration, or its paragraph end
            assert end in paragraph_ends or piece.endswith(",") or piece.rstrip()[-1] in ".!?\u2026"
        else:
            # a closing mark, or where an unclosed quotation stops: its paragraph's end, or a
            # dash / sentence end right before the next opening mark, or an aside in parentheses
            assert (piece[-1] in CLOSING or end in paragraph_ends
                    or piece.rstrip()[-1] in ".!?\u2026\u2014\u2013-"
                    or text[end:].lstrip().startswith("("))


# --- thoughts in italics -------------------------------------------------------------------

def test_italic_thoughts_with_a_thought_tag(monkeypatch):
    from ficlens.stages import quotes as module

    monkeypatch.setattr(module, "ITALIC_THOUGHTS", True)
    story = story_of(
        "Not again, she thought, and closed the book.",
        '"Come here," said Tom. Harry wondered: what does he want now?',
        "It was a very old book.",
    )
    text = story.text
    def span(piece: str) -> list[int]:
        start = text.index(piece)
        return [start, start + len(piece)]
    story.metadata.extra["italics"] = [span("Not again,"), span("what does he want now?"),
                                       span("very old"), span("Come")]
    quotes = find_quotes(story)
    thoughts = [q.text for q in quotes if q.thought]
    assert thoughts == ["Not again,", "what does he want now?"]  # emphasis and speech left alone
    assert [q.text for q in quotes if not q.thought] == ["Come here,"]
    assert [q.id for q in quotes] == ["Q0", "Q1", "Q2"]
    monkeypatch.setattr(module, "ITALIC_THOUGHTS", False)
    assert not any(q.thought for q in find_quotes(story))


def test_thoughts_marked_with_asterisks_or_underscores_in_plain_text():
    story = story_from_text(
        "Summary: Thinking.\n\nTwo Idiots\n\n"
        "*Brilliant,* I think. *Two idiots and a vote.*\n\n"
        "_Not again_, she thought.\n\n"
        "He is blameless, and in spite of a moment's _etourderie_, thinks of nobody but you. "
        "She thought of *that* word.\n\n"
        "Her phone buzzed. *Are you coming?*\n\n"
        "* * *\n\n"
        '"Fine," I say.\n'
    )
    quotes = find_quotes(story)
    assert [(q.text, len(q.spans)) for q in quotes if q.thought] == [
        ("Brilliant, Two idiots and a vote.", 2), ("Not again", 1)]
    assert [q.text for q in quotes if not q.thought] == ["Fine,"]
    first = next(q for q in quotes if q.thought)
    assert story.text[first.spans[0][0]:first.spans[0][1]] == "Brilliant,"
