"""`ficlens eval pdnc [DIR]` and `ficlens eval litbank [DIR]`: score ficlens on gold data."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ficlens.errors import FiclensError

_MODE_HELP = "Score only with the gold cast given (default: both the cast-given and end-to-end runs)."


def _options(func: Any) -> Any:
    decorators = [
        click.argument("data_dir", required=False, type=click.Path(path_type=Path)),
        click.option("--cast-given", "mode", flag_value="cast-given", help=_MODE_HELP),
        click.option("--end-to-end", "mode", flag_value="end-to-end",
                     help="Score only end to end (the cast discovered, mapped to gold by names)."),
        click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON."),
        click.option("--limit", type=click.IntRange(min=1), help="Only the first N documents."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Documents analysed in parallel (one process each)."),
        click.option("--stages", help="Comma list of stages to run (default: the whole pipeline)."),
        click.option("--quotes-only", is_flag=True,
                     help="Run only the quote finder (no parse): quote detection in seconds."),
        click.option("--dump", type=click.Path(path_type=Path),
                     help="Write every gold and every spurious quote with its scores as JSONL."),
        click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@click.group("eval")
def eval_command() -> None:
    """Score ficlens on the development data (PDNC, LitBank).

    DIR is the data directory (holding pdnc/ and litbank/, or the dataset folder);
    it defaults to $FICLENS_DATA, then ../shared/data. See docs/evaluation.md.
    """


@eval_command.command("pdnc")
@_options
@click.option("--novels", help="Comma list of novels (folder names, case-insensitive prefixes).")
def pdnc_command(novels: str | None, **options: Any) -> None:
    """Quote detection, speakers, addressees and cast on the Project Dialogism Novel Corpus."""
    from ficlens.eval import pdnc

    _run(lambda **kw: pdnc.evaluate(novels=novels, **kw), **options)


@eval_command.command("litbank")
@_options
@click.option("--documents", help="Comma list of documents (file stems or unique parts of them).")
def litbank_command(documents: str | None, **options: Any) -> None:
    """Quote detection and speakers on LitBank's 100 excerpts."""
    from ficlens.eval import litbank

    _run(lambda **kw: litbank.evaluate(documents=documents, **kw), **options)


def _run(evaluate: Any, data_dir: Path | None, mode: str | None, as_json: bool, limit: int | None,
         jobs: int, stages: str | None, quotes_only: bool, dump: Path | None, quiet: bool) -> None:
    from ficlens.pipeline import _STAGE_PATHS

    stage_list: list[str] | None = None
    if quotes_only:
        stage_list = ["quotes"]
    elif stages:
        stage_list = [s.strip() for s in stages.split(",") if s.strip()]
        unknown = [s for s in stage_list if s not in _STAGE_PATHS]
        if unknown:
            raise click.BadParameter(f"unknown stage(s) {', '.join(unknown)}; known: {', '.join(_STAGE_PATHS)}",
                                     param_hint="--stages")
    cast_given = None if mode is None else mode == "cast-given"
    progress = None if quiet else (lambda message: click.echo(message, err=True))
    try:
        result = evaluate(data_dir=data_dir, cast_given=cast_given, limit=limit, jobs=jobs,
                          stages=stage_list, dump=dump, progress=progress)
    except FiclensError as exc:
        click.echo(f"ficlens: error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"ficlens: error: {exc.filename or ''}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        from ficlens.eval.tables import print_result

        print_result(result)
