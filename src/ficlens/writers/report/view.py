"""The report's view of a story: header, cast and script data, from the `ficlens/1` dict.

Everything here reads the story's JSON document only (`story_to_dict`), so a report can be
made from a `Story` in memory or from a JSON file written earlier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: Attributions below this confidence are marked as uncertain in the script view.
LOW_CONFIDENCE = 0.5

#: Distinct colours for speakers (cycled); unattributed lines are grey.
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#bcbd22", "#393b79", "#ad494a", "#637939", "#7b4173", "#3182bd", "#e6550d", "#31a354",
    "#756bb1", "#843c39", "#8c6d31", "#de2d26",
)
UNKNOWN_COLOUR = "#8a8a8a"

_WORD_RE = re.compile(r"\w+(?:['\u2019]\w+)*")


def colour_for(index: int) -> str:
    """The colour of the character at this position in the cast list."""
    return PALETTE[index % len(PALETTE)] if index >= 0 else UNKNOWN_COLOUR


def count_words(text: str | None) -> int:
    """The number of words in a text (letters/digits runs, apostrophes kept inside)."""
    return len(_WORD_RE.findall(text or ""))


def header_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Title, authors, tags, summary, word and chapter counts for the page header."""
    meta = doc.get("metadata") or {}
    text = doc.get("text") or ""
    words = int(meta.get("words") or 0)
    if not words:
        words = sum(count_words(text[s:e]) for s, e in doc.get("paragraphs") or [])
    source = doc.get("source") or {}
    title = meta.get("title") or _stem(source.get("path")) or "Untitled story"
    tag_groups = [
        ("Fandoms", meta.get("fandoms")),
        ("Warnings", meta.get("warnings")),
        ("Categories", meta.get("categories")),
        ("Relationships", meta.get("relationships")),
        ("Characters", meta.get("characters")),
        ("Tags", meta.get("tags")),
        ("Series", meta.get("series")),
    ]
    return {
        "title": str(title),
        "authors": [str(a) for a in meta.get("authors") or []],
        "fandoms": [str(f) for f in meta.get("fandoms") or []],
        "rating": meta.get("rating"),
        "summary": meta.get("summary"),
        "tag_groups": [(label, [str(v) for v in values]) for label, values in tag_groups if values],
        "words": words,
        "chapters": len(doc.get("chapters") or []),
        "quotes": len(doc.get("quotes") or []),
        "characters": len(doc.get("characters") or []),
        "format": source.get("format"),
        "language": meta.get("language"),
        "published": meta.get("published"),
        "updated": meta.get("updated"),
        "warnings": [str(w) for w in doc.get("warnings") or []],
    }


def _stem(path: str | None) -> str | None:
    if not path:
        return None
    name = re.split(r"[\\/]", str(path))[-1]
    return name.rsplit(".", 1)[0] or None


def cast_view(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per character, in cast order, with its colour and index."""
    rows = []
    for i, c in enumerate(doc.get("characters") or []):
        rows.append({
            "index": i,
            "id": str(c.get("id")),
            "name": str(c.get("name") or c.get("id")),
            "aliases": [str(a) for a in c.get("aliases") or [] if a != c.get("name")],
            "gender": c.get("gender") or "",
            "mentions": int(c.get("mentions") or 0),
            "quotes": int(c.get("quotes") or 0),
            "words_spoken": int(c.get("words_spoken") or 0),
            "given": bool(c.get("given")),
            "colour": colour_for(i),
        })
    return rows


def character_index(doc: Mapping[str, Any]) -> dict[str, int]:
    """Character id -> position in the cast list."""
    return {str(c.get("id")): i for i, c in enumerate(doc.get("characters") or [])}


def script_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The dialogue as compact script items, with the narration before (and after) each line.

    Each item: `i` quote id, `c` chapter, `s` speaker index (-1 unknown), `a` addressee
    indices, `k` confidence, `p` parts as `[is_quote, text]`, `n` narration before the line,
    and `m` narration closing the chapter after the chapter's last line.
    """
    text: str = doc.get("text") or ""
    index = character_index(doc)
    chapters = {int(c["index"]): c for c in doc.get("chapters") or [] if c.get("index") is not None}
    quotes = sorted(
        (q for q in doc.get("quotes") or [] if q.get("spans")),
        key=lambda q: (q["spans"][0][0], q["spans"][0][1]),
    )
    items: list[dict[str, Any]] = []
    cursor = 0
    previous_chapter: Any = object()
    for q in quotes:
        spans = [(int(s), int(e)) for s, e in q["spans"]]
        chapter = q.get("chapter")
        if chapter != previous_chapter:
            if items:
                _close_chapter(items[-1], text, chapters.get(previous_chapter), cursor)
            info = chapters.get(chapter) if chapter is not None else None
            cursor = int(info["start"]) if info else (spans[0][0] if not items else cursor)
            previous_chapter = chapter
        start = spans[0][0]
        item: dict[str, Any] = {
            "i": str(q.get("id")),
            "c": chapter,
            "s": index.get(str(q.get("speaker")), -1) if q.get("speaker") is not None else -1,
            "a": [index[a] for a in q.get("addressees") or [] if a in index],
            "k": round(float(q.get("confidence") or 0.0), 3),
            "p": _parts(text, spans, q.get("text")),
        }
        if start > cursor:
            narration = text[cursor:start].strip()
            if narration:
                item["n"] = narration
        items.append(item)
        cursor = max(cursor, spans[-1][1])
    if items:
        _close_chapter(items[-1], text, chapters.get(previous_chapter), cursor)
    return {
        "items": items,
        "chapters": [
            {"index": int(c["index"]), "title": c.get("title")}
            for c in doc.get("chapters") or [] if c.get("index") is not None
        ],
        "low_confidence": LOW_CONFIDENCE,
    }


def _close_chapter(item: dict[str, Any], text: str, chapter: Mapping[str, Any] | None,
                   last: int) -> None:
    if not chapter:
        return
    end = int(chapter["end"])
    tail = text[last:end].strip() if end > last else ""
    if tail:
        item["m"] = tail


def _parts(text: str, spans: list[tuple[int, int]], fallback: str | None) -> list[list[Any]]:
    """The quotation's spans, with the speech tags between them: `[[1, quoted], [0, tag], ...]`."""
    if not text:
        return [[1, fallback or ""]]
    parts: list[list[Any]] = []
    for n, (s, e) in enumerate(spans):
        if n:
            between = text[spans[n - 1][1]:s].strip()
            if between:
                parts.append([0, between])
        parts.append([1, text[s:e].strip()])
    return parts
