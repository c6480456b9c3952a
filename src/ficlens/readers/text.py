"""Plain-text stories: the fan-fiction archive layout and ordinary (Gutenberg) novels.

`Story.text` is the decoded file exactly; headers, author notes and the Gutenberg
licence stay in the text but lie outside every chapter.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ficlens.model import Chapter, Metadata, Paragraph, Scene, Story

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")

_ROMAN = r"(?=[IVXLCDMivxlcdm])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|first|second|"
    "third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final"
)
_NUMBER = rf"(?:\d+|{_ROMAN}|(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))?)"
CHAPTER_RE = re.compile(
    # `ch`/`chap` need a dot or a space after them, or `child,` would read as `ch ild`.
    rf"^\s*(?:chapter\s*|chap\.\s*|ch\.\s*|chap\s+|ch\s+)(?P<num>{_NUMBER})\b\.?\s*"
    rf"(?:[:.\-\u2013\u2014]\s*)?(?P<title>.*?)\s*$",
    re.IGNORECASE,
)
DIVISION_RE = re.compile(
    rf"^\s*(?:book|part|volume|vol\.)\s+(?P<num>{_NUMBER})\b\.?\s*(?:[:.\-\u2013\u2014]\s*)?(?P<title>.*?)\s*$",
    re.IGNORECASE,
)
PROLOGUE_RE = re.compile(r"^\s*(?P<title>prologue|epilogue|interlude)\b\s*[:.\-]?\s*(?P<rest>.{0,60})$",
                         re.IGNORECASE)
SCENE_BREAK_RE = re.compile(
    r"^\s*(?:(?:[*~#=_+\-.\u2022\u00b7\u2014\u2013]\s*)+|(?:[oO0]{3,}|o0o|oOo|OoO|0o0)\s*|"
    r"(?:[xX]{3,})\s*|(?:\*\s*)*(?:xXx|XxX)(?:[xX]*)\s*(?:\*\s*)*)$"
)
HEADER_KEY_RE = re.compile(
    r"^\s*(?P<key>summary|disclaimer|a/n|an|author'?s'?\s+notes?|author\s+notes?|note|notes|"
    r"title|author|by|rating|rated|pairings?|characters|warnings?|fandom|genre|words|status)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
NOTE_RE = re.compile(
    r"^\s*(?:(?:a/n|a\.n\.|author'?s'?\s+notes?|author\s+notes?)\s*[:\-]?|disclaimer\s*:)", re.IGNORECASE
)
GUTENBERG_START_RE = re.compile(r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.IGNORECASE | re.MULTILINE)
GUTENBERG_END_RE = re.compile(r"^\s*(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*|End of (?:the )?Project Gutenberg'?s? .*)$",
                              re.IGNORECASE | re.MULTILINE)
ARCHIVE_HINT_RE = re.compile(r"^\s*(?:summary|disclaimer|a/n|author'?s'? notes?)\s*:", re.IGNORECASE | re.MULTILINE)


@dataclass
class Line:
    start: int  # offset of the first character
    end: int  # offset after the last character, before the line break
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def split_lines(text: str) -> list[Line]:
    """Lines with their offsets; any of \\n, \\r\\n, \\r ends a line."""
    lines: list[Line] = []
    for match in _LINE_RE.finditer(text):
        raw = match.group(0)
        if not raw and match.start() == len(text):
            break
        body = raw.rstrip("\r\n")
        lines.append(Line(match.start(), match.start() + len(body), body))
    return lines


def is_scene_break(line: str) -> bool:
    """True for a line that only marks a scene break (`* * *`, `~`, `oOo`, `xXx`, ...)."""
    stripped = line.strip()
    if not stripped or len(stripped) > 40:
        return False
    return bool(SCENE_BREAK_RE.match(stripped))


def chapter_heading(line: str) -> tuple[str, str | None] | None:
    """(kind, title) if the line is a chapter heading, else None. kind is 'chapter' or 'division'."""
    stripped = line.strip()
    if not stripped or len(stripped) > 100:
        return None
    match = CHAPTER_RE.match(stripped)
    if match:
        title = match.group("title").strip() or None
        # 'Chapter one of the ...' inside prose is not a heading: require short titles
        if title and (len(title) > 80 or title[:1].islower()):
            return None
        return "chapter", title
    match = DIVISION_RE.match(stripped)
    if match:
        title = match.group("title").strip() or None
        if title and (len(title) > 80 or title[:1].islower()):
            return None
        return "division", title
    match = PROLOGUE_RE.match(stripped)
    if match and not match.group("rest").strip().endswith((".", ",", '"')):
        return "chapter", stripped
    return None


def looks_like_archive(text: str) -> bool:
    """True if the text starts with archive header lines (Summary:, Disclaimer:, A/N:)."""
    head = text[:5000]
    return bool(ARCHIVE_HINT_RE.search(head))


def read_text(text: str, path: str | None = None) -> Story:
    """A `Story` from decoded plain text, in the archive layout or as a novel."""
    archive = looks_like_archive(text)
    story = Story(text=text, format="archive-text" if archive else "novel-text", path=path)
    lines = split_lines(text)
    body_start, body_end = 0, len(lines)
    metadata = story.metadata

    if not archive:
        body_start, body_end = _strip_gutenberg(text, lines, metadata)
    else:
        body_start = _read_archive_header(lines, metadata)

    _find_chapters(story, lines, body_start, body_end)
    if not archive:
        _read_front_matter(story, lines, body_start)
    _exclude_chapter_notes(story, lines)
    _find_paragraphs_and_scenes(story, lines)
    _find_marked_italics(story)
    metadata.words = sum(len(text[p.start:p.end].split()) for p in story.paragraphs)
    return story


def _strip_gutenberg(text: str, lines: list[Line], metadata: Metadata) -> tuple[int, int]:
    start_match = GUTENBERG_START_RE.search(text)
    body_start, body_end = 0, len(lines)
    if start_match:
        header = text[: start_match.start()]
        for key, attr in (("Title", "title"), ("Author", "authors"), ("Language", "language")):
            found = re.search(rf"^{key}:\s*(.+)$", header, re.MULTILINE)
            if found:
                value = found.group(1).strip()
                if attr == "authors":
                    metadata.authors = [value]
                else:
                    setattr(metadata, attr, value)
        metadata.extra["gutenberg_header"] = [0, start_match.end()]
        body_start = _line_index_at(lines, start_match.end()) + 1
    end_match = GUTENBERG_END_RE.search(text, start_match.end() if start_match else 0)
    if end_match:
        body_end = _line_index_at(lines, end_match.start())
        metadata.extra["gutenberg_footer"] = [end_match.start(), len(text)]
    if not metadata.title:
        first = next((ln for ln in lines[:20] if not ln.blank), None)
        if first is not None:
            found = re.match(r"\s*The Project Gutenberg E-?book,? of (.+?)(?:,\s*by (.+))?\s*$", first.text,
                             re.IGNORECASE)
            if found:
                metadata.title = found.group(1).strip()
                if found.group(2) and not metadata.authors:
                    metadata.authors = [found.group(2).strip()]
    return body_start, body_end


_CREDIT_RE = re.compile(r"^\s*(?:produced|transcribed|prepared|e-?text|scanned)\b.*\bby\b",
                        re.IGNORECASE)
_BY_RE = re.compile(r"^\s*by\s*(?P<name>.*?)\s*$", re.IGNORECASE)


def _read_front_matter(story: Story, lines: list[Line], body_start: int) -> None:
    """Title and author from a novel's title page (the short lines before chapter one)."""
    metadata = story.metadata
    first_chapter = story.chapters[0].heading or (story.chapters[0].start, 0) if story.chapters else None
    if first_chapter is None:
        return
    front = [ln for ln in lines[body_start:body_start + 40]
             if ln.start < first_chapter[0] and not ln.blank and not _CREDIT_RE.match(ln.text)]
    if not front or any(len(ln.text.strip()) > 80 for ln in front[:2]):
        return
    for line in front:
        found = re.match(r"^\s*(title|author)\s*:\s*(.+?)\s*$", line.text, re.IGNORECASE)
        if found and found.group(1).lower() == "title" and not metadata.title:
            metadata.title = found.group(2)
        elif found and not metadata.authors:
            metadata.authors = [found.group(2)]
    if not metadata.title and not chapter_heading(front[0].text):
        metadata.title = front[0].text.strip()
    if metadata.authors:
        return
    for n, line in enumerate(front[1:], start=1):
        found = _BY_RE.match(line.text)
        if not found:
            continue
        name = found.group("name") or (front[n + 1].text.strip() if n + 1 < len(front) else "")
        if name and len(name) <= 60 and not chapter_heading(name):
            metadata.authors = [name]
        break


def _read_archive_header(lines: list[Line], metadata: Metadata) -> int:
    """Read the header lines; return the index of the first body line."""
    index = 0
    current: str | None = None
    values: dict[str, list[str]] = {}
    title_seen = False
    limit = min(len(lines), 200)
    while index < limit:
        line = lines[index]
        if line.blank:
            current = None
            index += 1
            continue
        if chapter_heading(line.text) or is_scene_break(line.text):
            break
        match = HEADER_KEY_RE.match(line.text)
        if match:
            key = _normal_key(match.group("key"))
            current = key
            values.setdefault(key, []).append(match.group("value").strip())
            index += 1
            continue
        if current is not None:  # a header field continued on the next line
            values[current][-1] = (values[current][-1] + " " + line.text.strip()).strip()
            index += 1
            continue
        if not title_seen and "title" not in values and _looks_like_title(lines, index):
            title_seen = True
            metadata.title = line.text.strip()
            index += 1
            continue
        byline = _byline_after(lines, index)
        if not title_seen and "title" not in values and byline is not None:
            # "The Long Way Round" / "by inkwell_fox": a title with its byline under it
            title_seen = True
            metadata.title = line.text.strip()
            values.setdefault("author", []).append(byline)
            index += 2
            continue
        break
    for key, found in values.items():
        joined = [v for v in found if v]
        if key == "summary":
            metadata.summary = " ".join(joined) or None
        elif key == "disclaimer":
            metadata.disclaimer = " ".join(joined) or None
            metadata.notes.extend(f"Disclaimer: {v}" for v in joined)
        elif key == "note":
            metadata.notes.extend(joined)
        elif key == "title" and joined:
            metadata.title = joined[0]
        elif key == "author":
            metadata.authors = [a.strip() for v in joined for a in re.split(r",|&| and ", v) if a.strip()]
        elif key == "rating" and joined:
            metadata.rating = joined[0]
        elif key == "pairing":
            metadata.relationships = [r.strip() for v in joined for r in v.split(",") if r.strip()]
        elif key == "characters":
            metadata.characters = [r.strip() for v in joined for r in v.split(",") if r.strip()]
        elif key == "fandom":
            metadata.fandoms = [r.strip() for v in joined for r in v.split(",") if r.strip()]
        elif key in ("warnings", "genre"):
            metadata.tags.extend(r.strip() for v in joined for r in v.split(",") if r.strip())
        else:
            metadata.extra[key] = " ".join(joined)
    return index


def _looks_like_title(lines: list[Line], index: int) -> bool:
    """True for a short stand-alone line that reads as a title, not a first sentence."""
    text = lines[index].text.strip()
    if len(text.split()) > 14 or not _title_shaped(text):
        return False
    return index + 1 >= len(lines) or lines[index + 1].blank


def _title_shaped(text: str) -> bool:
    """True for a line short enough for a title that neither opens a quotation nor ends a
    sentence or clause (an ellipsis may end a title)."""
    if len(text) > 100 or text[0] in "\"'\u201c\u2018":
        return False
    return not (text.endswith((".", ",", ";")) and not text.endswith("..."))


def _byline_after(lines: list[Line], index: int) -> str | None:
    """The author named on the line under a title-like line (`by inkwell_fox`), when that
    byline stands alone before a blank line; else None."""
    if index + 1 >= len(lines) or lines[index + 1].blank:
        return None
    found = re.match(r"^\s*by(?:\s*:\s*|\s+)(?P<name>\S.{0,59}?)\s*$", lines[index + 1].text, re.IGNORECASE)
    if (not found or not _title_shaped(lines[index].text.strip())
            or (index + 2 < len(lines) and not lines[index + 2].blank)):
        return None
    name = found.group("name")
    if len(name.split()) > 5 or name.endswith((".", ",", ";", "!", "?")):
        return None  # "By noon she had gone.": a sentence, not a name
    return name


def _normal_key(key: str) -> str:
    key = key.lower()
    if key in ("a/n", "an", "note", "notes") or "author" in key and "note" in key:
        return "note"
    if key in ("author", "by"):
        return "author"
    if key in ("rating", "rated"):
        return "rating"
    if key.startswith("pairing"):
        return "pairing"
    if key.startswith("warning"):
        return "warnings"
    return key


def _line_index_at(lines: list[Line], offset: int) -> int:
    lo, hi = 0, len(lines) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if lines[mid].start <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


_BARE_CHAPTER_RE = re.compile(r"^\s*chapter\s*$", re.IGNORECASE)
_NUMERAL_LINE_RE = re.compile(r"^\s*(?P<num>[IVXLC]{1,7}|\d{1,3})\.?\s*$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _numeral_value(token: str) -> int | None:
    """The value of an arabic or (upper-case) roman numeral, or None."""
    if token.isdigit():
        return int(token)
    total = 0
    for n, char in enumerate(token):
        value = _ROMAN_VALUES.get(char)
        if value is None:
            return None
        following = _ROMAN_VALUES.get(token[n + 1]) if n + 1 < len(token) else None
        total += -value if following is not None and following > value else value
    return total


def _numbered_sequence(values: list[int]) -> bool:
    """True if bare numerals read as chapter numbers: mostly n, n+1, ... (restarts at 1 allowed)."""
    if len(values) < 3:
        return False
    steps = sum(1 for a, b in itertools.pairwise(values) if b == a + 1 or b == 1)
    return values[0] in (0, 1) and steps >= 0.8 * (len(values) - 1)


def _next_nonblank(lines: list[Line], i: int, stop: int, max_gap: int = 2) -> int | None:
    j = i + 1
    while j < stop and j - i <= max_gap + 1:
        if not lines[j].blank:
            return j
        j += 1
    return None


def _find_chapters(story: Story, lines: list[Line], body_start: int, body_end: int) -> None:
    # Each heading: (first line, last line, kind, title); the body starts after the last line.
    headings: list[tuple[int, int, str, str | None]] = []
    numerals: list[tuple[int, int, str, str | None]] = []
    numeral_values: list[int] = []
    skip_until = -1
    for i in range(body_start, body_end):
        line = lines[i]
        if line.blank or i <= skip_until:
            continue
        prev_blank = i == body_start or lines[i - 1].blank
        next_blank = i + 1 >= body_end or lines[i + 1].blank
        found = chapter_heading(line.text)
        if found is not None:
            prev_ok = prev_blank or chapter_heading(lines[i - 1].text)
            if prev_ok or next_blank:
                headings.append((i, i, found[0], found[1]))
            continue
        if _BARE_CHAPTER_RE.match(line.text) and prev_blank:
            # `CHAPTER` on one line, its number on the next
            j = _next_nonblank(lines, i, body_end)
            if j is not None and _NUMERAL_LINE_RE.match(lines[j].text):
                headings.append((i, j, "chapter", None))
                skip_until = j
            continue
        numeral = _NUMERAL_LINE_RE.match(line.text)
        if numeral and prev_blank and next_blank:
            value = _numeral_value(numeral.group("num"))
            if value is not None:
                numerals.append((i, i, "chapter", None))
                numeral_values.append(value)
    chapter_heads = [h for h in headings if h[2] == "chapter"]
    if not chapter_heads and _numbered_sequence(numeral_values):
        chapter_heads = numerals
    if not chapter_heads:
        chapter_heads = [h for h in headings if h[2] == "division"]
    if body_end <= body_start:
        return
    text_end = lines[body_end - 1].end if body_end - 1 < len(lines) else len(story.text)
    if not chapter_heads:
        first = next((i for i in range(body_start, body_end) if not lines[i].blank), None)
        if first is None:
            return
        story.chapters.append(Chapter(index=1, start=lines[first].start, end=text_end))
        return
    division_lines = {h[0] for h in headings if h[2] == "division"}
    for n, (i, last, _kind, title) in enumerate(chapter_heads):
        start_line = last + 1
        heading_end = lines[last].end
        if title is None:
            found_title = _title_line(lines, start_line, body_end)
            if found_title is not None:
                title = lines[found_title].text.strip()
                heading_end = lines[found_title].end
                start_line = found_title + 1
        stop = chapter_heads[n + 1][0] if n + 1 < len(chapter_heads) else body_end
        # A division heading (BOOK II) right before the next chapter is not chapter text.
        end_line = stop
        while end_line - 1 > start_line and (lines[end_line - 1].blank or end_line - 1 in division_lines):
            end_line -= 1
        first = start_line
        while first < end_line and lines[first].blank:
            first += 1
        start = lines[first].start if first < end_line else heading_end
        end = lines[end_line - 1].end if end_line - 1 >= first else start
        story.chapters.append(
            Chapter(index=n + 1, start=start, end=max(start, end), title=title,
                    heading=(lines[i].start, heading_end))
        )
    # A heading with no text under it before the next heading is a table-of-contents entry.
    story.chapters = [c for c in story.chapters if c.end > c.start]
    for n, chapter in enumerate(story.chapters):
        chapter.index = n + 1
    # Text before the first heading that is not a title: keep it as a chapter 0 prologue only
    # when it is long (untitled opening chapters in fan fiction).
    first_head = chapter_heads[0][0]
    pre = [ln for ln in lines[body_start:first_head] if not ln.blank]
    if len(" ".join(ln.text for ln in pre).split()) > 150:
        chapter = Chapter(index=0, start=pre[0].start, end=pre[-1].end, title=None)
        story.chapters.insert(0, chapter)
        for n, ch in enumerate(story.chapters):
            ch.index = n + 1


def _title_line(lines: list[Line], i: int, stop: int) -> int | None:
    """The index of a chapter title set on the line right under a bare heading, or None.

    A title is short, directly under the heading, followed by a blank line, and does not
    read as a sentence (no closing punctuation, no opening quotation mark).
    """
    if i >= stop or lines[i].blank or i + 1 >= stop or not lines[i + 1].blank:
        return None
    text = lines[i].text.strip()
    if len(text) > 80 or text[-1] in ".!?\"'\u201d\u2019:;," or text[0] in "\"'\u201c\u2018-(":
        return None
    if is_scene_break(text) or chapter_heading(text):
        return None
    return i


def _exclude_chapter_notes(story: Story, lines: list[Line]) -> None:
    """Author notes at the start or end of a chapter are metadata, not story."""
    for chapter in story.chapters:
        first = _line_index_at(lines, chapter.start)
        last = _line_index_at(lines, max(chapter.start, chapter.end - 1))
        # leading notes
        i = first
        while i <= last and (NOTE_RE.match(lines[i].text) and not lines[i].blank):
            j = i
            while j + 1 <= last and not lines[j + 1].blank:
                j += 1
            note = " ".join(ln.text.strip() for ln in lines[i:j + 1])
            chapter.notes.append(note)
            story.metadata.notes.append(note)
            i = j + 1
            while i <= last and lines[i].blank:
                i += 1
        if i > first and i <= last:
            chapter.start = lines[i].start
        # trailing notes: a paragraph starting with A/N in the chapter's last blocks
        k = last
        while k >= i:
            block_end = k
            while k >= i and lines[k].blank:
                k -= 1
            block_end = k
            while k - 1 >= i and not lines[k - 1].blank:
                k -= 1
            if k >= i and NOTE_RE.match(lines[k].text) and k > i:
                note = " ".join(ln.text.strip() for ln in lines[k:block_end + 1])
                chapter.notes.append(note)
                story.metadata.notes.append(note)
                prev = k - 1
                while prev >= i and lines[prev].blank:
                    prev -= 1
                chapter.end = lines[prev].end if prev >= i else chapter.start
                k = prev
                continue
            break


# `*Brilliant,*` / `_Brilliant,_`: italics as plain text marks them, inside one paragraph
_MARKED_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![\w*])"
                            r"|(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=\S)_(?![\w_])")


def _find_marked_italics(story: Story) -> None:
    """Record the text between `*...*` or `_..._` marks as italics (`metadata.extra["italics"]`,
    offsets of the text inside the marks), as the HTML readers record `<em>`, so that thoughts
    a plain-text story sets in italics are found like those of an AO3 download."""
    spans = []
    for paragraph in story.paragraphs:
        chunk = story.text[paragraph.start:paragraph.end]
        for found in _MARKED_ITALIC.finditer(chunk):
            group = 1 if found.group(1) is not None else 2
            spans.append([paragraph.start + found.start(group), paragraph.start + found.end(group)])
    if spans:
        story.metadata.extra["italics"] = spans


def _find_paragraphs_and_scenes(story: Story, lines: list[Line]) -> None:
    for chapter in story.chapters:
        if chapter.end <= chapter.start:
            continue
        first = _line_index_at(lines, chapter.start)
        last = _line_index_at(lines, chapter.end - 1)
        chapter_lines = lines[first:last + 1]
        blocks: list[list[Line]] = []
        current: list[Line] = []
        breaks: list[int] = []  # index into blocks before which a scene break stands
        for line in chapter_lines:
            if line.blank:
                if current:
                    blocks.append(current)
                    current = []
                continue
            if is_scene_break(line.text):
                if current:
                    blocks.append(current)
                    current = []
                breaks.append(len(blocks))
                continue
            current.append(line)
        if current:
            blocks.append(current)
        # One paragraph per line when lines are long and unwrapped (no blank separators).
        multi = [b for b in blocks if len(b) > 1]
        if multi:
            long_lines = sum(1 for b in multi for ln in b if len(ln.text) > 100)
            all_lines = sum(len(b) for b in multi)
            unwrapped = long_lines / all_lines > 0.4
        else:
            unwrapped = False
        scene_start = chapter.start
        break_set = set(breaks)
        for b, block in enumerate(blocks):
            if b in break_set and b > 0:
                prev_end = story.paragraphs[-1].end if story.paragraphs else scene_start
                story.scenes.append(Scene(start=scene_start, end=prev_end, chapter=chapter.index))
                scene_start = block[0].start
            pieces = [[ln] for ln in block] if unwrapped else [block]
            for piece in pieces:
                start = piece[0].start + (len(piece[0].text) - len(piece[0].text.lstrip()))
                end = piece[-1].end - (len(piece[-1].text) - len(piece[-1].text.rstrip()))
                if end > start:
                    story.paragraphs.append(Paragraph(start=start, end=end, chapter=chapter.index))
        end = story.paragraphs[-1].end if story.paragraphs and story.paragraphs[-1].chapter == chapter.index else chapter.end
        if end > scene_start:
            story.scenes.append(Scene(start=scene_start, end=end, chapter=chapter.index))
