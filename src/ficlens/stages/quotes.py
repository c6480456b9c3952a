"""Quotation detection: every stretch of direct speech in the story's chapters.

A quotation is one utterance: one span per quoted stretch, quotation marks
included. The finder

* reads the story's dialogue style first: double quotes (straight or curly) or
  single quotes (British), where apostrophes (`don't`, `'em`, `o'clock`, `James'`,
  `goin'`) must neither open nor close a quotation;
* pairs opening and closing marks inside each paragraph, ignoring the other style's
  marks (quotes inside quotes) and cutting a quotation off at an em-dash or at a
  sentence end when a new one opens before it closed;
* lets a quotation left open at the end of a paragraph run on: into the next
  paragraph when that one re-opens with a quotation mark (a multi-paragraph speech:
  one quotation per paragraph, `SPEECH_PER_PARAGRAPH`), or across paragraph breaks
  that carry no quotation mark when a later paragraph's first mark closes it (text
  broken into one line per sentence);
* joins the stretches of one paragraph that a speech tag interrupts
  (`"Go," she said, "now."`) into one quotation with several spans, but starts a
  new quotation when the narration between them begins a new sentence after a
  finished one, ends with a colon (unless the tag is inverted: `cried Julia:`),
  holds a new sentence that reports speech again (`Then she added,`), holds more
  than one sentence after a finished speech or without a speech verb, follows a
  speech broken off with a dash when the next begins anew (`"But--" she stopped.
  "Never mind."`), or is long;
* drops scare quotes, titles and quoted words inside a sentence (`her 'one mistake'`,
  `spoke of it as "handsome."`, `to keep my "weather-eye open for..."`, `"Wuthering"
  being an adjective`), reported speech in quotation marks (`"He was afraid they should
  have a bad drive."`), words only imagined (`he would think, "..."`, `he felt like
  adding:`), letters (a salutation, a closing formula, a signature, also each on a
  paragraph of its own), captions and quotations in paragraphs indented deeper than the
  story's usual ones (verse, cards, signs), which are not speech;
* reads dash dialogue (`— Come up, Kinch!`) in texts written that way, the speech going
  on after its tag while it is not narration, and thoughts the format marks in italics
  (`ITALIC_THOUGHTS`, on by default);
* reads text set one sentence per line (tokenised corpora such as LitBank), where a line
  break is no paragraph break: a speech runs over lines without marks, a mark alone at the
  end of a line may open the next line's speech, and a dash speech goes on over the lines
  after it up to the first line of narration.

Every span starts with its opening mark and ends with its closing mark, except where
the text has none: a quotation never closed ends at the end of its paragraph (or at
the dash or sentence end before the next opening mark), so does each paragraph of a
multi-paragraph speech but its last, a dash speech starts with its dash (and what it says
after its tag starts with its first word), an italic thought is its italic text.
docs/evaluation.md has the measures.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from ficlens.model import Paragraph, Quote, Story

DOUBLE_OPEN = "\u201c\u201e\u00ab"
DOUBLE_CLOSE = "\u201d\u00bb"
SINGLE_OPEN = "\u2018\u201b"
SINGLE_CLOSE = "\u2019"
ALL_MARKS = "\"'" + DOUBLE_OPEN + DOUBLE_CLOSE + SINGLE_OPEN + SINGLE_CLOSE + "\u201f"

#: Paragraphs without any quotation mark a quotation may run through before a closing mark
#: (and at most this many characters).
RUN_ON_PARAGRAPHS = 30
RUN_ON_CHARS = 4000
#: How a speech running over several paragraphs (each re-opening with a quotation mark) is
#: returned: True (the default) gives one quotation per paragraph (PDNC's and BookNLP's
#: convention), whose spans end where each paragraph ends, without a closing mark (but the
#: last); False gives ONE quotation with one span from its first opening to its last closing
#: mark. See docs/evaluation.md for what each scores.
SPEECH_PER_PARAGRAPH = True
#: Also return thoughts the format marks in italics (AO3 HTML) when a thought tag stands beside
#: them (`*Not again,* she thought`), as quotations with `thought=True` whose spans are the
#: italic text and hold no quotation mark (the only quotes of which that is true, flagged by
#: `thought` in the JSON). Set False to keep to quotation marks alone.
ITALIC_THOUGHTS = True
#: Dash dialogue (`— Back to barracks!`) is read when at least this many paragraphs open with
#: a dash and they outnumber the paragraphs opening with a quotation mark threefold.
DASH_PARAGRAPHS = 10

# Words that an apostrophe can stand before (`'em`, `'tis`) or, in tokenised text, contraction
# tails split off as tokens (`I 've`, `it 's`).
_ELISIONS = re.compile(
    r"(?:em|tis|twas|twere|twill|twould|cause|cos|coz|til|till|bout|round|n|un|uns|ere|ave|appen|"
    r"ow|e|im|er|ello|allo|alf|ad|ome|ang|ead|eard|nough|fore|gainst|mongst|neath|pon|specially|"
    r"kay|sup|s|ve|ll|re|m|d|t|\d0s|\d\ds|\d\d)\b",
    re.IGNORECASE,
)
# Words that commonly end in an apostrophe standing for a dropped letter (`goin'`, `an'`, `o'`).
_TRAILING_ELISION = re.compile(r"(?:in|an|o|th|ol|ter|yo|fo|ma|pa|wi|nothin|somethin)$", re.IGNORECASE)

_VERBS = (
    r"said|says|say|asked|asks|ask|replied|replies|cried|cries|exclaimed|answered|added|"
    r"continued|went on|observed|remarked|returned|repeated|murmured|whispered|called|shouted|"
    r"began|resumed|rejoined|interrupted|protested|declared|thought|muttered|inquired|enquired|"
    r"responded|pursued|explained|concluded|laughed|suggested|insisted|urged|demanded|retorted|"
    r"ejaculated|broke in|put in|sighed|screamed|groaned|gasped|snapped|growled|sobbed|stammered|"
    r"yelled|hissed|breathed|smiled|grinned|mumbled|admitted|agreed|persisted|wondered|told"
)
SPEECH_VERBS = re.compile(rf"\b(?:{_VERBS})\b", re.IGNORECASE)
# Verbs that report words (not a smile or a sigh): after the end of a tag's sentence they start
# a new speech act (`"Oh," said Ann. Then she added, "..."`)
_SAYING = re.compile(
    r"\b(?:said|says|asked|replied|cried|exclaimed|answered|added|continued|went on|observed|"
    r"remarked|repeated|murmured|whispered|called|shouted|began|resumed|rejoined|interrupted|"
    r"protested|declared|muttered|inquired|enquired|responded|explained|concluded|suggested|"
    r"insisted|urged|demanded|retorted|broke in|put in|screamed|stammered|yelled|hissed|mumbled|"
    r"admitted|agreed|persisted|told|howled)\b",
    re.IGNORECASE,
)
# `cried Julia:`, `said she:`: a tag that opens with its verb
_INVERTED_TAG = re.compile(rf"(?:{_VERBS})\b", re.IGNORECASE)
_DASH_OPEN = re.compile(r"(?:\u2014|\u2015|--)(?=\s*\w)")
_COLON_DASH = re.compile(r":\s*(?P<dash>\u2014|\u2015|--)(?=\s*[A-Z])")
# `— Thanks, Stephen said.` / `, said Buck Mulligan`: the speech tag that ends a dash speech
_DASH_TAG = re.compile(
    rf",(?=\s+(?:(?:he|she|they|I|we|it)\s+|(?:[A-Z][\w\u2019'.-]*\s+){{1,3}})(?:{_VERBS})\b"
    rf"|\s+(?:{_VERBS})\s+[A-Z])"
)
_SENTENCE_BREAK = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bMme)(?<!\bMlle)(?<!\b[A-Z])[.!?;]\s+(?=[A-Z])"
)
_TERMINAL = re.compile(r"[.!?\u2026][\W_]*$")
_DASH_END = re.compile(r"(?:\u2014|\u2013|--|-)[\s\W]*$")

OPEN, CLOSE, EITHER = "open", "close", "either"


@dataclass
class _Mark:
    offset: int
    role: str
    weak: bool = False  # a letter-apostrophe close (`goin' to`): skipped if a clear close follows


@dataclass
class _Segment:
    """A quoted stretch: from its opening mark to its closing mark (or where it was cut off)."""

    start: int
    end: int
    closed: bool
    paragraph: int  # index (in story.paragraphs) of the paragraph it starts in
    last: int  # index of the paragraph it ends in
    dash: bool = False  # dash dialogue: opened by a paragraph-initial dash, no closing mark
    # a speech over several paragraphs: the opening mark of each later paragraph
    reopens: list[int] = field(default_factory=list)
    aside: bool = False  # cut off by narration in parentheses; the speech goes on after it


def quote_style(text: str, paragraphs: list[Paragraph] | None = None) -> str:
    """'double' or 'single': the quotation mark this text uses for dialogue."""
    doubles = sum(text.count(c) for c in '"' + DOUBLE_OPEN + DOUBLE_CLOSE)
    if paragraphs is None:
        paragraphs = [Paragraph(m.start(), m.end(), 0) for m in re.finditer(r"[^\n]+", text)]
    opens = 0
    for paragraph in paragraphs:
        first = _first_char(text, paragraph)
        opens += sum(1 for m in _single_marks(text, paragraph)
                     if m.role == OPEN or m.role == EITHER and m.offset == first)
    # Each double-quoted speech has two marks, each single-quoted one an opening mark.
    return "single" if 2 * opens > 1.2 * doubles and opens >= 2 else "double"


def find_quotes(story: Story) -> list[Quote]:
    """Every quotation in the story's chapters, in text order, with ids Q0, Q1, ..."""
    text = story.text
    style = quote_style(text, story.paragraphs)
    by_chapter: dict[int, list[int]] = {}
    for i, paragraph in enumerate(story.paragraphs):
        by_chapter.setdefault(paragraph.chapter, []).append(i)
    indents = [_first_char(text, p) - (text.rfind("\n", 0, p.start) + 1) for p in story.paragraphs]
    usual_indent = sorted(indents)[len(indents) // 2] if indents else 0
    dash = _uses_dash_dialogue(text, story.paragraphs)
    sentence_lines = _one_sentence_per_paragraph(text, story.paragraphs)
    quotes: list[Quote] = []
    for chapter_index, ids in by_chapter.items():
        segments = _chapter_segments(text, story.paragraphs, ids, style, sentence_lines)
        if dash:
            segments = _with_dash_dialogue(text, story.paragraphs, ids, segments, sentence_lines)
        segments = [s for n, s in enumerate(segments)
                    if _says_anything(text, s)
                    and not _is_scare_quote(text, s, story.paragraphs, segments[n - 1] if n else None)
                    and not _is_written_text(text, s)
                    and not _is_letter(text, s)
                    and not _is_letter_line(text, s, story.paragraphs)
                    and not _is_epigraph(text, s, story.paragraphs)
                    and indents[s.paragraph] < usual_indent + 3]  # indented: verse, a card, a sign
        if SPEECH_PER_PARAGRAPH and not sentence_lines:  # lines are no paragraphs there
            segments = [piece for s in segments for piece in _per_paragraph(text, s, story.paragraphs)]
        segments = [piece for s in segments for piece in _around_asides(text, s, story.paragraphs)]
        for group in _group(text, segments):
            if len(group) == 1 and _is_reported_speech(text, group[0], story.paragraphs):
                continue
            if _is_unsaid(text, group, story.paragraphs):
                continue
            spans = [(s.start, s.end) for s in group]
            inner = " ".join(_inner(text, s) for s in group)
            quotes.append(Quote(id="", spans=spans, text=inner, chapter=chapter_index,
                                paragraph=group[0].paragraph))
    italics = story.metadata.extra.get("italics") or [] if ITALIC_THOUGHTS else []
    if italics:
        quotes.extend(_italic_thoughts(story, italics, quotes))
    quotes.sort(key=lambda q: q.start)
    for n, quote in enumerate(quotes):
        quote.id = f"Q{n}"
    return quotes


def detect_quotes(story: Story) -> Story:
    """Pipeline stage: fill `story.quotes`."""
    story.quotes = find_quotes(story)
    return story


def _inner(text: str, segment: _Segment) -> str:
    if segment.dash:
        return re.sub(r"\s+", " ", text[segment.start:segment.end]).lstrip("\u2014\u2015- ").strip()
    start = segment.start + 1 if text[segment.start] in ALL_MARKS else segment.start  # after an aside
    end = segment.end - 1 if segment.closed else segment.end
    return re.sub(r"\s+", " ", text[start:end]).strip()


# --- finding the marks -------------------------------------------------------------------

def _marks(text: str, paragraph: Paragraph, style: str) -> list[_Mark]:
    return _double_marks(text, paragraph) if style == "double" else _single_marks(text, paragraph)


def _double_marks(text: str, paragraph: Paragraph) -> list[_Mark]:
    marks: list[_Mark] = []
    start, end = paragraph.start, paragraph.end
    for i in range(start, end):
        c = text[i]
        if c in DOUBLE_OPEN or c in DOUBLE_CLOSE:
            role = OPEN if c in DOUBLE_OPEN else CLOSE
            if c in "\u201c\u201d":
                # A curly mark typed the wrong way round (`"Hello,“ she said`, `”Hello`):
                # its place in the text decides.
                before = text[i - 1] if i > start else " "
                after = text[i + 1] if i + 1 < end else " "
                if role == OPEN and not before.isspace() and (after.isspace() or i + 1 == end):
                    role = CLOSE
                elif role == CLOSE and (before.isspace() or i == start) and after.isalnum():
                    role = OPEN
            marks.append(_Mark(i, role))
        elif c == '"' or c == "\u201f":
            before = text[i - 1] if i > start else " "
            after = text[i + 1] if i + 1 < end else " "
            space_before = before.isspace() or before in "([{\u2014\u2013/"
            space_after = after.isspace() or i + 1 == end
            if space_before and not space_after:
                marks.append(_Mark(i, OPEN))
            elif not space_before and (space_after or after in ".,;:!?)]}\u2014\u2013-'\u2019"):
                marks.append(_Mark(i, CLOSE))
            else:
                marks.append(_Mark(i, _spaced_role(text, i, start, end)))
    return marks


def _spaced_role(text: str, i: int, start: int, end: int) -> str:
    """The role of a mark with spaces on both sides (tokenised text: `" Hello , " he said`).

    At the start of its paragraph it opens, at the end it closes; elsewhere only the
    pairing can tell (EITHER). Anchoring the paragraph edges keeps one odd mark from
    inverting every quotation after it.
    """
    if not text[start:i].strip():
        return OPEN
    if not text[i + 1:end].strip():
        return CLOSE
    return EITHER


def _single_marks(text: str, paragraph: Paragraph) -> list[_Mark]:
    marks: list[_Mark] = []
    start, end = paragraph.start, paragraph.end
    for i in range(start, end):
        c = text[i]
        if c not in "'\u2018\u2019\u201b":
            continue
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if before.isalnum() and after.isalnum():
            continue  # don't, o'clock, Mary's
        space_before = before.isspace() or before in "([{\u2014\u2013-\"\u201c\u201d" or i == start
        space_after = after.isspace() or i + 1 == end
        if space_before and space_after:
            # Tokenised text: a mark standing alone between spaces.
            if c in SINGLE_OPEN:
                marks.append(_Mark(i, OPEN))
            elif c in SINGLE_CLOSE:
                marks.append(_Mark(i, CLOSE))
            else:
                marks.append(_Mark(i, _spaced_role(text, i, start, end)))
            continue
        if space_before:
            if after.isalnum() and _ELISIONS.match(text, i + 1, end):
                continue  # 'em, 'tis, tokenised 've / 's
            if c in SINGLE_CLOSE and not after.isalnum():
                continue
            marks.append(_Mark(i, OPEN))
            continue
        # a mark glued to the word before it: a closing mark or an apostrophe
        if c in SINGLE_OPEN:
            continue
        if before.isdigit():
            continue  # feet: 6'
        if not (space_after or after in ".,;:!?)]}\u2014\u2013-\"\u201d"):
            continue
        word = re.search(r"(\w+)$", text[max(start, i - 20):i])
        weak = False
        if before.isalpha() and word is not None:
            rest = text[i + 1:min(end, i + 40)]
            next_word = re.match(r"\s+([a-z]+)", rest)
            if next_word and next_word.group(1) not in _TAG_WORDS:
                # `James' book`, `goin' to`: more of the same sentence follows
                weak = True
            elif before in "sS" or _TRAILING_ELISION.search(word.group(1)):
                weak = next_word is not None
        marks.append(_Mark(i, CLOSE, weak=weak))
    return marks


_TAG_WORDS = {
    "he", "she", "they", "i", "we", "you", "said", "asked", "replied", "cried", "called", "says",
    "whispered", "shouted", "muttered", "answered", "added", "continued", "and", "but", "then",
    "was", "came", "remarked", "exclaimed", "returned", "observed", "thought", "interrupted",
}


# --- pairing marks into segments ---------------------------------------------------------

def _chapter_segments(text: str, paragraphs: list[Paragraph], ids: list[int], style: str,
                      sentence_lines: bool = False) -> list[_Segment]:
    """The quoted segments of one chapter's paragraphs. In text set one sentence per line
    (`sentence_lines`) a line break is no paragraph break: a mark alone at the end of a line
    may open the quotation of the next line, and a quotation left open runs on over lines
    without marks up to the next opening mark."""
    segments: list[_Segment] = []
    running: _Segment | None = None  # a quotation still open after its paragraph ended
    skipped = 0  # paragraphs passed over while running
    nested_at: int | None = None  # the first of them holding a quote inside the quote
    reopens: list[int] = []  # the re-opening marks of the speech still open
    n = 0
    while n < len(ids):
        pid = ids[n]
        n += 1
        paragraph = paragraphs[pid]
        marks = _marks(text, paragraph, style)
        if sentence_lines and _final_mark_opens(text, paragraphs, ids[n - 1:], marks, style):
            marks[-1].role = EITHER
        first = 0
        open_at: int | None = None
        opened_in = pid
        if running is not None:
            decision, first = _run_on(text, paragraph, marks, skipped)
            if decision == "reopen":
                open_at, opened_in = running.start, running.paragraph
                reopens = running.reopens + [marks[0].offset]
                running, skipped, nested_at = None, 0, None
            elif decision == "close":
                reopens = running.reopens
                open_at, opened_in = running.start, running.paragraph
                running, skipped, nested_at = None, 0, None
            elif decision in ("wait", "nested") and paragraph.end - running.end <= RUN_ON_CHARS:
                if decision == "nested" and nested_at is None:
                    nested_at = n - 1
                skipped += 1
                continue
            else:
                if decision == "reopen-after" and sentence_lines:
                    # the lines passed over are the rest of the speech's paragraph
                    last = ids[n - 2]
                    running.end = _trim_end(text, running.start, paragraphs[last].end)
                    running.last, nested_at = last, None
                segments.append(running)
                running, skipped = None, 0
                if nested_at is not None:
                    # no closing mark came: the quotes passed over were quotations of their own
                    n, nested_at = nested_at, None
                    continue
                first = 0
        carried = open_at
        found, open_at = _pair(text, marks[first:], open_at, opened_in, pid)
        if reopens and found and found[0].start == carried:
            found[0].reopens, reopens = reopens, []
        segments.extend(found)
        if open_at is not None:
            end = _trim_end(text, open_at, paragraph.end)
            segment = _Segment(open_at, end, False, opened_in, pid)
            if open_at == carried:
                segment.reopens = reopens
            reopens = []
            if _DASH_END.search(text[max(open_at + 1, end - 3):end]) and opened_in == pid:
                segments.append(segment)  # an em-dash cut-off ends the speech
            else:
                running = segment
    if running is not None:
        if sentence_lines and skipped and nested_at is None:
            # the chapter (or excerpt) ends inside the speech: its lines run to the end
            running.end = _trim_end(text, running.start, paragraphs[ids[-1]].end)
            running.last = ids[-1]
        segments.append(running)
        if nested_at is not None:
            segments.extend(_chapter_segments(text, paragraphs, ids[nested_at:], style, sentence_lines))
    return segments


def _final_mark_opens(text: str, paragraphs: list[Paragraph], ids: list[int], marks: list[_Mark],
                      style: str) -> bool:
    """True if a straight mark standing alone at the end of a line set one sentence per line
    (`she said . "` then `As you like . "` on the next line) may open the next line's
    quotation rather than close: the first mark of the lines after it sits where a quotation
    closes (after a comma or a sentence end), not where one opens. `ids` starts with the
    mark's own paragraph."""
    if not marks or marks[-1].role != CLOSE or text[marks[-1].offset] not in "\"'":
        return False
    at = marks[-1].offset
    if not text[at - 1:at].isspace() or text[at + 1:paragraphs[ids[0]].end].strip():
        return False
    for pid in ids[1:RUN_ON_PARAGRAPHS + 1]:
        later = _marks(text, paragraphs[pid], style)
        if later:
            before = text[paragraphs[pid].start:later[0].offset].rstrip()
            return bool(before) and before[-1] in ",.!?;\u2014-"
    return False


def _per_paragraph(text: str, segment: _Segment, paragraphs: list[Paragraph]) -> list[_Segment]:
    """A speech over several paragraphs cut into one segment per paragraph: each from its
    opening mark to the end of its paragraph, the last to the closing mark."""
    if not segment.reopens:
        return [segment]
    starts = [segment.start] + segment.reopens
    pieces = []
    pid = segment.paragraph
    for n, start in enumerate(starts):
        while paragraphs[pid].end < start:
            pid += 1
        if n + 1 < len(starts):
            end = _trim_end(text, start, paragraphs[pid].end)
            pieces.append(_Segment(start, end, False, pid, pid))
        else:
            pieces.append(_Segment(start, segment.end, segment.closed, pid, segment.last))
    return pieces


# `(laughing affectedly)`, `(turning to Mr. Knightley,)`, `(in a very depressed tone)`: narration
# the author set in parentheses inside a speech
_ASIDE = re.compile(
    r"\(\s*(?:(?:(?:and|then|still|again) )?[a-z]+ing\b(?<!\bnothing)(?<!\bsomething)"
    r"(?<!\banything)(?<!\beverything)|with (?:a|an|some|great|much)\b"
    r"|in (?:a|an|her|his)\b[^()]{0,40}\b(?:tone|voice|accent|whisper|manner)\b"
    r"|here\b|to (?:him|her|them)sel(?:f|ves)\b)[^()\"\u201c\u201d]{0,120}\)"
)


def _around_asides(text: str, segment: _Segment, paragraphs: list[Paragraph]) -> list[_Segment]:
    """A segment cut around the narration in parentheses inside it, into spans of one
    quotation: the part before ends where the parenthesis opens (no closing mark there)."""
    if segment.dash:
        return [segment]
    pieces = []
    start, pid = segment.start, segment.paragraph
    for aside in _ASIDE.finditer(text, segment.start + 1, segment.end):
        end = _trim_end(text, start, aside.start())
        rest = aside.end()
        while rest < segment.end and text[rest] in " \t\n,;.\u2014-":
            rest += 1
        if not text[start + 1:end].strip(ALL_MARKS + " ,;-\u2014") or rest >= segment.end - 1:
            continue  # nothing said before it, or nothing after
        pieces.append(_Segment(start, end, False, pid, pid, aside=True))
        while pid < segment.last and paragraphs[pid].end < rest:
            pid += 1
        start = rest
    if not pieces:
        return [segment]
    pieces.append(_Segment(start, segment.end, segment.closed, pid, segment.last))
    return pieces


def _run_on(text: str, paragraph: Paragraph, marks: list[_Mark], skipped: int) -> tuple[str, int]:
    """What a quotation left open does at this paragraph: reopen, close, wait, nested (holds
    only quotes inside the quote: wait, unless no closing mark comes) or end; and the index
    of the mark that re-opens or closes it."""
    if not marks:
        if _is_attribution(text, paragraph.start, paragraph.end):
            return "end", 0  # `-- Beaumont and Fletcher` under an epigraph
        return ("wait" if skipped < RUN_ON_PARAGRAPHS else "end"), 0
    mark = marks[0]
    at_start = mark.offset == _first_char(text, paragraph)
    if at_start and mark.role in (OPEN, EITHER):
        # The multi-paragraph convention: the next paragraph of the speech re-opens. After
        # paragraphs without marks that is no speech going on but an unclosed quotation.
        return ("reopen", 1) if skipped == 0 else ("reopen-after", 0)
    if mark.role == CLOSE and not mark.weak or mark.role == EITHER:
        return "close", 0
    if mark.role == OPEN and skipped < RUN_ON_PARAGRAPHS:
        # `... the " Spectator " ...` inside a speech set one sentence per line: pairs of
        # marks of clear roles, then perhaps the mark that closes the speech
        inner = None
        for k, later in enumerate(marks):
            if later.role == EITHER or later.weak:
                break
            if later.role == OPEN:
                if inner is not None:
                    break
                inner = later
            elif inner is not None:
                inner = None
            else:
                return "close", k
        else:
            if inner is None:
                return "nested", 0
    return "end", 0


def _pair(text: str, marks: list[_Mark], open_at: int | None, opened_in: int, pid: int
          ) -> tuple[list[_Segment], int | None]:
    """Pair the marks of one paragraph; returns the segments and the offset of a still-open mark."""
    segments: list[_Segment] = []
    for n, mark in enumerate(marks):
        if open_at is None:
            if mark.role in (OPEN, EITHER):
                open_at, opened_in = mark.offset, pid
            continue
        if mark.role == EITHER or mark.role == CLOSE and not mark.weak:
            segments.append(_Segment(open_at, mark.offset + 1, True, opened_in, pid))
            open_at = None
        elif mark.role == CLOSE:
            # A weak close (`goin' to`) closes only if no clear close follows before the next open.
            later = next((m for m in marks[n + 1:] if m.role != CLOSE or not m.weak), None)
            if later is None or later.role == OPEN:
                segments.append(_Segment(open_at, mark.offset + 1, True, opened_in, pid))
                open_at = None
        elif mark.role == OPEN:
            # Two openings in a row: the first quotation was cut off (or never closed).
            before = text[open_at + 1:mark.offset].rstrip()
            if before and before[-1] in ".!?\u2026\u2014\u2013-":
                segments.append(_Segment(open_at, _trim_end(text, open_at, mark.offset), False,
                                         opened_in, pid))
                open_at, opened_in = mark.offset, pid
    return segments, open_at


def _says_anything(text: str, segment: _Segment) -> bool:
    """False for a mark with nothing after it (`"` left alone at the end of a text)."""
    return segment.dash or bool(text[segment.start + 1:segment.end].strip(ALL_MARKS + " \n\t"))


def _first_char(text: str, paragraph: Paragraph) -> int:
    i = paragraph.start
    while i < paragraph.end and text[i].isspace():
        i += 1
    return i


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start + 1 and text[end - 1].isspace():
        end -= 1
    return end


# --- dash dialogue ------------------------------------------------------------------------

def _dash_start(text: str, paragraph: Paragraph) -> int | None:
    """Where a dash speech opens in this paragraph: at its start, or after a colon
    (`His mother said: -- O, Stephen will apologise.`); None if it holds none."""
    if _DASH_OPEN.match(text, paragraph.start, paragraph.end):
        return paragraph.start
    found = _COLON_DASH.search(text, paragraph.start, paragraph.end)
    return found.end() - len(found.group("dash")) if found else None


def _uses_dash_dialogue(text: str, paragraphs: list[Paragraph]) -> bool:
    dashes = quoted = 0
    for paragraph in paragraphs:
        if text[paragraph.start:paragraph.start + 1] in "\"'" + DOUBLE_OPEN + SINGLE_OPEN:
            quoted += 1
        elif _dash_start(text, paragraph) is not None:
            dashes += 1
    return dashes >= DASH_PARAGRAPHS and dashes >= 3 * quoted


# `word. Word` / tokenised `word . Word`: a sentence ending inside a paragraph (after a
# lower-case word, so that `Mr. Bennet` is none)
_INNER_SENTENCE_END = re.compile(r"\b[a-z]{2,} ?[.!?][\"\u201d\u2019']?\s+[\"\u201c\u2018']?[A-Z]")
#: Text is set one sentence per line (LitBank's tokenised excerpts) when fewer than this share
#: of its paragraphs holds a sentence end and fewer than this share of the breaks between
#: them holds a blank line. Prose has both in most of its paragraphs.
SENTENCE_LINES_SHARE = 0.05


def _one_sentence_per_paragraph(text: str, paragraphs: list[Paragraph]) -> bool:
    """True for text set one sentence per line, where a line break says nothing about where
    a paragraph, or a speech, ends."""
    if len(paragraphs) < 20:
        return False
    inside = sum(1 for p in paragraphs if _INNER_SENTENCE_END.search(text, p.start, p.end))
    blank = sum(1 for a, b in itertools.pairwise(paragraphs) if text.count("\n", a.end, b.start) > 1)
    limit = SENTENCE_LINES_SHARE * len(paragraphs)
    return inside < limit and blank < limit


def _with_dash_dialogue(text: str, paragraphs: list[Paragraph], ids: list[int],
                        segments: list[_Segment], sentence_lines: bool = False) -> list[_Segment]:
    """Add the speeches of paragraphs that open with a dash and hold no quoted segment.

    A speech runs to its speech tag, and goes on after it (`— Look at yourself, he said, you
    dreadful bard!`) while its sentences are not narration. In text set one sentence per line
    (`sentence_lines`) it also goes on over the following lines, up to the first line of
    narration, the next dash or a quotation: the lines of one paragraph of speech.
    """
    taken = {pid for s in segments for pid in range(s.paragraph, s.last + 1)}
    added: list[_Segment] = []
    k = 0
    while k < len(ids):
        pid = ids[k]
        k += 1
        paragraph = paragraphs[pid]
        start = None if pid in taken else _dash_start(text, paragraph)
        if start is None or _is_dash_heading(text, start, paragraph.end):
            continue
        tag = _DASH_TAG.search(text, start, paragraph.end)
        if tag is None:
            speech = _Segment(start, paragraph.end, True, pid, pid, dash=True)
        else:
            added.append(_Segment(start, tag.end(), True, pid, pid, dash=True))
            rest = _after_tag(text, tag.end(), paragraph.end)
            speech = _speech_sentences(text, rest, paragraph.end, pid)
            if speech is None and rest < paragraph.end:
                continue  # narration follows the tag: the speech is over
        while sentence_lines and k < len(ids):
            nxt = ids[k]
            line = paragraphs[nxt]
            if _is_tag_line(text, line.start, line.end):
                # `he said gaily .` on a line of its own: the speech goes on after it
                if speech is not None:
                    added.append(speech)
                speech = None
                k += 1
                continue
            if (nxt in taken or _dash_start(text, line) is not None
                    or not text[line.start:line.start + 1].isalnum()
                    or _is_narration(text, line.start, line.end)):
                break
            if speech is None:
                speech = _Segment(line.start, line.end, True, nxt, nxt, dash=True)
            else:
                speech = _Segment(speech.start, line.end, True, speech.paragraph, nxt, dash=True)
            k += 1
        if speech is not None:
            added.append(speech)
    return sorted(segments + added, key=lambda s: s.start)


# `— I —`, `-- 2 --`: a heading set between dashes, not a speech
_DASH_HEADING = re.compile(r"(?:\u2014|\u2015|--)\s*(?:[IVXLC]+|\d+)\.?\s*(?:\u2014|\u2015|--)")


def _is_dash_heading(text: str, start: int, end: int) -> bool:
    return bool(_DASH_HEADING.match(text, start, end))


_TAG_STOP = re.compile(r"[,.;:!?]")


def _after_tag(text: str, at: int, end: int) -> int:
    """Where the words after a dash speech's tag (`, he said gaily,`) begin."""
    stop = _TAG_STOP.search(text, at, end)
    at = stop.end() if stop else end
    while at < end and text[at].isspace():
        at += 1
    return at


def _speech_sentences(text: str, start: int, end: int, pid: int) -> _Segment | None:
    """The sentences from `start` that are still speech (up to the first one of narration),
    as a dash segment; None if there are none."""
    stop = start
    for sentence in _SENTENCE.finditer(text, start, end):
        if _is_narration(text, sentence.start(), sentence.end()):
            break
        stop = sentence.end()
    stop = _trim_end(text, start, stop) if stop > start else stop
    if not any(c.isalnum() for c in text[start:stop]):
        return None
    return _Segment(start, stop, True, pid, pid, dash=True)


_SENTENCE = re.compile(r"\S.*?(?:[.!?\u2026]+[\"'\u201d\u2019)]*(?=\s|$)|$)", re.DOTALL)
_PAST = (r"(?:[a-z]+(?<![ndl]ee)(?<!speed)(?<!need)(?<!feed)(?<!breed)(?<!bleed)(?<!shed)(?<!bed)"
         r"(?<!red)(?<!indeed)(?<!hundred)(?<!sacred)(?<!naked)(?<!wicked)ed|was|were|had|came|went|"
         r"saw|took|gave|made|got|began|ran|stood|sat|bent|brought|held|felt|knew|thought|told|left|"
         r"put|set|broke|drew|fell|found|kept|laid|led|lay|shook|spoke|struck|swept|threw|wore|"
         r"wrote|did|said|cried|heard|caught|fought|sought|bore|sang|rang|sprang|swung|hung|clung|"
         r"flung|stuck|dug|slid|hid|bit|lit|met|sent|spent|lent|built|meant|dealt|slept|crept|wept|"
         r"leapt|knelt)")
# `Solemnly he came forward`, `Ceasing , he began`, `Buck Mulligan ’s gay voice went on`: a line
# of narration (a third-person subject and a verb in the past), not more of the speech
_NARRATION = re.compile(
    rf"^(?:[A-Z][a-z]+ly\s+|(?:[A-Z]\w+ing|[A-Z]\w+ed|Then|And|But|So)\b[^.!?]{{0,60}}?,\s*)?"
    rf"(?:(?i:he|she|they|it)\b|(?i:the|a|an|his|her|their|its)\s+\w+(?:\s+\w+){{0,2}}"
    rf"|(?!(?i:the|a|an|his|her|their|its|I|we|you)\b)[A-Z][\w\u2019'-]*"
    rf"(?:\s+(?:[A-Z][\w\u2019'-]*|[\u2019']\s*s))?(?:\s+[a-z]\w*){{0,2}})"
    rf"\s+(?:[a-z]+ly\s+)?{_PAST}\b"
)
_SPEAKER_WORDS = re.compile(r"\b(?:I|me|my|we|us|our|you|your|yours|ye)\b|[!?]", re.IGNORECASE)


def _is_narration(text: str, start: int, end: int) -> bool:
    """True for a sentence that narrates (`He shaved warily over his chin .`) rather than speaks:
    it opens with a third-person subject and a verb in the past, and holds no `I`, `you`,
    question or exclamation."""
    sentence = text[start:end].strip()
    if _SPEAKER_WORDS.search(sentence):
        return False
    return bool(_NARRATION.match(sentence))


# `he said gaily .`, `Mulligan said .`: a speech tag standing on a line of its own
_TAG_LINE = re.compile(
    rf"(?:(?:he|she|they|it|I|we)|[A-Z][\w\u2019'-]*(?:\s+[A-Z][\w\u2019'-]*){{0,2}})\s+(?:{_VERBS})\b"
    rf"[^.!?]{{0,40}}[.,;:]?\s*$"
)


def _is_tag_line(text: str, start: int, end: int) -> bool:
    return len(text[start:end].split()) <= 8 and bool(_TAG_LINE.match(text, start, end))


# --- thoughts in italics -------------------------------------------------------------------

_THOUGHT_VERBS = (r"thought|thinks|think|wondered|wonders|mused|reflected|realized|realised|"
                  r"prayed|told (?:him|her|my|them)sel(?:f|ves)")
_THINKER = r"(?:he|she|I|they|we|[A-Z][\w\u2019'-]+(?:\s+[A-Z][\w\u2019'-]+)?)"
# `she thought` or `thought Harry`: the tag has its thinker (`, thinks of nobody` has none)
_THOUGHT_AFTER = re.compile(
    rf"[\s,.!?\u2026\u2014-]*(?:{_THINKER}\s+(?:{_THOUGHT_VERBS})\b"
    rf"|(?:{_THOUGHT_VERBS})\s+{_THINKER}\b)"
)
_THOUGHT_END = ",.!?\u2026\u2014-"
_THOUGHT_BEFORE = re.compile(rf"\b(?:{_THOUGHT_VERBS})\s*[,:]?\s*$")


def _italic_thoughts(story: Story, italics: list, quotes: list[Quote]) -> list[Quote]:
    """Thoughts the format marks in italics, with a thought tag beside them
    (`*Not again,* she thought` / `He wondered: *what now?*`), outside every quotation."""
    from bisect import bisect_right

    text = story.text
    starts = [p.start for p in story.paragraphs]
    taken = sorted(span for q in quotes for span in q.spans)
    taken_starts = [s for s, _ in taken]
    found: list[Quote] = []
    for start, end in _merge_adjacent(text, italics):
        i = bisect_right(starts, start) - 1
        if i < 0 or end > story.paragraphs[i].end:
            continue
        paragraph = story.paragraphs[i]
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        inner = text[start:end]
        if not any(c.isalpha() for c in inner):
            continue
        k = bisect_right(taken_starts, end) - 1
        if k >= 0 and taken[k][1] > start:
            continue  # inside or across a quotation: emphasis in speech
        # plain text keeps its marks (`*Brilliant,* I think.`): look past them
        after = text[end:paragraph.end].lstrip("*_")
        before = text[paragraph.start:start].rstrip("*_")
        last = found[-1] if found else None
        if (last is not None and last.paragraph == i and _THOUGHT_AFTER.match(
                text[last.end:start].strip("*_")) and _only_tag_between(text, last.end, start)):
            # `*Brilliant,* I think. *Two idiots and a vote.*`: the thought goes on after its tag
            last.spans.append((start, end))
            last.text += " " + " ".join(inner.split())
            continue
        # a thought ends in punctuation before its tag or after it (`*Not again*, she thought`);
        # `_she_ thought` and `I _did_ think` are emphasis
        closed = inner[-1] in _THOUGHT_END or after[:1] in _THOUGHT_END
        if not (_THOUGHT_AFTER.match(after) and closed or _THOUGHT_BEFORE.search(before) and (
                before.rstrip()[-1:] in (",", ":") or inner[-1] in ".!?\u2026")):
            continue
        found.append(Quote(id="", spans=[(start, end)], text=" ".join(inner.split()),
                           chapter=paragraph.chapter, paragraph=i, thought=True))
    return found


def _only_tag_between(text: str, end: int, start: int) -> bool:
    """True when the narration between two italic stretches is one short thought tag."""
    between = text[end:start].strip(" *_")
    return (len(between.split()) <= 6 and between[-1:] in (".", ",", ";", ":")
            and not re.search(r"[.!?].*[.!?]", between))


def _merge_adjacent(text: str, spans: list) -> list[tuple[int, int]]:
    """Italic spans sorted, with those separated only by spaces joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if merged and not text[merged[-1][1]:start].strip(" \t"):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# --- scare quotes, titles, written text -------------------------------------------------

# `a card, on which was written, "..."`, `the motto: "..."`: text written, not said
_WRITTEN_BEFORE = re.compile(
    r"\b(?:entitled|titled|inscription|inscribed|headed|labell?ed|printed|engraved|painted|"
    r"motto|placard|banner|telegram|poster|written)\b[^.!?\"\u201c\u201d]{0,25}$"
    r"|\[\s*(?:Illustration|Caption)\s*:?\s*$",  # `[Illustration: "..."]`, a picture's caption
    re.IGNORECASE,
)
_WRITTEN_AFTER = re.compile(
    r"\W{0,3}\s*(?:was|were) (?:painted|written|printed|engraved|inscribed)\b", re.IGNORECASE
)


# `"Lyrics of a song" — Some Band, Some Song`: an epigraph's attribution line
_ATTRIBUTION = re.compile(
    r"\s*(?:\u2014|\u2015|\u2013|--|~)\s*(?![^\n]*--)[A-Z][^\n!?\"\u201c\u201d\u2014]{0,60}[\w)](?: ?\.)?\s*$"
)


def _is_epigraph(text: str, segment: _Segment, paragraphs: list[Paragraph]) -> bool:
    """True for a quotation followed by nothing but an attribution (`— Shakespeare`)."""
    if segment.dash:
        return False
    paragraph = paragraphs[segment.last]
    if not segment.closed and segment.end < _trim_end(text, paragraph.start, paragraph.end):
        return False
    if text[segment.end:paragraph.end].strip():
        return _is_attribution(text, segment.end, paragraph.end)
    nxt = segment.last + 1
    if nxt < len(paragraphs) and paragraphs[nxt].chapter == paragraph.chapter:
        return _is_attribution(text, paragraphs[nxt].start, paragraphs[nxt].end)
    return False


def _is_attribution(text: str, start: int, end: int) -> bool:
    """True if text[start:end] is an attribution line (`-- T. S. Eliot`, `— The Maid's Tragedy:
    BEAUMONT AND FLETCHER.`): a dash, then names and titles, not a sentence."""
    found = _ATTRIBUTION.match(text, start, end)
    if not found:
        return False
    lower = [w for w in text[start:end].split() if w[:1].islower() and w not in _MINOR_WORDS]
    return len(lower) <= 1


def _is_written_text(text: str, segment: _Segment) -> bool:
    """True for an inscription, a title page, a telegram: quoted text introduced as written."""
    if segment.dash:
        return False
    before = text[max(0, segment.start - 60):segment.start]
    return bool(_WRITTEN_BEFORE.search(before) or _WRITTEN_AFTER.match(text, segment.end))


# `"Dear Fanny,\n...`, `"My dear Anne,--I make no apology...`: a salutation set off by a line
# break or a dash opens a letter being read out, not speech (`"My dear, do sit"` is speech)
_LETTER_OPENING = re.compile(
    r"(?:My (?:very )?)?[Dd]ear(?:est)?\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}\s*,"
    r"(?:[ \t]*\n|\s*(?:--|\u2014)\s*(?=\S))"
)
_LETTER_MIN_CHARS = 80


# `"Yours, etc."`, `"Your grateful May."`, `"I am, &c."`: a letter's closing formula, then at
# most a signature
_NAME = r"[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}"
_CLOSING = (rf"(?:(?:Yours|Ever yours)(?: [a-z]+){{0,3}}|I (?:am|remain)|Believe me)"
            rf"[,.]?(?:\s*(?:etc|&c)\.?|\s+{_NAME})?[.!]?"
            rf"|Your(?: [a-z-]+,?){{1,4}}(?:,|\s+{_NAME}[.!]?)")
# `"M.D."`, `"JOHN WILLOUGHBY."`: a signature standing alone
_SIGNATURE = r"(?:[A-Z]\.\s?){1,3}|[A-Z][A-Z'-]+(?:\s[A-Z][A-Z'-]+){0,2}\.?"
_LETTER_CLOSING = re.compile(rf"(?:{_CLOSING})|{_SIGNATURE}")
_CLOSING_AFTER_SENTENCE = re.compile(rf"[.!?]\s+(?:{_CLOSING})\s*$")


def _is_letter(text: str, segment: _Segment) -> bool:
    """True for a quoted letter: it opens with a salutation on its own line or before a dash,
    or ends with a closing formula or a signature (`Yours, etc.`, `M.D.`)."""
    if segment.dash or segment.end - segment.start < _LETTER_MIN_CHARS:
        return False
    if _LETTER_OPENING.match(text, segment.start + 1):
        return True
    end = segment.end - 1 if segment.closed else segment.end
    if segment.reopens:
        # a paragraph of its own at the end of a speech over several paragraphs
        last = text[segment.reopens[-1] + 1:end].strip(" \n,")
        if len(last.split()) <= 8 and _LETTER_CLOSING.fullmatch(last):
            return True
    return bool(_CLOSING_AFTER_SENTENCE.search(text, segment.start, end))


# A letter quoted paragraph by paragraph: `"Dear Charlotte,"`, `"Believe me,"`, `"Your anxious
# and loving cousin,"` each a paragraph of its own (a comma left hanging: no speech ends so)
_LETTER_LINE = re.compile(
    r"(?:(?:My )?(?:very )?(?:Dear|Dearest)\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}"
    r"|Yours(?: [a-z]+){0,3}|Ever yours|Believe me|Your(?: [a-z]+){1,4})\s*,"
)
# `"Charlotte."`, `"Mary M---."`: the signature under such a closing
_SIGNATURE_LINE = re.compile(r"[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}(?:-+)?\.?")


def _is_letter_line(text: str, segment: _Segment, paragraphs: list[Paragraph]) -> bool:
    """True for a paragraph that is nothing but a quoted salutation, closing formula or the
    signature under one: a letter copied into the text, not speech."""
    if segment.dash or not segment.closed or segment.paragraph != segment.last:
        return False
    paragraph = paragraphs[segment.paragraph]
    if text[paragraph.start:segment.start].strip() or text[segment.end:paragraph.end].strip():
        return False
    inner = text[segment.start + 1:segment.end - 1].strip()
    if _LETTER_LINE.fullmatch(inner):
        return True
    if segment.paragraph == 0 or not _SIGNATURE_LINE.fullmatch(inner):
        return False
    above = paragraphs[segment.paragraph - 1]
    line = text[above.start:above.end].strip().strip(ALL_MARKS).strip()
    return bool(_LETTER_LINE.fullmatch(line))


_MINOR_WORDS = {"a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "by", "with",
                "as", "from", "is", "it", "i", "have", "my"}


def _is_title(words: list[str]) -> bool:
    """`The Poet and the Peasant`, `New York Society as I Have Seen It`: a title, not a sentence."""
    content = [w for w in words if w[:1].isalpha() and w.lower() not in _MINOR_WORDS]
    return len(content) >= 2 and all(w[:1].isupper() for w in content)


def _is_scare_quote(text: str, segment: _Segment, paragraphs: list[Paragraph],
                    previous: _Segment | None = None) -> bool:
    """Quoted words inside a sentence of narration (`her 'one mistake'`, a title, a phrase
    `as the phrase goes, "followed the sea"`) are not dialogue."""
    if not segment.closed or segment.paragraph != segment.last or segment.dash:
        return False
    paragraph = paragraphs[segment.paragraph]
    inner = text[segment.start + 1:segment.end - 1].strip()
    words = inner.split()
    if not words:
        return True
    before = text[paragraph.start:segment.start].rstrip()
    after = text[segment.end:paragraph.end].lstrip()
    if not before:
        return _names_a_term(words, after)  # opens the paragraph: speech, but for a term
    last_word = re.search(r"(\w+)\W*$", before[-25:])
    if last_word and last_word.group(1).lower() != "called" and (
            SPEECH_VERBS.fullmatch(last_word.group(1)) or _SPEAKING.fullmatch(last_word.group(1))):
        return False  # `and said "No."`, `murmuring "It was not I,"`
    prev_char = before[-1]
    mid_sentence = prev_char.isalnum() or prev_char in "\u2014("
    if mid_sentence and len(words) <= 10 and _is_title(words[:-1] + [words[-1].rstrip(".,")]):
        return True
    continues = previous is not None and previous.last == segment.paragraph and (
        segment.start - previous.end < 80
        or _is_interruption(text[previous.start:previous.end], text[previous.end:segment.start]))
    named = last_word is not None and last_word.group(1).lower() == "called"  # `called "Kit"`
    if prev_char.isalnum() and words[0][:1].islower() and not continues and not named:
        # `a personal application "to purge himself of his contempt,"`: words glued into a
        # sentence of narration, whatever their length
        return True
    if len(words) > 5:
        return False
    if re.search(r"[!?\u2026]", inner) or inner.endswith(("\u2014", "-", ";", "--")):
        return False
    if words[0][:1].islower() and not continues and prev_char not in ":":
        return True  # `she " cared "`, `a woman , " young " and`: speech opens with a capital
    if prev_char in ":,":
        return False  # `He said, "Yes"`
    if not mid_sentence:
        return False
    if inner.endswith((",", ".")):
        # `spoke of it as "handsome."`, `the "Jolly Cricketers," and`
        return not after or after[0].islower() or inner.endswith(".")
    return not after or after[0].isalnum() or after[0] in ".,;:)(?!\u2014-"


# `murmuring "It was not I,"`, `shouting "Dad,"`: a speech verb in -ing right before the words
_SPEAKING = re.compile(
    r"(?:saying|shouting|murmuring|crying|whispering|muttering|exclaiming|answering|replying|"
    r"repeating|screaming|stammering|sobbing|gasping)",
    re.IGNORECASE,
)


def _names_a_term(words: list[str], after: str) -> bool:
    """True for a word or two in quotation marks that a sentence of narration goes on to
    talk about (`"Wuthering" being a provincial adjective`, `"Here" was the Museum.`)."""
    if len(words) > 3 or not words[-1][-1:].isalnum():
        return False
    following = re.match(r"[a-z]+\b", after)
    if following is None:
        return False
    word = following.group(0)
    # `"I should like " faltered the child`: a speech tag, the speech broken off
    return not (word in _TAG_WORDS or word in _PRONOUNS or word.endswith("ed")
                or SPEECH_VERBS.fullmatch(word))


_PRONOUNS = {"he", "she", "they", "i", "we", "you", "it", "him", "her", "them", "his", "its"}


# Words that speech almost always holds and reported speech shifts away: first and second
# person, contractions and elisions (`don't`, `I'm`, `'em`), any apostrophe but a possessive's
_FIRST_SECOND_PERSON = re.compile(
    r"\b(?:I|me|my|mine|myself|we|us|our|ours|ourselves|you|your|yours|yourself|thee|thou|thy|ye)\b"
    r"|(?<!\w)['\u2019]\w|['\u2019](?!s\b)",
    re.IGNORECASE,
)
_THIRD_PERSON = re.compile(r"\b(?:he|she|they|him|her|his|them|their)\b", re.IGNORECASE)
_BACKSHIFTED = re.compile(r"\b(?:was|were|had|could|would|should|might|did)\b", re.IGNORECASE)
_REPORTED_MIN_WORDS = 8


def _is_reported_speech(text: str, segment: _Segment, paragraphs: list[Paragraph]) -> bool:
    """True for reported speech set in quotation marks inside narration, with no speech tag
    (`...darker night than he had been prepared for. "He was afraid they should have a very
    bad drive."`): third person, tenses shifted back, no `I` or `you`, no contraction."""
    if segment.dash or not segment.closed or segment.paragraph != segment.last:
        return False
    inner = _inner(text, segment)
    if len(inner.split()) < _REPORTED_MIN_WORDS or _FIRST_SECOND_PERSON.search(inner):
        return False
    if not (_THIRD_PERSON.search(inner) and _BACKSHIFTED.search(inner)):
        return False
    paragraph = paragraphs[segment.paragraph]
    before = text[paragraph.start:segment.start]
    if not before.strip():
        return False  # a paragraph of its own: a line of dialogue
    after = text[segment.end:paragraph.end]
    return not _tag_in(before[-60:]) and not _tag_in(after[:50])


# `she was said to be`, `so much was said in this way`: a passive, no speech tag
_PASSIVE_SAID = re.compile(r"\b(?:was|were|is|are|be|been|being|much|had)\s+(?:\w+ly\s+)?said\b", re.IGNORECASE)


def _tag_in(narration: str) -> bool:
    """True if this narration holds a speech verb that can tag a quotation (not a passive)."""
    return bool(SPEECH_VERBS.search(_PASSIVE_SAID.sub(" ", narration)))


# `He felt like answering: "..."`, `her eyes said: "..."`, `as if to say, "..."`: words
# imagined, not spoken
_UNSAID_BEFORE = re.compile(
    r"\b(?:(?:wanted|longed|yearned|ached|meant|was about|were about|was tempted|were tempted) to "
    r"(?:say|ask|reply|answer|cry|cry out|shout|exclaim|retort|add|tell (?:him|her|them))"
    r"|on the (?:tip of (?:his|her|my) tongue|point of (?:saying|asking|replying|answering))"
    r"(?: to (?:say|ask|reply|answer|exclaim|retort))?"
    r"|on (?:his|her|my) lips(?: to (?:say|ask|reply|answer|exclaim|retort))?"
    r"|felt like (?:saying|answering|replying|shouting|retorting|crying|asking|exclaiming|adding)(?: back)?"
    r"|would have been (?:easy|hard|natural|simple|pleasant) to (?:say|answer|reply)"
    r"|(?:could|can) (?:imagine|fancy|hear) (?:\w+ ){1,3}(?:saying|adding|asking|exclaiming)"
    r"|(?:thought|fancied) (?:he|she|I|they) heard (?:\w+ )?(?:say|ask|murmur|whisper)"
    r"|(?:answer|reply|words?|silence|gesture|it) (?:really )?(?:meant|signified)(?: was)?"
    r"|(?:answer|reply) really said(?: was)?"
    r"|(?:how|what) could (?:he|she|I|they) say"
    r"|(?:would|might|could|should) have (?:said|asked|replied|answered|cried|exclaimed|liked to say)"
    r"|(?:as if|as though|as much as) to say|seemed to (?:say|ask|cry|reply|be saying)"
    r"|(?:eyes|look|looks|face|glance|smile|expression|gesture|shrug|nod) "
    r"(?:said|asked|answered|replied|signified|implied|conveyed)"
    r"|(?:would|will) (?:\w+ly )?think"
    r"|(?:did not|didn't|did n't) (?:say|ask|answer|reply))\b[^.!?\"\u201c\u201d]{0,30}$",
    re.IGNORECASE,
)
_UNSAID_AFTER = re.compile(
    r"[\s,;]*(?:(?:the )?\w+ )?(?:felt like|longed to|was tempted to|would have "
    r"liked to|could fancy|might have)\b|[\s,;]*(?:(?:his|her|their|my) )?(?:helpless |pleading )?"
    r"(?:eyes|look|glance|face) (?:said|implored|seemed|asked)\b"
    r"|[\s,;]*(?:it|they|which|she|he)\s+seemed\s+to\s+(?:say|ask|cry|plead)\b",
    re.IGNORECASE,
)


def _is_unsaid(text: str, group: list[_Segment], paragraphs: list[Paragraph]) -> bool:
    """True for words a character imagines saying or a look conveys, not speech."""
    first, last = group[0], group[-1]
    if first.dash:
        return False
    before = text[max(paragraphs[first.paragraph].start, first.start - 120):first.start]
    after = text[last.end:min(last.end + 60, paragraphs[last.last].end)]
    return bool(_UNSAID_BEFORE.search(before) or _UNSAID_AFTER.match(after))


# --- grouping segments into quotations ---------------------------------------------------

def _group(text: str, segments: list[_Segment]) -> list[list[_Segment]]:
    """Join the segments of one paragraph that a speech tag interrupts into one quotation."""
    groups: list[list[_Segment]] = []
    for segment in segments:
        if groups:
            last = groups[-1][-1]
            if last.aside:
                groups[-1].append(segment)
                continue
            if (last.last == segment.paragraph and last.closed
                    and _is_interruption(text[last.start:last.end], text[last.end:segment.start],
                                         text[segment.start:segment.end])):
                groups[-1].append(segment)
                continue
        groups.append([segment])
    return groups


#: The narration between two stretches of one quotation holds at most this many words, or
#: this many when it is one sentence opening with the speech tag (`"Nonsense," said Diana,
#: whose black eyes ..., "it's only a joke."`).
NARRATION_WORDS_LONGEST = 30
TAG_WORDS_LONGEST = 50
# `said Diana,` / `she said,` / `Mr. Bumble said,`: the narration opens with the speech tag
_OPENING_TAG = re.compile(
    rf"(?:(?:{_VERBS})\b|(?:he|she|they|I|we|[A-Z][\w.]*(?:\s+[A-Z][\w.]*){{0,2}})\s+(?:{_VERBS})\b)"
)


def _is_interruption(previous: str, between: str, following: str = "") -> bool:
    """True if the narration between two quoted stretches continues the same utterance."""
    inner = between.strip()
    if not inner.strip(" -\u2014\u2013"):
        return False  # `"Did you ever!" "What possesses him!"`: two utterances
    if any(c in inner for c in ALL_MARKS if c != "'"):
        return False
    words = inner.split()
    # a tag that opens the narration (`said Diana, whose black eyes...`) may run longer
    tagged = _OPENING_TAG.match(inner) and not _SENTENCE_BREAK.search(inner)
    longest = TAG_WORDS_LONGEST if tagged else NARRATION_WORDS_LONGEST
    if len(words) > longest or len(_SENTENCE_BREAK.findall(inner)) >= 2:
        return False
    sentences = _SENTENCE_BREAK.split(inner)
    if any(_SAYING.search(later) for later in sentences[1:]):
        return False  # `"Oh," said Ann. Then she added, "..."`: a new sentence introduces a new speech
    spoken = previous.rstrip(ALL_MARKS + " ")
    if _DASH_END.search(spoken[-3:]) and following.lstrip(ALL_MARKS + " ")[:1].isupper():
        return False  # `"But I thought--" she stopped. "Never mind."`: broken off, begun anew
    finished = bool(_TERMINAL.search(spoken[-3:] if spoken else ""))
    if len(sentences) > 1 and (finished or not _SAYING.search(inner)):
        # `"Katharine!" he exclaimed. But her head was turned away. "You've been out?"`: more
        # than a sentence of narration after a finished speech, or without a speech verb,
        # ends the utterance
        return False
    if finished:
        if inner.endswith(":"):
            # `"What!" cried Julia: "go boxed up..."` (an inverted tag) continues the speech;
            # `"Yes." He added: "..."` is a new speech act
            return len(words) <= 8 and len(sentences) == 1 and bool(_INVERTED_TAG.match(inner))
        first = inner.lstrip("(-\u2014\u2013 ")[:1]
        if first.isupper():
            # `"Yes." Mrs. Hilbery repeated. "No."` is one utterance; `"Yes." He turned. "No."` two.
            return (len(words) <= 6 and bool(SPEECH_VERBS.search(inner)) and inner[-1] in ".;"
                    and not _SENTENCE_BREAK.search(inner[:-1]))
    return True
