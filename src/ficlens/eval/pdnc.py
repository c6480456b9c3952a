"""The Project Dialogism Novel Corpus (PDNC): reading it and scoring ficlens on it.

Each novel folder holds `novel_text.txt`, `quotation_info.csv` and
`character_info.csv`. Gold quotation spans EXCLUDE the quotation marks and a
quotation interrupted by narration has one span per part; speaker and addressee
names are resolved to each character's `Main Name` through its aliases.
"""

from __future__ import annotations

import ast
import csv
import os
from pathlib import Path
from typing import Any

from ficlens.errors import InputError
from ficlens.eval.data import GoldDocument, GoldQuote, find_dataset, normalize_name, select

_TYPES = {"explicit": "explicit", "anaphoric": "anaphoric", "implicit": "implicit"}


def novel_names(root: Path) -> list[str]:
    """The novel folders under a PDNC directory, sorted."""
    return sorted(p.parent.name for p in root.glob("*/quotation_info.csv"))


def load_novel(folder: Path) -> GoldDocument:
    """One PDNC novel as a `GoldDocument` (names resolved to main names)."""
    text_path = folder / "novel_text.txt"
    try:
        text = text_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read novel text: {exc.strerror or exc}", str(text_path)) from exc
    characters, resolve = _load_characters(folder / "character_info.csv")
    quotes: list[GoldQuote] = []
    path = folder / "quotation_info.csv"
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for n, row in enumerate(csv.DictReader(handle), start=2):
                quotes.append(_quote(row, resolve, path, n))
    except (OSError, csv.Error, KeyError) as exc:
        raise InputError(f"cannot read quotations: {exc}", str(path)) from exc
    quotes.sort(key=lambda q: q.start)
    return GoldDocument(dataset="pdnc", name=folder.name, path=text_path, text=text, quotes=quotes,
                        characters=characters)


def _literal(value: str, path: Path, line: int, column: str) -> Any:
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError) as exc:
        raise InputError(f"line {line}: column {column} is not a Python literal: {value[:60]!r}",
                         str(path)) from exc


def _quote(row: dict[str, str], resolve: Any, path: Path, line: int) -> GoldQuote:
    spans = [(int(s), int(e)) for s, e in _literal(row["quoteByteSpans"], path, line, "quoteByteSpans")]
    addressees = _literal(row["addressees"] or "[]", path, line, "addressees")
    mentions: list[tuple[int, int, str, list[str]]] = []
    if row.get("mentionSpansList"):
        texts = _literal(row["mentionTextsList"], path, line, "mentionTextsList")
        spans_list = _literal(row["mentionSpansList"], path, line, "mentionSpansList")
        entities = _literal(row["mentionEntitiesList"], path, line, "mentionEntitiesList")
        for part_texts, part_spans, part_entities in zip(texts, spans_list, entities):
            for mention_text, (s, e), names in zip(part_texts, part_spans, part_entities):
                mentions.append((int(s), int(e), mention_text, [resolve(n) for n in names]))
    kind = _TYPES.get((row.get("quoteType") or "").strip().lower())
    refex = (row.get("referringExpression") or "").strip()
    return GoldQuote(
        id=row["quoteID"],
        spans=spans,
        speaker=resolve(row["speaker"]),
        addressees=list(dict.fromkeys(resolve(a) for a in addressees)),
        type=kind,
        text=row.get("quoteText", ""),
        referring_expression=None if refex in ("", "nan") else refex,
        mentions=mentions,
    )


def _load_characters(path: Path) -> tuple[dict[str, set[str]], Any]:
    characters: dict[str, set[str]] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for n, row in enumerate(csv.DictReader(handle), start=2):
                main = row["Main Name"].strip()
                aliases = _literal(row["Aliases"], path, n, "Aliases") if row["Aliases"].strip() else set()
                characters[main] = {main} | {a.strip() for a in aliases if a.strip()}
    except (OSError, csv.Error, KeyError) as exc:
        raise InputError(f"cannot read characters: {exc}", str(path)) from exc
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    for main, aliases in characters.items():
        exact[main] = main
        loose.setdefault(normalize_name(main), main)
    for main, aliases in characters.items():
        for alias in aliases:
            exact.setdefault(alias, main)
            loose.setdefault(normalize_name(alias), main)

    def resolve(name: str) -> str:
        name = name.strip()
        return exact.get(name) or loose.get(normalize_name(name)) or name

    return characters, resolve


def load(data_dir: str | os.PathLike[str] | None = None, novels: str | None = None,
         limit: int | None = None) -> list[GoldDocument]:
    """The PDNC novels (all, or those named in the comma list `novels`, or the first `limit`)."""
    root = find_dataset("pdnc", data_dir)
    names = select(novel_names(root), novels, limit, "novel")
    return [load_novel(root / name) for name in names]


def evaluate(data_dir: str | os.PathLike[str] | None = None, *, cast_given: bool | None = None,
             novels: str | list[str] | None = None, limit: int | None = None, jobs: int = 1,
             stages: list[str] | None = None, dump: str | os.PathLike[str] | None = None,
             progress: Any = None) -> dict:
    """Run ficlens over PDNC and return the scores as a dict.

    `cast_given=True` scores only with the gold cast given, `False` only end to end,
    `None` both (the parse is shared). The dict holds `documents` (per novel),
    `overall`, and any extra sections (see `ficlens.eval.runner.evaluate_documents`).
    """
    from ficlens.eval.runner import evaluate_documents, modes_for

    if isinstance(novels, list):
        novels = ",".join(novels)
    docs = load(data_dir, novels, limit)
    return evaluate_documents("pdnc", docs, modes=modes_for(cast_given), jobs=jobs, stages=stages,
                              dump=dump, progress=progress)
