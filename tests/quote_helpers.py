"""Helpers shared by the quote finder's tests: a story of given paragraphs, its quotes as text."""

from __future__ import annotations

from ficlens.model import Chapter, Paragraph, Story
from ficlens.stages.quotes import find_quotes


def story_of(*paragraphs: str, separator: str = "\n\n") -> Story:
    """A story with exactly these paragraphs (one chapter), without going through a reader."""
    text = separator.join(paragraphs)
    story = Story(text=text, format="novel-text")
    story.chapters.append(Chapter(index=1, start=0, end=len(text)))
    at = 0
    for paragraph in paragraphs:
        story.paragraphs.append(Paragraph(at, at + len(paragraph), 1))
        at += len(paragraph) + len(separator)
    return story


def quoted(story: Story) -> list[list[str]]:
    """Each quote as the list of its span texts."""
    return [[story.text[s:e] for s, e in q.spans] for q in find_quotes(story)]
