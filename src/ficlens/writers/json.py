"""The `ficlens/1` JSON document: one per story, validated against the shipped schema."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from ficlens.model import SCHEMA_VERSION, Story


def story_to_dict(story: Story, include_text: bool = True) -> dict[str, Any]:
    """The story as a plain dict following the `ficlens/1` schema."""
    meta = story.metadata
    doc: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "source": {"path": story.path, "format": story.format},
        "metadata": {
            "title": meta.title,
            "authors": list(meta.authors),
            "summary": meta.summary,
            "notes": list(meta.notes),
            "fandoms": list(meta.fandoms),
            "relationships": list(meta.relationships),
            "characters": list(meta.characters),
            "tags": list(meta.tags),
            "rating": meta.rating,
            "warnings": list(meta.warnings),
            "categories": list(meta.categories),
            "language": meta.language,
            "series": list(meta.series),
            "published": meta.published,
            "updated": meta.updated,
            "words": int(meta.words),
            "extra": meta.extra,
        },
        "text": story.text if include_text else None,
        "chapters": [
            {"index": c.index, "title": c.title, "start": c.start, "end": c.end, "notes": list(c.notes)}
            for c in story.chapters
        ],
        "scenes": [
            {"start": s.start, "end": s.end, "chapter": s.chapter, "location": s.location}
            for s in story.scenes
        ],
        "paragraphs": [[p.start, p.end] for p in story.paragraphs],
        "characters": [
            {
                "id": c.id,
                "name": c.name,
                "aliases": list(c.aliases),
                "gender": c.gender,
                "mentions": int(c.mentions),
                "quotes": int(c.quotes),
                "words_spoken": int(c.words_spoken),
                "given": bool(c.given),
            }
            for c in story.characters
        ],
        "quotes": [
            {
                "id": q.id,
                "spans": [[s, e] for s, e in q.spans],
                "text": q.text,
                "speaker": q.speaker,
                "addressees": list(q.addressees),
                "chapter": q.chapter,
                "confidence": round(float(q.confidence), 4),
                "kind": q.kind,
                "speaker_mention": list(q.speaker_mention) if q.speaker_mention else None,
                **({"emotion": q.emotion} if q.emotion is not None else {}),
                "thought": bool(q.thought),
            }
            for q in story.quotes
        ],
        "mentions": [
            {"start": m.start, "end": m.end, "text": m.text, "character": m.character, "kind": m.kind}
            for m in story.mentions
        ],
        "places": [
            {"id": p.id, "name": p.name, "kind": p.kind, "mentions": [[s, e] for s, e in p.mentions],
             "count": len(p.mentions), "characters": list(p.characters)}
            for p in story.places
        ],
        "warnings": list(story.warnings),
    }
    if story.emotions is not None:
        doc["emotions"] = story.emotions
    if story.network is not None:
        doc["network"] = story.network
    return doc


def dumps(story: Story, indent: int | None = 2) -> str:
    """The story's JSON document as a string."""
    return json.dumps(story_to_dict(story), ensure_ascii=False, indent=indent)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of the `ficlens/1` document, shipped inside the package."""
    text = resources.files("ficlens.writers").joinpath("schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def validate(document: dict[str, Any]) -> None:
    """Raise `jsonschema.ValidationError` if the document does not follow the schema."""
    import jsonschema

    jsonschema.validate(document, schema())
