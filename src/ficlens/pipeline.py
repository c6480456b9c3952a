"""`analyze`: read a story and run the stages over it, in order."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ficlens.cast_file import load_cast
from ficlens.errors import FiclensError, StageError
from ficlens.model import Story
from ficlens.readers import DEFAULT_MAX_BYTES, looks_like_path, read_story, story_from_text

Stage = Callable[[Story], Story]

#: The default stages, by name, in the order they run. Later stages read what earlier ones wrote.
DEFAULT_STAGES: tuple[str, ...] = (
    "parse",
    "quotes",
    "cast",
    "speakers",
    "addressees",
    "coref",
    "emotion",
    "places",
    "network",
)

_STAGE_PATHS: dict[str, str] = {
    "parse": "ficlens.stages.nlp:parse",
    "quotes": "ficlens.stages.quotes:detect_quotes",
    "cast": "ficlens.stages.cast:build_cast",
    "speakers": "ficlens.stages.speakers:attribute_speakers",
    "addressees": "ficlens.stages.addressees:find_addressees",
    "coref": "ficlens.stages.coref:resolve_mentions",
    "emotion": "ficlens.stages.emotion:score_emotions",
    "places": "ficlens.stages.places:find_places",
    "network": "ficlens.stages.network:build_network",
}


def get_stage(name: str) -> Stage:
    """The stage callable registered under `name`."""
    import importlib

    try:
        module_name, attr = _STAGE_PATHS[name].split(":")
    except KeyError as exc:
        raise FiclensError(f"unknown stage {name!r}; known: {', '.join(_STAGE_PATHS)}") from exc
    return getattr(importlib.import_module(module_name), attr)


def analyze(
    source: str | os.PathLike[str] | Story,
    cast: dict[str, list[str]] | str | os.PathLike[str] | None = None,
    *,
    stages: Iterable[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timings: dict[str, float] | None = None,
) -> Story:
    """Analyze a story and return the enriched `Story`.

    `source` is a path to a story file (plain text, AO3 HTML or EPUB), the story text
    itself, or a `Story` already read. `cast` is a known cast (a dict of name ->
    aliases, or a path to a JSON/CSV cast file); without it the cast is discovered.
    `stages` picks stages by name (default: all); `timings`, if given, receives the
    seconds each stage took.
    """
    import time

    if isinstance(source, Story):
        story = source
    elif isinstance(source, os.PathLike) or (isinstance(source, str) and looks_like_path(source)):
        story = read_story(Path(source), max_bytes=max_bytes)
    else:
        story = story_from_text(str(source))
    if cast is not None:
        story.cast = cast if isinstance(cast, dict) else load_cast(cast)
    names = list(stages) if stages is not None else list(DEFAULT_STAGES)
    for name in names:
        stage = get_stage(name)
        began = time.perf_counter()
        try:
            story = stage(story)
        except FiclensError:
            raise
        except Exception as exc:  # a crash inside a stage is reported with the stage named
            raise StageError(f"stage {name!r} failed: {type(exc).__name__}: {exc}",
                             story.path, stage=name) from exc
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - began
    return story
