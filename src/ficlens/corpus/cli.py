"""`ficlens batch` and `ficlens query`: the corpus commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ficlens.errors import FiclensError

EXIT_BAD_INPUT = 1


def _error(message: str) -> None:
    click.echo(f"ficlens: error: {message}", err=True)


@click.command("batch")
@click.argument("input_spec", metavar="INPUT")
@click.option("-o", "--output", "outdir", required=True, type=click.Path(path_type=Path),
              help="Directory for the Parquet tables (rerun with the same one to resume).")
@click.option("--workers", type=click.IntRange(min=1),
              help="Worker processes of the local cluster (default: one per core).")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Run on this existing Dask scheduler instead of a local cluster.")
@click.option("--json", "keep_json", is_flag=True,
              help="Also keep each story's JSON document under OUTDIR/json/.")
@click.option("--flush-every", default=100, show_default=True, type=click.IntRange(min=1),
              help="Write a part file every this many stories.")
@click.option("--flush-seconds", default=60.0, show_default=True, type=click.FloatRange(min=0),
              help="... or when this many seconds passed since the last part.")
@click.option("--max-size", default="50MB", show_default=True,
              help="Skip (as an error row) story files larger than this.")
@click.option("--stages", metavar="NAME,...",
              help="Run only these pipeline stages (default: all), e.g. parse,quotes.")
@click.option("--timeout", default=1800.0, show_default=True, type=click.FloatRange(min=0),
              help="Stop a story still being analysed after this many seconds (an error row; "
                   "its worker restarts). 0: no limit.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def batch_command(input_spec: str, outdir: Path, workers: int | None, scheduler: str | None,
                  keep_json: bool, flush_every: int, flush_seconds: float, max_size: str,
                  stages: str | None, timeout: float, no_progress: bool) -> None:
    """Analyse a corpus on Dask and write Parquet tables to OUTDIR.

    INPUT is a directory tree or a glob of story files (plain text, AO3 HTML, EPUB), or a
    table of stories (.parquet, .jsonl or .csv with `id` and `text` columns; other columns
    become metadata). A story that fails becomes a row of the `errors` table. Rerun with the
    same OUTDIR to finish an interrupted batch: finished stories are skipped.
    """
    from ficlens.cli import parse_size
    from ficlens.corpus.batch import run_batch

    if scheduler and workers:
        raise click.UsageError("--workers starts a local cluster; it cannot go with --scheduler")
    limit = parse_size(max_size)
    chosen = _stages(stages)
    try:
        summary = run_batch(input_spec, outdir, workers=workers, scheduler=scheduler,
                            keep_json=keep_json, flush_every=flush_every,
                            flush_seconds=flush_seconds, max_bytes=limit,
                            progress=not no_progress, stages=chosen,
                            timeout=timeout or None)
    except FiclensError as exc:
        _error(str(exc))
        sys.exit(EXIT_BAD_INPUT)
    done = summary.analysed + summary.failed
    rate = done / summary.seconds if summary.seconds else 0.0
    if summary.interrupted:
        click.echo(f"ficlens: interrupted after {done} stories; rerun the same command to "
                   f"finish the rest", err=True)
        sys.exit(130)
    if summary.total and done == 0:
        click.echo(f"ficlens: all {summary.total} stories of {input_spec} are already in "
                   f"{outdir}", err=True)
        return
    click.echo(f"ficlens: {summary.analysed} stories analysed, {summary.failed} failed, "
               f"{summary.skipped} already done; {summary.words:,} words in "
               f"{summary.seconds:.1f} s ({rate:.2f} stories/s) -> {outdir}", err=True)
    if summary.failed:
        for file, stage, message in summary.errors[:5]:
            click.echo(f"ficlens: warning: {file}: {stage}: {message}", err=True)
        click.echo(f"ficlens: all failures: ficlens query {outdir} "
                   f"\"SELECT * FROM errors\"", err=True)


def _stages(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    from ficlens.pipeline import DEFAULT_STAGES

    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in DEFAULT_STAGES]
    if unknown or not names:
        raise click.BadParameter(f"unknown stage(s) {', '.join(unknown) or '(none)'}; known: "
                                 f"{', '.join(DEFAULT_STAGES)}", param_hint="--stages")
    return names


@click.command("query")
@click.argument("outdir", type=click.Path(path_type=Path))
@click.argument("sql")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of row objects.")
@click.option("--max-rows", default=100, show_default=True, type=click.IntRange(min=1),
              help="Rows shown in the table view (CSV and JSON print them all).")
def query_command(outdir: Path, sql: str, as_csv: bool, as_json: bool, max_rows: int) -> None:
    """Run SQL (DuckDB) over the Parquet tables of a batch's OUTDIR.

    Each table is a view by its name: stories, characters, quotes, mentions, places, edges,
    emotions, errors (columns in docs/tables.md).
    """
    from ficlens.corpus.query import run_query

    if as_csv and as_json:
        raise click.UsageError("choose one of --csv and --json")
    try:
        table = run_query(outdir, sql)
    except FiclensError as exc:
        _error(str(exc))
        sys.exit(EXIT_BAD_INPUT)
    if as_csv:
        _print_csv(table)
    elif as_json:
        rows = table.to_pylist()
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1, default=_jsonable))
    else:
        _print_table(table, max_rows)


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=_jsonable)
    return str(value)


def _print_csv(table: Any) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow([_cell(row[name]) if not isinstance(row[name], float) else repr(row[name])
                         for name in table.column_names])
    click.echo(buffer.getvalue(), nl=False)


def _print_table(table: Any, max_rows: int) -> None:
    from rich.console import Console
    from rich.table import Table

    view = Table(show_lines=False, header_style="bold")
    for name in table.column_names:
        view.add_column(name, overflow="fold")
    for row in table.slice(0, max_rows).to_pylist():
        view.add_row(*(_cell(row[name]) for name in table.column_names))
    console = Console(soft_wrap=False)
    console.print(view)
    if table.num_rows > max_rows:
        click.echo(f"({table.num_rows} rows, {max_rows} shown; --max-rows to see more, "
                   f"--csv or --json for all)", err=True)
    else:
        click.echo(f"({table.num_rows} row{'s' if table.num_rows != 1 else ''})", err=True)
