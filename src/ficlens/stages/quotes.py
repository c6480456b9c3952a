"""Quotation detection: every stretch of direct speech in the story's chapters.

Handles straight and curly double quotes, single-quote (British) dialogue with its
apostrophes, quotations interrupted by speech tags (one quote, several spans),
speeches running over several paragraphs, em-dash cut-offs, and keeps scare quotes
and titles out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ficlens.model import Paragraph, Quote, Story

DOUBLE_OPEN = "\u201c\u201e\u00ab"
DOUBLE_CLOSE = "\u201d\u00bb"
SINGLE_OPEN = "\u2018"
SINGLE_CLOSE = "\u2019"
ALL_MARKS = "\"'" + DOUBLE_OPEN + DOUBLE_CLOSE + SINGLE_OPEN + SINGLE_CLOSE + "\u201f\u201b"

_ELISIONS = re.compile(
    r"(?:em|tis|twas|twere|twill|cause|cos|coz|til|till|bout|round|n|un|uns|ere|ave|appen|ow|e|im|er|"
    r"ello|allo|alf|ad|ome|ang|ead|eard|self|nough|fore|gainst|mongst|neath|pon|specially|kay|sup|"
    r"\d0s|\d\ds|\d\d)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w")
_TERMINAL = re.compile(r"[.!?,;:\u2026\u2014\u2013-]\W*$")
_DASH_END = re.compile(r"(?:\u2014|\u2013|--|-)\s*$")


@dataclass
class _Segment:
    """A quoted stretch inside one paragraph (or running on from the previous one)."""

    start: int  # offset of the opening mark
    end: int  # offset after the closing mark (or after the paragraph's last character)
    closed: bool
    paragraph: int
    opened: bool = True  # False if the paragraph started inside a running quote


def quote_style(text: str) -> str:
    """'double' or 'single': the mark this text uses for dialogue."""
    doubles = text.count('"') + sum(text.count(c) for c in DOUBLE_OPEN + DOUBLE_CLOSE)
    single_opens = text.count(SINGLE_OPEN) + len(re.findall(r"(?:^|(?<=[\s(\[\u2014]))'(?=[A-Za-z])", text))
    # Apostrophes outnumber quotes in any text, so compare opening marks only.
    if doubles >= 0.4 * single_opens or doubles >= 200:
        return "double"
    return "single"


def find_quotes(story: Story) -> list[Quote]:
    """Every quotation in the story's chapters, in text order, with ids Q0, Q1, ..."""
    body = "\n".join(story.text[p.start:p.end] for p in story.paragraphs)
    style = quote_style(body)
    quotes: list[Quote] = []
    by_chapter: dict[int, list[int]] = {}
    for i, paragraph in enumerate(story.paragraphs):
        by_chapter.setdefault(paragraph.chapter, []).append(i)
    for chapter_index, paragraph_ids in by_chapter.items():
        segments = _segments(story.text, [story.paragraphs[i] for i in paragraph_ids], paragraph_ids, style)
        for group in _group(story.text, segments, story.paragraphs):
            spans = [(s.start, s.end) for s in group]
            inner = " ".join(_inner(story.text, s) for s in group)
            quotes.append(
                Quote(id="", spans=spans, text=inner, chapter=chapter_index, paragraph=group[0].paragraph)
            )
    quotes.sort(key=lambda q: q.start)
    for n, quote in enumerate(quotes):
        quote.id = f"Q{n}"
    return quotes


def _inner(text: str, segment: _Segment) -> str:
    start = segment.start + 1
    end = segment.end - 1 if segment.closed else segment.end
    return re.sub(r"\s+", " ", text[start:end]).strip()


def _segments(text: str, paragraphs: list[Paragraph], ids: list[int], style: str) -> list[_Segment]:
    segments: list[_Segment] = []
    running: _Segment | None = None  # a quote left open at the end of the previous paragraph
    for paragraph, pid in zip(paragraphs, ids):
        found, left_open = _scan_paragraph(text, paragraph, pid, style)
        if running is not None:
            first = found[0] if found else None
            if first is not None and first.start == _first_char(text, paragraph):
                # Multi-paragraph speech: the next paragraph re-opens the same quotation.
                running.end = first.end
                running.closed = first.closed
                found = found[1:]
                if first is left_open:
                    continue  # still running into the next paragraph
                segments.append(running)
            else:
                # No re-opening mark: the quotation ended with its paragraph.
                segments.append(running)
            running = None
        if left_open is not None:
            found = [s for s in found if s is not left_open]
            running = left_open
        segments.extend(found)
    if running is not None:
        segments.append(running)
    segments.sort(key=lambda s: s.start)
    return segments


def _first_char(text: str, paragraph: Paragraph) -> int:
    i = paragraph.start
    while i < paragraph.end and text[i].isspace():
        i += 1
    return i


def _scan_paragraph(text: str, paragraph: Paragraph, pid: int, style: str) -> tuple[list[_Segment], _Segment | None]:
    """Quoted segments of one paragraph, and the one left open at its end (if any)."""
    if style == "double":
        marks = _double_marks(text, paragraph)
    else:
        marks = _single_marks(text, paragraph)
    segments: list[_Segment] = []
    open_at: int | None = None
    for offset, role in marks:
        if open_at is None:
            if role in ("open", "either"):
                open_at = offset
        else:
            if role in ("close", "either"):
                segments.append(_Segment(open_at, offset + 1, True, pid))
                open_at = None
            elif role == "open":
                # Two openings in a row: the first quote was never closed (cut off or a typo).
                if _DASH_END.search(text[open_at:offset]) or _sentence_end(text[open_at:offset]):
                    segments.append(_Segment(open_at, _trim_end(text, open_at, offset), False, pid))
                    open_at = offset
    left_open = None
    if open_at is not None:
        end = _trim_end(text, open_at, paragraph.end)
        if end > open_at + 1:
            left_open = _Segment(open_at, end, False, pid)
            if _DASH_END.search(text[open_at:end]):
                # An em-dash cut-off closes the quote even without a closing mark.
                segments.append(left_open)
                left_open = None
            else:
                segments.append(left_open)
    segments = [s for s in segments if not _is_scare_quote(text, s, paragraph)]
    if left_open is not None and left_open not in segments:
        left_open = None
    return segments, left_open


def _sentence_end(fragment: str) -> bool:
    return bool(re.search(r"[.!?\u2026]\s*$", fragment.rstrip()))


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start + 1 and text[end - 1].isspace():
        end -= 1
    return end


def _double_marks(text: str, paragraph: Paragraph) -> list[tuple[int, str]]:
    marks: list[tuple[int, str]] = []
    for i in range(paragraph.start, paragraph.end):
        c = text[i]
        if c in DOUBLE_OPEN:
            marks.append((i, "open"))
        elif c in DOUBLE_CLOSE:
            marks.append((i, "close"))
        elif c == '"' or c == "\u201f":
            before = text[i - 1] if i > paragraph.start else " "
            after = text[i + 1] if i + 1 < paragraph.end else " "
            if before.isspace() or before in "([{\u2014\u2013-/" and not after.isspace():
                marks.append((i, "open" if not after.isspace() else "either"))
            elif after.isspace() or after in ".,;:!?)]}\u2014\u2013-" or i + 1 == paragraph.end:
                marks.append((i, "close"))
            else:
                marks.append((i, "either"))
    return marks


def _single_marks(text: str, paragraph: Paragraph) -> list[tuple[int, str]]:
    marks: list[tuple[int, str]] = []
    for i in range(paragraph.start, paragraph.end):
        c = text[i]
        if c not in "'\u2018\u2019\u201b":
            continue
        before = text[i - 1] if i > paragraph.start else " "
        after = text[i + 1] if i + 1 < paragraph.end else " "
        if before.isalnum() and after.isalnum():
            continue  # don't, o'clock, Mary's
        if (before.isspace() or before in "([{\u2014\u2013-\"\u201c" or i == paragraph.start) and not after.isspace():
            if c == "\u2019" and after.isalnum() and _ELISIONS.match(text, i + 1, paragraph.end):
                continue  # 'em, 'tis written with a right mark
            if c == "'" and _ELISIONS.match(text, i + 1, paragraph.end):
                # 'em / 'tis: an elision, unless a quote opens with such a word and closes later
                continue
            marks.append((i, "open"))
        elif not before.isspace() and (after.isspace() or after in ".,;:!?)]}\u2014\u2013-\"\u201d" or i + 1 == paragraph.end):
            if c == "\u2018":
                continue
            if before in "sS" and after == " " and _possessive_plural(text, i, paragraph.end):
                continue  # James' book
            if before.isdigit():
                continue  # feet: 6'
            marks.append((i, "close"))
    return marks


def _possessive_plural(text: str, i: int, end: int) -> bool:
    """True if the s' at i reads as a plural possessive (`the boys' room`) rather than a close."""
    rest = text[i + 1:min(end, i + 40)]
    match = re.match(r"\s+([a-z]+)", rest)
    if not match:
        return False
    # a closing quote is usually followed by a speech tag or punctuation, a possessive by a noun
    return match.group(1) not in _TAG_WORDS


_TAG_WORDS = {
    "he", "she", "they", "i", "we", "you", "said", "asked", "replied", "cried", "called", "says",
    "whispered", "shouted", "muttered", "answered", "added", "continued", "and", "but", "the",
    "his", "her", "it", "then", "as", "was", "came",
}


def _is_scare_quote(text: str, segment: _Segment, paragraph: Paragraph) -> bool:
    """Short quoted words inside a sentence (`her 'one mistake'`, a title) are not dialogue."""
    if not segment.closed:
        return False
    inner = text[segment.start + 1:segment.end - 1]
    words = inner.split()
    if not words or len(words) > 5:
        return not words
    if re.search(r"[.!?\u2026]", inner) or inner.rstrip().endswith((",", "\u2014", "-", ";")):
        return False
    before = text[paragraph.start:segment.start].rstrip()
    after = text[segment.end:paragraph.end].lstrip()
    if not before:
        return False  # opens the paragraph: speech
    prev_char = before[-1]
    if prev_char in ":,":
        # `He said, "yes"` is speech; `called it, "the Burrow"` is borderline: keep as speech
        return False
    # mid-sentence: preceded by a word and followed by more of the same sentence
    if prev_char.isalnum() or prev_char in "\u2014(":
        if not after or after[0].isalnum() or after[0] in ".,;:)?!\u2014-":
            return True
    return False


def _group(text: str, segments: list[_Segment], paragraphs: list[Paragraph]) -> list[list[_Segment]]:
    """Join segments of one paragraph separated by a short narration into one quote."""
    groups: list[list[_Segment]] = []
    for segment in segments:
        if groups:
            last = groups[-1][-1]
            if last.paragraph == segment.paragraph and last.closed and _is_interruption(
                text[last.end:segment.start], text[last.start:last.end]
            ):
                groups[-1].append(segment)
                continue
        groups.append([segment])
    return groups


def _is_interruption(between: str, previous: str) -> bool:
    """True if the narration between two quoted segments is a speech tag or a short action."""
    words = between.split()
    if not words:
        return False
    if any(c in between for c in "\"\u201c\u201d"):
        return False
    return len(words) <= 40


def detect_quotes(story: Story) -> Story:
    """Pipeline stage: fill `story.quotes`."""
    story.quotes = find_quotes(story)
    return story
