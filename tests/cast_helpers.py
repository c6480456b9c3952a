"""Helpers shared by the cast tests: run the stages up to the cast, look characters up."""

from __future__ import annotations

import ficlens

STAGES = ["parse", "quotes", "cast"]


def cast_of(text: str, cast=None) -> ficlens.Story:
    """The story with its cast built (and nothing after it)."""
    return ficlens.analyze(text, cast=cast, stages=STAGES)


def owner(story: ficlens.Story, form: str) -> str | None:
    """The character whose name or aliases include this form."""
    for c in story.characters:
        if form == c.name or form in c.aliases:
            return c.id
    return None


def forms_of(story: ficlens.Story) -> set[str]:
    """Every name form of every character."""
    return {f for c in story.characters for f in [c.name, *c.aliases]}
