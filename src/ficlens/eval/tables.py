"""Readable tables of evaluation results (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _row(name: str, sections: dict, mode: str | None, typed: bool) -> list[str]:
    q = sections["quotes"]
    cells = [name, str(q["gold"]), _pct(q["precision"]), _pct(q["recall"]), _pct(q["f1"])]
    if mode is None:
        return cells
    m = sections.get(mode) or {}
    sp = m.get("speakers") or {}
    cells.append(_pct(sp.get("accuracy")))
    if typed:
        by_type = sp.get("by_type") or {}
        cells.extend(_pct((by_type.get(t) or {}).get("accuracy")) for t in ("explicit", "anaphoric", "implicit"))
    ad = m.get("addressees")
    if ad is not None:
        cells.extend([_pct(ad["precision"]), _pct(ad["recall"]), _pct(ad["f1"])])
    ch = m.get("characters") or {}
    cells.append(f"{ch.get('split', 0)}/{ch.get('eligible', 0)}")
    return cells


def build_tables(result: dict) -> list[Table]:
    """One table per mode (quote detection repeated in each), documents then overall."""
    typed = result["dataset"] == "pdnc"
    has_addr = any((result["overall"].get(m) or {}).get("addressees") is not None for m in result["modes"])
    speaker_stages = any(s in result["stages"] for s in ("cast", "speakers", "addressees"))
    modes: list[str | None] = list(result["modes"]) if speaker_stages else [None]
    tables = []
    for mode in modes:
        title = f"{result['dataset']} - " + (mode or "quote detection") + " (percent)"
        table = Table(title=title, show_lines=False)
        for header in ("document", "quotes", "P", "R", "F1"):
            table.add_column(header, justify="left" if header == "document" else "right")
        if mode is not None:
            table.add_column("speaker", justify="right")
            if typed:
                for header in ("expl", "anaph", "impl"):
                    table.add_column(header, justify="right")
            if has_addr:
                for header in ("addr P", "addr R", "addr F1"):
                    table.add_column(header, justify="right")
            table.add_column("split", justify="right")
        for name, sections in result["documents"].items():
            table.add_row(*_row(_short(name), sections, mode, typed))
        table.add_section()
        table.add_row(*_row("overall", result["overall"], mode, typed), style="bold")
        tables.append(table)
    return tables


def _short(name: str, width: int = 34) -> str:
    return name if len(name) <= width else name[: width - 1] + "\u2026"


def print_result(result: dict, console: Any = None) -> None:
    """Print the tables, then the extra sections and the time taken."""
    if console is None:
        import sys

        # piped output gets room for every column instead of rich's 80-column default
        console = Console() if sys.stdout.isatty() else Console(width=200)
    for table in build_tables(result):
        console.print(table)
    if "references" in result:
        from ficlens.eval.references import reference_tables

        tables = reference_tables(result["references"])
        for table in tables:
            console.print(table)
        if not tables:
            console.print("references:", result["references"])
    console.print(f"stages: {', '.join(result['stages'])}; {result['seconds']} s")
