"""AO3 "Download → HTML" pages (and the HTML inside AO3 EPUBs), and AO3 work pages saved
from the browser (`read_work_page`).

The layout follows the archive's download templates: a `#preface` with the work's
tags in a `<dl class="tags">` (Rating, Archive Warning, Category, Fandom,
Relationship, Character, Additional Tags, Language, Series, Stats), the title in
`h1`, the byline, the summary and notes as `<p>Summary</p><blockquote>`; a
`#chapters` block with one `div.meta.group` (`h2.heading`, chapter summary and
notes) and one `div.userstuff` of story per chapter (a one-chapter work has no
chapter heading); an `#afterword` with the end notes.

`Story.text` is the chapter text only: paragraphs separated by blank lines, no
notes and no headings. Notes and tags go to `Story.metadata` / `Chapter.notes`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ficlens.errors import FormatError
from ficlens.model import Chapter, Metadata, Paragraph, Scene, Story
from ficlens.readers.text import CHAPTER_RE, chapter_heading, is_scene_break

#: Labels AO3 puts in a `<p>` right before a notes `<blockquote>`.
NOTE_LABELS = {
    "summary": "summary",
    "notes": "notes",
    "end notes": "end notes",
    "chapter summary": "summary",
    "chapter notes": "notes",
    "chapter end notes": "end notes",
}
_BLOCK_TAGS = {
    "p", "div", "blockquote", "section", "article", "center", "ul", "ol", "li", "dl", "dt",
    "dd", "table", "tbody", "thead", "tr", "td", "th", "pre", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "figure", "figcaption", "aside", "header", "footer", "main", "details",
    "address", "body", "html",
}
_SKIP_TAGS = {"script", "style", "head", "title", "noscript", "template", "svg", "img", "nav"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_ITALIC_TAGS = {"em", "i"}
_WS_RE = re.compile(r"[ \t\n\r\f\v]+")
_AO3_BOILERPLATE_RE = re.compile(
    r"^(?:See the end of the (?:chapter|work) for (?:more )?notes|Chapter by \S.{0,200})$"
)
# Stands for a `<br>` while whitespace is collapsed.
_BR = "\u2028"


@dataclass
class Block:
    """One paragraph of story (text with italic spans relative to it), or a scene break."""

    text: str = ""
    italics: list[tuple[int, int]] = field(default_factory=list)
    scene_break: bool = False


@dataclass
class ChapterParts:
    """What a chapter is made of before offsets exist."""

    title: str | None = None
    notes: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


def read_ao3_html(text: str, path: str | None = None) -> Story:
    """A `Story` from an AO3 HTML download (or any HTML story page).

    Raises `FormatError` when the page holds no chapter text at all; a truncated or
    malformed page is read as far as it goes and a warning is added to the story.
    """
    soup = BeautifulSoup(text, "lxml")
    if isinstance(soup.find(id="workskin"), Tag):
        return read_work_page(soup, text, path)
    metadata = read_preface(soup)
    afterword = soup.find(id="afterword")
    if isinstance(afterword, Tag):
        metadata.notes.extend(labelled_notes(afterword, wanted=("end notes", "notes")))
    region = soup.find(id="chapters")
    if not isinstance(region, Tag):
        region = _story_region(soup)
    collector = ChapterCollector(ao3_classes=soup.find(class_="userstuff") is not None)
    collector.walk(region)
    return _html_story(collector.finish(), metadata, text, soup, path, "the HTML")


def read_work_page(soup: BeautifulSoup, text: str, path: str | None) -> Story:
    """A `Story` from an AO3 work page saved from the browser (not the download).

    The page wraps the work in `#workskin`: a preface (`h2.title`, `h3.byline`, summary and
    notes modules), `#chapters` with one `div.chapter` per chapter (its `h3.title`, notes
    modules and `div.userstuff`; a one-chapter work has the `userstuff` alone) and an
    afterword; the tags are in the `dl.work.meta` above it. Site navigation, kudos and
    comments are not story.
    """
    skin = soup.find(id="workskin")
    assert isinstance(skin, Tag)
    metadata = Metadata()
    tags = soup.find("dl", class_="meta")
    if isinstance(tags, Tag):
        _read_tags(tags, metadata)
    preface = skin.find("div", class_="preface")
    if isinstance(preface, Tag):
        title = preface.find(class_="title")
        if isinstance(title, Tag) and _text(title):
            metadata.title = _text(title)
        byline = preface.find(class_="byline")
        if isinstance(byline, Tag):
            metadata.authors = _authors(byline)
        summary = _module_notes(preface, "summary")
        metadata.summary = summary[0] if summary else None
        metadata.notes.extend(_module_notes(preface, "notes"))
    for afterword in skin.find_all("div", class_="afterword"):
        metadata.notes.extend(_module_notes(afterword, "end"))
    region = skin.find(id="chapters")
    if not isinstance(region, Tag):
        raise FormatError("no chapter text found in the AO3 work page", path)
    chapter_divs = [div for div in region.find_all("div", class_="chapter", recursive=False)
                    if str(div.get("id", "")).startswith("chapter-")]
    parts = [_work_page_chapter(div) for div in chapter_divs] or [
        ChapterParts(blocks=_userstuff_blocks(region))]
    parts = [p for p in parts if p.blocks]
    if not parts and not chapter_divs and region.find(class_="userstuff") is None:
        # a truncated or hand-edited page that lost its `userstuff`: read what is there
        collector = ChapterCollector(ao3_classes=False)
        collector.walk(region)
        parts = collector.finish()
    return _html_story(parts, metadata, text, soup, path, "the AO3 work page")


def _html_story(parts: list[ChapterParts], metadata: Metadata, text: str, soup: BeautifulSoup,
                path: str | None, where: str) -> Story:
    """The story built from an HTML page's chapters, with the page's truncation warnings;
    `FormatError` when it holds no chapter text (`where`: how the message names the page)."""
    story = build_story(parts, metadata, path, "ao3-html")
    if not story.paragraphs:
        raise FormatError(f"no chapter text found in {where}", path)
    story.warnings.extend(truncation_warnings(text, soup))
    return story


def _work_page_chapter(div: Tag) -> ChapterParts:
    part = ChapterParts()
    heading = div.find(class_="title")
    if isinstance(heading, Tag):
        part.title = chapter_title(_text(heading))
    for preface in div.find_all("div", class_="preface"):
        for note in _module_notes(preface, "summary"):
            part.notes.append("Summary: " + note)
        for note in _module_notes(preface, "notes"):
            part.notes.append(note)
        for note in _module_notes(preface, "end"):
            part.notes.append("End notes: " + note)
    part.blocks = _userstuff_blocks(div)
    return part


def _module_notes(scope: Tag, kind: str) -> list[str]:
    """The texts of a work page's `summary`, `notes` (not end notes) or `end` notes modules."""
    found = []
    for module in scope.find_all("div", class_="module"):
        classes = module.get("class") or []
        if kind not in classes or (kind == "notes" and "end" in classes):
            continue
        quote = module.find("blockquote")
        note = block_text(quote) if isinstance(quote, Tag) else ""
        if note:
            found.append(note)
    return found


def _userstuff_blocks(scope: Tag) -> list[Block]:
    collector = ChapterCollector(ao3_classes=True)
    for userstuff in scope.find_all("div", class_="userstuff"):
        if userstuff.find_parent("blockquote") or userstuff.find_parent(class_="preface"):
            continue
        for landmark in userstuff.find_all(class_="landmark"):
            landmark.decompose()  # "Chapter Text", "Work Text:": the page's, not the author's
        collector.walk(userstuff)
    return [b for part in collector.finish() for b in part.blocks]


def truncation_warnings(text: str, soup: BeautifulSoup) -> list[str]:
    """Warnings for a page that stops early (no closing tags, no AO3 afterword)."""
    tail = text[-4096:].lower()
    warnings = []
    if "<html" in text[:4096].lower() and "</html>" not in tail:
        warnings.append("HTML looks truncated: no closing </html> tag; read what could be parsed")
    elif soup.find(id="preface") is not None and soup.find(id="afterword") is None:
        warnings.append("HTML looks truncated: the AO3 afterword is missing; "
                        "the last chapter may be incomplete")
    return warnings


# --------------------------------------------------------------------------- preface


def read_preface(soup: BeautifulSoup | Tag) -> Metadata:
    """The work's metadata from an AO3 preface (tags, title, byline, summary, notes)."""
    metadata = Metadata()
    preface = soup.find(id="preface")
    if not isinstance(preface, Tag):
        preface = _preface_by_content(soup)
    scope: Tag | BeautifulSoup = preface if isinstance(preface, Tag) else soup
    dl = scope.find("dl", class_="tags") or scope.find("dl")
    if isinstance(dl, Tag):
        _read_tags(dl, metadata)
    heading = scope.find("h1")
    if isinstance(heading, Tag) and _text(heading):
        metadata.title = _text(heading)
    else:
        message = scope.find("p", class_="message")
        bold = message.find("b") if isinstance(message, Tag) else None
        if isinstance(bold, Tag) and _text(bold):
            metadata.title = _text(bold)
    byline = scope.find(class_="byline")
    if isinstance(byline, Tag):
        metadata.authors = _authors(byline)
    title_tag = soup.find("title")
    if (not metadata.title or not metadata.authors) and isinstance(title_tag, Tag):
        # AO3 page titles read "Title - Author - Fandom"
        pieces = [p.strip() for p in _text(title_tag).split(" - ")]
        if pieces and pieces[0] and not metadata.title:
            metadata.title = pieces[0]
        if len(pieces) >= 3 and not metadata.authors and preface is not None:
            metadata.authors = [pieces[1]]
    if isinstance(preface, Tag):
        for label, note in _labelled_pairs(preface):
            if label == "summary" and metadata.summary is None:
                metadata.summary = note
            elif label in ("notes", "end notes"):
                metadata.notes.append(note)
    return metadata


def _preface_by_content(soup: BeautifulSoup | Tag) -> Tag | None:
    """The element holding AO3 tags when ids were lost (EPUB conversions)."""
    for dt in soup.find_all("dt"):
        if _label(_text(dt)) in ("rating", "archive warning", "fandom", "stats"):
            node = dt.find_parent("dl")
            while node is not None and node.parent is not None and node.parent.name not in (
                "body", "[document]", "html"
            ):
                node = node.parent
            return node
    return None


def _label(text: str) -> str:
    return text.strip().rstrip(":").strip().lower()


def _read_tags(dl: Tag, metadata: Metadata) -> None:
    for dt in dl.find_all("dt"):
        if dt.find_parent("dl") is not dl:
            continue  # the work page nests the stats in a `dl` of their own, read as a whole
        dd = dt.find_next_sibling("dd")
        if not isinstance(dd, Tag):
            continue
        label = _label(_text(dt))
        links = [_text(a) for a in dd.find_all("a") if _text(a)]
        values = links or [v.strip() for v in _text(dd).split(",") if v.strip()]
        if label == "rating":
            metadata.rating = ", ".join(values) or None
        elif label.startswith("archive warning"):
            metadata.warnings = values
        elif label in ("category", "categories"):
            metadata.categories = values
        elif label.startswith("fandom"):
            metadata.fandoms = values
        elif label.startswith("relationship"):
            metadata.relationships = values
        elif label.startswith("character"):
            metadata.characters = values
        elif label in ("additional tags", "additional tag", "freeform"):
            metadata.tags = values
        elif label == "language":
            metadata.language = _text(dd) or None
        elif label == "series":
            metadata.series = [s.strip() for s in re.split(r",\s*(?=Part\b)", _text(dd)) if s.strip()]
        elif label == "stats":
            _read_stats(_text(dd), metadata)
        elif label:
            metadata.extra[label.replace(" ", "_")] = values


def _read_stats(stats: str, metadata: Metadata) -> None:
    found = re.search(r"Published:\s*(\S+)", stats)
    if found:
        metadata.published = found.group(1)
    found = re.search(r"(Updated|Completed):\s*(\S+)", stats)
    if found:
        metadata.updated = found.group(2)
        metadata.extra["completed"] = found.group(1) == "Completed"
    found = re.search(r"Words:\s*([\d,.\u00a0 ]*\d)", stats)
    if found:
        metadata.words = int(re.sub(r"\D", "", found.group(1)))
    found = re.search(r"Chapters:\s*(\d+)\s*/\s*(\d+|\?)", stats)
    if found:
        metadata.extra["chapters"] = f"{found.group(1)}/{found.group(2)}"
        if found.group(2) == "?":
            metadata.extra.setdefault("completed", False)


def _authors(byline: Tag) -> list[str]:
    links = [_text(a) for a in byline.find_all("a") if _text(a)]
    if links:
        return links
    text = re.sub(r"^\s*by\s+", "", _text(byline), flags=re.IGNORECASE)
    return [a.strip() for a in re.split(r",|\band\b", text) if a.strip()]


def _labelled_pairs(scope: Tag) -> Iterable[tuple[str, str]]:
    """(label, text) for each `<p>Label</p><blockquote>...</blockquote>` pair in scope."""
    for p in scope.find_all("p"):
        label = NOTE_LABELS.get(_label(_text(p)))
        if label is None:
            continue
        quote = p.find_next_sibling()
        if isinstance(quote, Tag) and quote.name == "blockquote":
            note = block_text(quote)
            if note:
                yield label, note


def labelled_notes(scope: Tag, wanted: tuple[str, ...]) -> list[str]:
    return [note for label, note in _labelled_pairs(scope) if label in wanted]


def _story_region(soup: BeautifulSoup) -> Tag | BeautifulSoup:
    """Where the story is when there is no `#chapters`: the body minus preface and afterword."""
    body = soup.find("body")
    region: Tag | BeautifulSoup = body if isinstance(body, Tag) else soup
    for name in ("preface", "afterword"):
        node = region.find(id=name)
        if isinstance(node, Tag):
            node.decompose()
    preface = _preface_by_content(region)
    if isinstance(preface, Tag) and preface is not region:
        preface.decompose()
    return region


# --------------------------------------------------------------------------- chapters


class ChapterCollector:
    """Walks HTML in document order and sorts it into chapters, notes and story blocks.

    With AO3's classes present (`ao3_classes`), a chapter starts at an `h2.heading`;
    without them (an EPUB whose classes were rewritten, a generic page) a heading
    that comes before any story text of the current document starts one.
    """

    def __init__(self, ao3_classes: bool = True) -> None:
        self.ao3_classes = ao3_classes
        self.chapters: list[ChapterParts] = []
        self.text_in_document = False

    def new_document(self, continues: bool = False) -> None:
        """Mark the start of a new file (EPUB spine item); `continues` keeps the chapter open."""
        self.text_in_document = False
        if not continues and self.chapters and self.chapters[-1].blocks:
            self.chapters.append(ChapterParts())

    def finish(self) -> list[ChapterParts]:
        """The chapters that hold story text."""
        return [c for c in self.chapters if any(not b.scene_break for b in c.blocks)]

    def _current(self) -> ChapterParts:
        if not self.chapters:
            self.chapters.append(ChapterParts())
        return self.chapters[-1]

    def _start_chapter(self, heading: Tag) -> None:
        title = chapter_title(_text(heading))
        current = self.chapters[-1] if self.chapters else None
        if current is not None and not current.blocks and current.title is None:
            current.title = title  # notes or nothing came first: keep them with this heading
        else:
            self.chapters.append(ChapterParts(title=title))

    def _is_anchor(self, tag: Tag) -> bool:
        classes = tag.get("class") or []
        if "toc-heading" in classes:
            return False
        if "heading" in classes:
            return tag.name == "h2"  # the download template's chapter heading
        if self.ao3_classes or tag.name not in ("h1", "h2", "h3"):
            return False
        return not self.text_in_document or chapter_heading(_text(tag)) is not None

    def walk(self, node: Tag | BeautifulSoup) -> None:
        """Sort the children of `node` into the chapters."""
        pending_label: str | None = None
        inline: list[NavigableString | Tag] = []
        for child in list(node.children):
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                inline.append(child)
                continue
            if not isinstance(child, Tag) or child.name in _SKIP_TAGS:
                continue
            if child.name not in _BLOCK_TAGS and child.name != "br":
                inline.append(child)
                continue
            if child.name == "br" and inline:
                inline.append(child)
                continue
            self._add_inline(inline)
            inline = []
            classes = child.get("class") or []
            if child.name in _HEADINGS and self._is_anchor(child):
                self._start_chapter(child)
                continue
            if child.name in _HEADINGS and "toc-heading" in classes:
                continue
            if "endnote-link" in classes or ("byline" in classes and child.name == "p"):
                continue
            if child.name in ("p", "div") and _AO3_BOILERPLATE_RE.match(_text(child)):
                continue  # AO3's own links and bylines, when the classes were lost
            if child.name == "p":
                label = NOTE_LABELS.get(_label(_text(child)))
                following = child.find_next_sibling() if label else None
                if label and isinstance(following, Tag) and following.name == "blockquote":
                    pending_label = label
                    continue
            if child.name == "blockquote" and pending_label is not None:
                note = block_text(child)
                if note:
                    prefix = {"summary": "Summary: ", "end notes": "End notes: "}.get(pending_label, "")
                    self._current().notes.append(prefix + note)
                pending_label = None
                continue
            pending_label = None
            if child.name == "hr":
                self._current().blocks.append(Block(scene_break=True))
                continue
            if _is_container(child):
                self.walk(child)
            else:
                self._add_blocks(paragraph_blocks([child]))
        self._add_inline(inline)

    def _add_inline(self, nodes: list[NavigableString | Tag]) -> None:
        if nodes and any(_node_text(n).strip() for n in nodes):
            self._add_blocks(paragraph_blocks(nodes))

    def _add_blocks(self, blocks: list[Block]) -> None:
        if not blocks:
            return
        current = self._current()
        current.blocks.extend(blocks)
        if any(not b.scene_break for b in blocks):
            self.text_in_document = True


def chapter_title(heading: str) -> str | None:
    """The title in an AO3 chapter heading: `Chapter 3: The Lake` -> `The Lake`, `Chapter 3` -> None."""
    heading = heading.strip()
    match = CHAPTER_RE.match(heading)
    if match:
        return match.group("title").strip() or None
    return heading or None


def _is_container(tag: Tag) -> bool:
    """True if the element holds block elements (so it is walked, not read as one paragraph)."""
    if tag.name in ("ul", "ol", "dl", "table", "tbody", "thead", "tr", "section", "article",
                    "body", "html", "main", "header", "footer", "aside", "figure", "details"):
        return True
    return any(isinstance(c, Tag) and c.name in _BLOCK_TAGS for c in tag.children)


def _node_text(node: NavigableString | Tag) -> str:
    return str(node) if isinstance(node, NavigableString) else node.get_text()


def _text(tag: Tag) -> str:
    return _WS_RE.sub(" ", tag.get_text(" ")).strip()


def block_text(tag: Tag) -> str:
    """The text of an element as paragraphs separated by blank lines (for notes)."""
    collector = ChapterCollector(ao3_classes=True)
    collector.walk(tag)
    blocks = [b.text for c in collector.chapters for b in c.blocks if not b.scene_break]
    return "\n\n".join(blocks)


def paragraph_blocks(nodes: list[NavigableString | Tag]) -> list[Block]:
    """Story blocks from inline content: one paragraph, more where `<br><br>` splits it."""
    raw: list[str] = []
    italics: list[tuple[int, int]] = []
    length = 0

    def visit(node: NavigableString | Tag, italic: bool) -> None:
        nonlocal length
        if isinstance(node, Comment):
            return
        if isinstance(node, NavigableString):
            piece = str(node)
            if italic and piece:
                italics.append((length, length + len(piece)))
            raw.append(piece)
            length += len(piece)
            return
        if node.name in _SKIP_TAGS:
            return
        if node.name == "br":
            raw.append(_BR)
            length += 1
            return
        inner = italic or node.name in _ITALIC_TAGS
        for child in node.children:
            visit(child, inner)

    for node in nodes:
        visit(node, False)
    return _normalize("".join(raw), italics)


def _normalize(raw: str, italics: list[tuple[int, int]]) -> list[Block]:
    """Collapse HTML whitespace, split at double line breaks, keep italic spans aligned."""
    flags = bytearray(len(raw))
    for start, end in italics:
        flags[start:end] = b"\x01" * (end - start)
    out: list[str] = []
    out_flags: list[int] = []
    pending_space = False
    for char, flag in zip(raw, flags):
        if char in " \t\n\r\f\v":
            pending_space = True
            continue
        if char == _BR:
            while out and out[-1] == " ":
                out.pop()
                out_flags.pop()
            out.append("\n")
            out_flags.append(0)
            pending_space = False
            continue
        if pending_space and out and out[-1] != "\n":
            out.append(" ")
            out_flags.append(flag and out_flags[-1] if out_flags else 0)
        pending_space = False
        out.append(char)
        out_flags.append(flag)
    blocks: list[Block] = []
    text = "".join(out)
    position = 0
    for piece in re.split(r"(\n\s*\n)", text):
        start = position
        position += len(piece)
        if not piece.strip():
            continue
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if not body.replace("\u00a0", "").strip():
            continue
        if is_scene_break(body):
            blocks.append(Block(scene_break=True))
            continue
        offset = start + lead
        spans = _flag_spans(out_flags[offset:offset + len(body)])
        blocks.append(Block(text=body, italics=spans))
    return blocks


def _flag_spans(flags: list[int]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate(flags + [0]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            spans.append((start, i))
            start = None
    return spans


# --------------------------------------------------------------------------- assembly


def build_story(parts: list[ChapterParts], metadata: Metadata, path: str | None,
                story_format: str) -> Story:
    """A `Story` whose text is the chapters' paragraphs, separated by blank lines."""
    pieces: list[str] = []
    length = 0
    chapters: list[Chapter] = []
    scenes: list[Scene] = []
    paragraphs: list[Paragraph] = []
    italics: list[list[int]] = []
    for part in parts:
        index = len(chapters) + 1
        chapter_start: int | None = None
        scene_start: int | None = None
        last_end = 0
        for block in part.blocks:
            if block.scene_break:
                if scene_start is not None:
                    scenes.append(Scene(start=scene_start, end=last_end, chapter=index))
                    scene_start = None
                continue
            if pieces:
                pieces.append("\n\n")
                length += 2
            start = length
            pieces.append(block.text)
            length += len(block.text)
            paragraphs.append(Paragraph(start=start, end=length, chapter=index))
            italics.extend([start + a, start + b] for a, b in block.italics)
            if chapter_start is None:
                chapter_start = start
            if scene_start is None:
                scene_start = start
            last_end = length
        if chapter_start is None:
            continue
        if scene_start is not None:
            scenes.append(Scene(start=scene_start, end=last_end, chapter=index))
        chapters.append(Chapter(index=index, start=chapter_start, end=last_end, title=part.title,
                                notes=list(part.notes)))
    text = "".join(pieces)
    if italics:
        metadata.extra["italics"] = italics
    if not metadata.words:
        metadata.words = sum(len(text[p.start:p.end].split()) for p in paragraphs)
    story = Story(text=text, format=story_format, path=path, metadata=metadata)  # type: ignore[arg-type]
    story.chapters, story.scenes, story.paragraphs = chapters, scenes, paragraphs
    return story
