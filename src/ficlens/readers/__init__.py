"""Readers: story files in, one `Story` out, whatever the format."""

from __future__ import annotations

import os
from pathlib import Path

from ficlens.errors import InputError
from ficlens.model import Story
from ficlens.readers.detect import (
    DEFAULT_MAX_BYTES,
    decode,
    detect_format,
    read_bytes,
    sniff_binary,
)
from ficlens.readers.text import read_text

__all__ = ["DEFAULT_MAX_BYTES", "read_story", "read_story_bytes", "story_from_text"]


def read_story(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> Story:
    """Read a story file in any supported format (detected from its content)."""
    name = str(path)
    data = read_bytes(path, max_bytes=max_bytes)
    return read_story_bytes(data, name)


def read_story_bytes(data: bytes, name: str | None = None) -> Story:
    """Read a story from raw bytes; `name` is used for messages and format hints."""
    if not data:
        raise InputError("file is empty", name)
    binary = sniff_binary(data)
    if binary is not None:
        raise InputError(f"is {binary}, not a story text", name)
    kind = detect_format(data, name)
    if kind == "ao3-epub":
        from ficlens.readers.epub import read_epub

        story = read_epub(data, name)
    else:
        text, _encoding = decode(data, name)
        if kind == "ao3-html":
            from ficlens.readers.ao3_html import read_ao3_html

            story = read_ao3_html(text, name)
        else:
            story = story_from_text(text, name)
    _check_not_blank(story, name)
    return story


def story_from_text(text: str, name: str | None = None) -> Story:
    """A `Story` from text already in memory (plain-text layouts)."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError("file holds only whitespace, no story", name)
    story = read_text(text, name)
    _check_not_blank(story, name)
    return story


def _check_not_blank(story: Story, name: str | None) -> None:
    if not story.text.strip():
        raise InputError("file holds only whitespace, no story", name)
    if not story.paragraphs:
        raise InputError("no story text found (only headers or notes)", name)


def looks_like_path(value: str) -> bool:
    """True if a string passed to `analyze` is meant as a file path rather than story text."""
    if "\n" in value or len(value) > 4096:
        return False
    return bool(Path(value).suffix) or os.sep in value or Path(value).exists()
