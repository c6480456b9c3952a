"""The ficlens data model: one `Story` that every stage reads and enriches.

Every position is a character offset into `Story.text` (end exclusive), in the
manner of spaCy's `Span`: a `Quote`, `Mention` or `Scene` is a view into the
text, not a copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = "ficlens/1"

StoryFormat = Literal["archive-text", "novel-text", "ao3-html", "ao3-epub"]
MentionKind = Literal["name", "pronoun", "nominal"]
QuoteKind = Literal["explicit", "anaphoric", "implicit"]


@dataclass
class Metadata:
    """What the story says about itself: title, authors, tags, notes."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    summary: str | None = None
    notes: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    rating: str | None = None
    warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    language: str | None = None
    series: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    disclaimer: str | None = None
    words: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Chapter:
    """A chapter: `start`/`end` delimit its body (the heading is excluded)."""

    index: int
    start: int
    end: int
    title: str | None = None
    heading: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Scene:
    """A stretch of a chapter between scene breaks."""

    start: int
    end: int
    chapter: int
    location: str | None = None


@dataclass
class Paragraph:
    """A paragraph inside a chapter; `doc` is the spaCy parse, when one was made."""

    start: int
    end: int
    chapter: int
    doc: Any = field(default=None, repr=False, compare=False)


@dataclass
class Quote:
    """A quotation: one or more spans (quotation marks included) and who said it to whom."""

    id: str
    spans: list[tuple[int, int]]
    text: str
    chapter: int
    speaker: str | None = None
    addressees: list[str] = field(default_factory=list)
    confidence: float = 0.0
    kind: QuoteKind | None = None
    speaker_mention: tuple[int, int] | None = None
    paragraph: int | None = None
    emotion: dict[str, float] | None = None
    thought: bool = False  # an unspoken thought (italics the format marks), not speech

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass
class Mention:
    """A mention of a character: a name, a pronoun or a nominal phrase."""

    start: int
    end: int
    text: str
    kind: MentionKind
    character: str | None = None


@dataclass
class Character:
    """A member of the cast with every name they go by."""

    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    gender: str | None = None
    mentions: int = 0
    quotes: int = 0
    words_spoken: int = 0
    given: bool = False


@dataclass
class Place:
    """A place named or described in the story, with where it occurs."""

    id: str
    name: str
    kind: str
    mentions: list[tuple[int, int]] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)


@dataclass
class Story:
    """A story: its text, its structure, and everything the stages learn about it."""

    text: str
    format: StoryFormat
    path: str | None = None
    metadata: Metadata = field(default_factory=Metadata)
    chapters: list[Chapter] = field(default_factory=list)
    scenes: list[Scene] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    characters: list[Character] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    emotions: dict[str, Any] | None = None
    network: dict[str, Any] | None = None
    cast: dict[str, list[str]] | None = None
    warnings: list[str] = field(default_factory=list)

    def span_text(self, start: int, end: int) -> str:
        """The text between two offsets."""
        return self.text[start:end]

    def character(self, character_id: str | None) -> Character | None:
        """The character with this id, or None."""
        if character_id is None:
            return None
        for character in self.characters:
            if character.id == character_id:
                return character
        return None

    def chapter_at(self, offset: int) -> Chapter | None:
        """The chapter whose body holds this offset, or None (header, notes, licence)."""
        for chapter in self.chapters:
            if chapter.start <= offset < chapter.end:
                return chapter
        return None
