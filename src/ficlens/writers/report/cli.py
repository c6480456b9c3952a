"""`ficlens report STORY`: analyze a story and write its HTML report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ficlens.errors import FiclensError


@click.command("report")
@click.argument("story_path", metavar="STORY", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the page here (default: STORY's name with .html, in the current directory).")
@click.option("--cast", "cast_path", type=click.Path(path_type=Path),
              help='Known cast: JSON {"Name": ["alias", ...]} or CSV name,alias;alias.')
@click.option("--max-size", default="50MB", show_default=True, help="Refuse files larger than this.")
def report_command(story_path: Path, output: Path | None, cast_path: Path | None, max_size: str) -> None:
    """Analyze STORY (plain text, AO3 HTML or EPUB) and write one self-contained HTML report.

    STORY may also be a JSON document written by `ficlens analyze`: it is shown as it is.
    """
    from ficlens.cli import EXIT_BAD_INPUT, error, parse_size, warn
    from ficlens.pipeline import analyze
    from ficlens.writers.report import write_report

    limit = parse_size(max_size)
    target = output if output is not None else Path((story_path.stem or "story") + ".html")
    if target.is_dir():
        target = target / ((story_path.stem or "story") + ".html")
    try:
        cast = None
        if cast_path is not None:
            from ficlens.cast_file import load_cast

            cast = load_cast(cast_path)
        document = _ficlens_document(story_path)
        if document is not None:
            write_report(document, target)
        else:
            story = analyze(story_path, cast=cast, max_bytes=limit)
            for message in story.warnings:
                warn(f"{story_path}: {message}")
            write_report(story, target)
    except FiclensError as exc:
        error(str(exc) if exc.path else f"{story_path}: {exc}")
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:  # noqa: BLE001 -- one line, never a traceback
        error(f"{story_path}: unexpected failure: {type(exc).__name__}: {exc}")
        sys.exit(EXIT_BAD_INPUT)
    click.echo(f"ficlens: wrote {target}", err=True)


def _ficlens_document(path: Path) -> dict | None:
    """The `ficlens/1` JSON document at `path`, or None when the file is a story instead."""
    import json

    from ficlens.errors import InputError
    from ficlens.model import SCHEMA_VERSION

    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not a ficlens JSON document: {exc}", str(path)) from exc
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_VERSION:
        raise InputError(f"not a {SCHEMA_VERSION} JSON document (no \"schema\": \"{SCHEMA_VERSION}\")",
                         str(path))
    return document
