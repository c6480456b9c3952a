"""LitBank: reading its quotation and coreference annotation and scoring ficlens on it.

Each of the 100 documents is a ~2,000-word excerpt, tokenised (tokens separated by
single spaces, one sentence per line, no paragraph breaks, no chapter headings).
ficlens reads `coref/brat/<id>.txt`; the token spans of
`quotations/tsv/<id>.ann` (QUOTE rows, end token inclusive, quotation marks
included) are turned into character offsets into that file. Each QUOTE row is one
contiguous stretch (LitBank has no multi-part quotations), and its speaker
(ATTRIB row) is a coreference entity of `coref/brat/<id>.ann`. The texts carry no
paragraph breaks, so the evaluation gives ficlens one paragraph per line (sentence)
for every document instead of what the reader guesses from line lengths.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from ficlens.errors import InputError
from ficlens.eval.data import GoldDocument, GoldQuote, find_dataset, select


def document_names(root: Path) -> list[str]:
    """The document stems under a LitBank directory, sorted."""
    return sorted(p.stem for p in (root / "quotations" / "tsv").glob("*.ann"))


def token_offsets(text: str) -> list[list[tuple[int, int]]]:
    """Character (start, end) of every token, per sentence line, in a tokenised LitBank text."""
    offsets: list[list[tuple[int, int]]] = []
    position = 0
    for line in text.split("\n"):
        row = []
        at = position
        for token in line.split(" "):
            row.append((at, at + len(token)))
            at += len(token) + 1
        offsets.append(row)
        position += len(line) + 1
    return offsets


def read_brat(path: Path) -> dict[str, Any]:
    """The coreference annotation of one document.

    Returns `mentions` [(start, end, type, text)] (type such as PROP_PER),
    `entities` {label: [(start, end)]} and `relations` [(kind, (start, end), (start, end))].
    """
    mentions: list[tuple[int, int, str, str]] = []
    entities: dict[str, list[tuple[int, int]]] = {}
    by_id: dict[str, tuple[int, int]] = {}
    relations_raw: list[tuple[str, str, str]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read coreference annotation: {exc.strerror or exc}", str(path)) from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        try:
            if cells[0].startswith("T"):
                label, start, end = cells[1].split(" ")[:3]
                span = (int(start), int(end))
                by_id[cells[0]] = span
                if "_" in label and label.split("_", 1)[0] in ("PROP", "NOM", "PRON") and label.isupper():
                    mentions.append((span[0], span[1], label, cells[2] if len(cells) > 2 else ""))
                else:
                    entities.setdefault(label, []).append(span)
            elif cells[0].startswith("R"):
                kind, arg1, arg2 = cells[1].split(" ")
                relations_raw.append((kind, arg1.split(":")[1], arg2.split(":")[1]))
        except (IndexError, ValueError) as exc:
            raise InputError(f"line {n}: not a brat row: {line[:60]!r}", str(path)) from exc
    relations = [(k, by_id[a], by_id[b]) for k, a, b in relations_raw if a in by_id and b in by_id]
    return {"mentions": mentions, "entities": entities, "relations": relations}


def load_document(root: Path, stem: str) -> GoldDocument:
    """One LitBank document as a `GoldDocument`.

    Its `characters` are the PER entities with at least one proper-name mention, named
    by their most frequent proper name (all proper names as aliases); a speaker without
    a proper name keeps its entity label. `extra` holds the coreference annotation
    (`read_brat`) and `labels` ({character name: entity label}).
    """
    text_path = root / "coref" / "brat" / f"{stem}.txt"
    ann_path = root / "quotations" / "tsv" / f"{stem}.ann"
    try:
        text = text_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read text: {exc.strerror or exc}", str(text_path)) from exc
    brat = read_brat(root / "coref" / "brat" / f"{stem}.ann")
    names, labels = _characters(text, brat)
    label_to_name = {label: name for name, label in labels.items()}
    offsets = token_offsets(text)
    quotes: dict[str, GoldQuote] = {}
    speakers: dict[str, str] = {}
    try:
        rows = ann_path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read quotations: {exc.strerror or exc}", str(ann_path)) from exc
    for n, line in enumerate(rows, start=1):
        cells = line.split("\t")
        try:
            if cells[0] == "QUOTE":
                qid = cells[1]
                s_sent, s_tok, e_sent, e_tok = (int(c) for c in cells[2:6])
                start = offsets[s_sent][s_tok][0]
                end = offsets[e_sent][e_tok][1]
                quotes[qid] = GoldQuote(id=qid, spans=[(start, end)], speaker=None, text=text[start:end])
            elif cells[0] == "ATTRIB":
                speakers[cells[1]] = cells[2].strip()
        except (IndexError, ValueError) as exc:
            raise InputError(f"line {n}: not a QUOTE/ATTRIB row: {line[:60]!r}", str(ann_path)) from exc
    for qid, label in speakers.items():
        if qid in quotes:
            quotes[qid].speaker = label_to_name.get(label, label)
    ordered = sorted(quotes.values(), key=lambda q: q.start)
    return GoldDocument(dataset="litbank", name=stem, path=text_path, text=text, quotes=ordered,
                        characters=names, extra={"coref": brat, "labels": labels, "layout": "lines"})


def _characters(text: str, brat: dict[str, Any]) -> tuple[dict[str, set[str]], dict[str, str]]:
    kinds = {(s, e): kind for s, e, kind, _ in brat["mentions"]}
    names: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for label, spans in brat["entities"].items():
        proper = Counter(
            " ".join(text[s:e].split()) for s, e in spans if kinds.get((s, e), "") == "PROP_PER"
        )
        if not proper:
            continue
        main = proper.most_common(1)[0][0]
        if main in names:
            main = f"{main} ({label})"
        names[main] = {main} | set(proper)
        labels[main] = label
    return names, labels


def load(data_dir: str | os.PathLike[str] | None = None, documents: str | None = None,
         limit: int | None = None) -> list[GoldDocument]:
    """The LitBank documents (all, those in the comma list `documents`, or the first `limit`)."""
    root = find_dataset("litbank", data_dir)
    names = select(document_names(root), documents, limit, "document")
    return [load_document(root, stem) for stem in names]


def evaluate(data_dir: str | os.PathLike[str] | None = None, *, cast_given: bool | None = None,
             documents: str | list[str] | None = None, limit: int | None = None, jobs: int = 1,
             stages: list[str] | None = None, dump: str | os.PathLike[str] | None = None,
             progress: Any = None) -> dict:
    """Run ficlens over LitBank and return the scores as a dict (see `pdnc.evaluate`)."""
    from ficlens.eval.runner import evaluate_documents, modes_for

    if isinstance(documents, list):
        documents = ",".join(documents)
    docs = load(data_dir, documents, limit)
    return evaluate_documents("litbank", docs, modes=modes_for(cast_given), jobs=jobs, stages=stages,
                              dump=dump, progress=progress)
