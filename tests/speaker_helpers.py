"""A story run up to the speakers stage with a small known cast, for the speakers' tests."""

from __future__ import annotations

import ficlens
from ficlens.stages.speakers import build_context

STAGES = ["parse", "quotes", "cast"]
CAST = {"Lily Evans": ["Lily"], "Severus Snape": ["Severus", "Sev"], "James Potter": ["James"]}


def context(text: str, cast=CAST):
    """The story (through the cast stage) and the speakers stage's context for it."""
    story = ficlens.analyze(text, cast=cast, stages=STAGES)
    return story, build_context(story)


def char_id(story, name: str) -> str:
    """The id of the character called `name`."""
    return next(c.id for c in story.characters if c.name == name)
