"""The `ficlens` command line: a thin layer over the library.

Data goes to stdout, messages to stderr. Exit codes: 0 success, 1 bad input,
2 usage error.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from ficlens import __version__
from ficlens.errors import FiclensError
from ficlens.model import Story

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2

#: Subcommands that live beside the code they drive ("module:attribute").
SUBCOMMANDS = (
    "ficlens.eval.cli:eval_command",
    "ficlens.writers.report.cli:report_command",
    "ficlens.corpus.cli:batch_command",
    "ficlens.corpus.cli:query_command",
)


def error(message: str) -> None:
    """Print one error line on stderr."""
    click.echo(f"ficlens: error: {message}", err=True)


def warn(message: str) -> None:
    """Print one warning line on stderr."""
    click.echo(f"ficlens: warning: {message}", err=True)


def parse_size(value: str) -> int:
    """Bytes from a size such as `50MB`, `2GB`, `100k` or a plain number of bytes."""
    text = value.strip().lower().replace(" ", "")
    units = {"gb": 10**9, "g": 10**9, "mb": 10**6, "m": 10**6, "kb": 10**3, "k": 10**3, "b": 1}
    for unit, factor in units.items():
        if text.endswith(unit):
            number = text[: -len(unit)]
            break
    else:
        number, factor = text, 1
    try:
        size = int(float(number) * factor)
    except ValueError as exc:
        raise click.BadParameter(f"not a size: {value!r} (try 50MB)") from exc
    if size <= 0:
        raise click.BadParameter("size must be positive")
    return size


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="ficlens")
def main() -> None:
    """ficlens: read fiction and fan fiction as structured data.

    Cast, dialogue with speakers and addressees, references, emotion arcs,
    the character network and places, as one JSON document per story.
    """


@main.command("analyze")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the JSON here (a directory when several stories are given).")
@click.option("--cast", "cast_path", type=click.Path(path_type=Path),
              help='Known cast: JSON {"Name": ["alias", ...]} or CSV name,alias;alias.')
@click.option("--max-size", default="50MB", show_default=True,
              help="Refuse files larger than this.")
@click.option("--graph", "graph_path", type=click.Path(path_type=Path),
              help="Also write the character network (.graphml or .gexf).")
@click.option("--html", "html_path", type=click.Path(path_type=Path),
              help="Also write the HTML report.")
@click.option("--compact", is_flag=True, help="JSON on one line instead of indented.")
@click.option("--no-text", is_flag=True, help="Leave the story text out of the JSON (null).")
@click.option("--summary", is_flag=True,
              help="Print a short readable summary (cast and first lines of dialogue) instead of JSON.")
def analyze_command(paths: tuple[Path, ...], output: Path | None, cast_path: Path | None,
                    max_size: str, graph_path: Path | None, html_path: Path | None,
                    compact: bool, no_text: bool, summary: bool) -> None:
    """Analyze STORY files (plain text, AO3 HTML or EPUB) and print their JSON."""
    import json

    from ficlens.cast_file import load_cast
    from ficlens.pipeline import analyze
    from ficlens.writers.json import story_to_dict

    limit = parse_size(max_size)
    several = len(paths) > 1
    if several and (graph_path or html_path):
        raise click.UsageError("--graph and --html take one story at a time")
    out_dir: Path | None = None
    if output is not None and (several or output.is_dir() or str(output).endswith(("/", "\\"))):
        out_dir = output
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            error(f"{out_dir}: cannot create output directory: {exc.strerror or exc}")
            sys.exit(EXIT_BAD_INPUT)
    cast = None
    if cast_path is not None:
        try:
            cast = load_cast(cast_path)
        except FiclensError as exc:
            error(str(exc))
            sys.exit(EXIT_BAD_INPUT)

    failures = 0
    used_names: set[str] = set()
    for path in paths:
        try:
            story = analyze(path, cast=cast, max_bytes=limit)
        except FiclensError as exc:
            error(str(exc) if exc.path else f"{path}: {exc}")
            failures += 1
            continue
        except Exception as exc:  # noqa: BLE001 - never a traceback for one bad story in a batch
            error(f"{path}: unexpected failure: {type(exc).__name__}: {exc}")
            failures += 1
            continue
        for warning in story.warnings:
            warn(f"{path}: {warning}")
        if summary:
            click.echo(story_summary(story))
            continue
        document = story_to_dict(story)
        if no_text:
            document["text"] = None
        text = json.dumps(document, ensure_ascii=False, indent=None if compact or (several and out_dir is None) else 2)
        if out_dir is not None:
            stem = path.stem or "story"
            name = stem
            n = 1
            while name in used_names:
                n += 1
                name = f"{stem}-{n}"
            used_names.add(name)
            target = out_dir / f"{name}.json"
            target.write_text(text + "\n", encoding="utf-8")
            click.echo(f"ficlens: wrote {target}", err=True)
        elif output is not None:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
        if graph_path is not None:
            from ficlens.writers.graph import write_graph

            write_graph(story, graph_path)
        if html_path is not None:
            from ficlens.writers.report import write_report

            write_report(story, html_path)
    if failures:
        sys.exit(EXIT_BAD_INPUT)


def story_summary(story: Story, lines: int = 8) -> str:
    """A few readable lines about an analyzed story: title, counts, cast, first dialogue."""
    meta = story.metadata
    headline = (f"{meta.title or story.path or 'story'} ({story.format}): {meta.words:,} words, "
                f"{len(story.chapters)} chapters, {len(story.scenes)} scenes, "
                f"{len(story.quotes)} quotations, {len(story.characters)} characters")
    out = [headline]
    out.append("cast:")
    for character in story.characters[:10]:
        aliases = ", ".join(character.aliases[:4])
        out.append(f"  {character.id:<4} {character.name:<24} {character.gender or '?':<7} "
                   f"{character.quotes:>4} quotes  {character.mentions:>4} mentions"
                   + (f"  ({aliases})" if aliases else ""))
    out.append("dialogue:")
    for quote in story.quotes[:lines]:
        speaker = story.character(quote.speaker)
        to = ", ".join(c.name for c in map(story.character, quote.addressees) if c)
        who = (speaker.name if speaker else "?") + (f" -> {to}" if to else "")
        text = quote.text if len(quote.text) <= 60 else quote.text[:57] + "..."
        out.append(f"  {who:<32} \u201c{text}\u201d")
    return "\n".join(out)


def _register_subcommands() -> None:
    for spec in SUBCOMMANDS:
        module_name, attr = spec.split(":")
        main.add_command(getattr(importlib.import_module(module_name), attr))


_register_subcommands()


def run() -> None:
    """Entry point that turns stray errors into one line instead of a traceback."""
    try:
        main(standalone_mode=True)
    except FiclensError as exc:
        error(str(exc))
        sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":
    run()
