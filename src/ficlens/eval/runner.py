"""Running ficlens over gold documents and scoring what it returns.

Each document is read once and parsed once; the stages after the parse then run once
per mode (`cast-given`: the gold cast passed as `cast=`; `end-to-end`: the cast is
discovered), each on a fresh copy of the story. With `jobs > 1` documents run in
worker processes (one spaCy per worker).

Extension point: after scoring, if a module `ficlens.eval.references` exists and has
`evaluate_<dataset>_references(docs)`, it is called with the list of
`EvaluatedDocument` (gold document, the predicted `Story` per mode with the spaCy
parses dropped, and the gold->predicted quote matches per mode); the dict it returns
becomes the section `references` of the result.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ficlens.eval.data import GoldDocument
from ficlens.eval.metrics import map_characters, match_quotes, prf, split_characters
from ficlens.model import Paragraph, Story

MODES = ("cast-given", "end-to-end")
QUOTE_TYPES = ("explicit", "anaphoric", "implicit")


def modes_for(cast_given: bool | None) -> tuple[str, ...]:
    """The modes to run: True -> cast given only, False -> end to end only, None -> both."""
    if cast_given is None:
        return MODES
    return ("cast-given",) if cast_given else ("end-to-end",)


@dataclass
class EvaluatedDocument:
    """A gold document with what ficlens predicted for it, per mode."""

    gold: GoldDocument
    stories: dict[str, Story]
    #: per mode: gold quote index -> index into `stories[mode].quotes`
    matches: dict[str, dict[int, int]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def story(self) -> Story:
        """The end-to-end story if it was run, else the only one."""
        return self.stories.get("end-to-end") or next(iter(self.stories.values()))


def default_stages() -> list[str]:
    """Every stage of the pipeline, in order."""
    from ficlens.pipeline import DEFAULT_STAGES

    return list(DEFAULT_STAGES)


def run_document(doc: GoldDocument, modes: Sequence[str], stages: Sequence[str]) -> EvaluatedDocument:
    """Read, parse once, and run the other stages once per mode on one gold document."""
    from ficlens.pipeline import analyze

    timings: dict[str, float] = {}
    started = time.perf_counter()
    base = read_document(doc)
    rest = [s for s in stages if s != "parse"]
    if "parse" in stages:
        parse_with_cache(base, doc.name)
    timings["parse"] = time.perf_counter() - started
    stories: dict[str, Story] = {}
    for mode in modes:
        started = time.perf_counter()
        story = _fresh_copy(base)
        cast = doc.cast() if mode == "cast-given" else None
        story = analyze(story, cast=cast, stages=rest)
        timings[mode] = time.perf_counter() - started
        stories[mode] = _without_parse(story)
    return EvaluatedDocument(gold=doc, stories=stories, seconds=timings)


def read_document(doc: GoldDocument) -> Story:
    """The gold document's text read as ficlens reads it, cut into paragraphs as it is scored."""
    from ficlens.readers import read_story

    story = read_story(doc.path)
    if doc.extra.get("layout") == "lines":
        story.paragraphs = lines_as_paragraphs(story)
    return story


def parse_with_cache(story: Story, name: str, folder: str | Path | None = None) -> Story:
    """Run the parse stage, reusing a saved parse kept in `folder` (default: the folder
    $FICLENS_PARSE_CACHE names; neither: parse without saving).

    The saved parse is keyed by the spaCy model and the exact paragraph texts, so a
    change to the reader or the model makes a new entry instead of a stale parse.
    Only evaluation uses this: re-running `ficlens eval` then costs seconds, not minutes.
    """
    from ficlens.pipeline import analyze

    folder = folder or os.environ.get("FICLENS_PARSE_CACHE")
    if not folder:
        return analyze(story, stages=["parse"])
    from spacy.tokens import DocBin

    from ficlens.stages.nlp import load_nlp

    nlp = load_nlp()
    digest = hashlib.sha1(f"{nlp.meta.get('name')}-{nlp.meta.get('version')}".encode())
    for paragraph in story.paragraphs:
        digest.update(story.text[paragraph.start:paragraph.end].encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    safe = "".join(c if c.isalnum() else "_" for c in name)[:60]
    path = Path(folder) / f"{safe}-{digest.hexdigest()[:16]}.spacy"
    if path.exists():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if len(docs) == len(story.paragraphs):
            for paragraph, parsed in zip(story.paragraphs, docs):
                paragraph.doc = parsed
            return story
    analyze(story, stages=["parse"])
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = DocBin(store_user_data=False)
    for paragraph in story.paragraphs:
        saved.add(paragraph.doc)
    partial = path.with_suffix(f".{os.getpid()}.part")
    saved.to_disk(partial)
    os.replace(partial, path)
    return story


def lines_as_paragraphs(story: Story) -> list[Paragraph]:
    """One paragraph per non-blank line of each chapter.

    For data without paragraph breaks (LitBank: one sentence per line), so that every
    document is cut the same way whatever the reader guessed from its line lengths.
    """
    paragraphs: list[Paragraph] = []
    text = story.text
    for chapter in story.chapters:
        at = chapter.start
        while at < chapter.end:
            end = text.find("\n", at, chapter.end)
            end = chapter.end if end < 0 else end
            start = at
            while start < end and text[start].isspace():
                start += 1
            stop = end
            while stop > start and text[stop - 1].isspace():
                stop -= 1
            if stop > start:
                paragraphs.append(Paragraph(start, stop, chapter.index))
            at = end + 1
    return paragraphs


def _fresh_copy(base: Story) -> Story:
    # The paragraphs (and their spaCy parses) are shared; everything a stage fills is new.
    return dataclasses.replace(
        base, quotes=[], characters=[], mentions=[], places=[], emotions=None, network=None,
        cast=None, warnings=list(base.warnings), scenes=copy.deepcopy(base.scenes),
        chapters=copy.deepcopy(base.chapters), metadata=copy.deepcopy(base.metadata),
        paragraphs=[dataclasses.replace(p) for p in base.paragraphs],
    )


def _without_parse(story: Story) -> Story:
    story.paragraphs = [Paragraph(p.start, p.end, p.chapter) for p in story.paragraphs]
    return story


def _run_many(docs: Sequence[GoldDocument], modes: Sequence[str], stages: Sequence[str], jobs: int,
              progress: Callable[[str], None] | None) -> list[EvaluatedDocument]:
    results: dict[str, EvaluatedDocument] = {}
    total = len(docs)

    def report(result: EvaluatedDocument) -> None:
        if progress is not None:
            took = " ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
            progress(f"[{len(results)}/{total}] {result.gold.name}: {took}")

    if jobs <= 1 or total <= 1:
        for doc in docs:
            result = run_document(doc, modes, stages)
            results[doc.name] = result
            report(result)
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # Longest first, so the two workers finish together.
        ordered = sorted(docs, key=lambda d: -len(d.text))
        with ProcessPoolExecutor(max_workers=min(jobs, total)) as pool:
            futures = [pool.submit(run_document, doc, list(modes), list(stages)) for doc in ordered]
            for future in as_completed(futures):
                result = future.result()
                results[result.gold.name] = result
                report(result)
    return [results[doc.name] for doc in docs]


def evaluate_documents(dataset: str, docs: Sequence[GoldDocument], *, modes: Sequence[str] = MODES,
                       jobs: int = 1, stages: Sequence[str] | None = None,
                       dump: str | os.PathLike[str] | None = None,
                       progress: Callable[[str], None] | None = None) -> dict:
    """Run ficlens over the documents and score it.

    Returns `{"dataset", "modes", "stages", "documents": {name: sections}, "overall":
    sections, "seconds"}` where sections are `quotes` (detection P/R/F1) and, per mode,
    `speakers` (accuracy overall and by quote type), `addressees` (P/R/F1) and
    `characters` (the split measure); plus `references` when that module is installed.
    """
    stages = list(stages) if stages is not None else default_stages()
    if not any(s in stages for s in ("cast", "speakers", "addressees")):
        modes = modes[:1]  # nothing depends on the cast: one pass is enough
    started = time.perf_counter()
    evaluated = _run_many(docs, modes, stages, jobs, progress)
    per_span = dataset == "litbank"  # LitBank quotes are single contiguous stretches
    documents: dict[str, dict] = {}
    totals: dict[str, dict] = {}
    handle = open(dump, "w", encoding="utf-8") if dump is not None else None  # noqa: SIM115
    try:
        for result in evaluated:
            sections: dict[str, Any] = {}
            for n, mode in enumerate(modes):
                counts, rows, matches = score_document(result.gold, result.stories[mode], mode, per_span)
                result.matches[mode] = matches
                if n == 0:
                    sections["quotes"] = finish_quotes(counts["quotes"])
                    _add(totals.setdefault("quotes", {}), counts["quotes"])
                sections[mode] = finish_mode(counts)
                _add(totals.setdefault(mode, {}), counts)
                if handle is not None:
                    for row in rows:
                        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            sections["seconds"] = {k: round(v, 2) for k, v in result.seconds.items()}
            documents[result.gold.name] = sections
    finally:
        if handle is not None:
            handle.close()
    overall: dict[str, Any] = {"quotes": finish_quotes(totals.get("quotes", _zero_quotes()))}
    for mode in modes:
        overall[mode] = finish_mode(totals[mode]) if mode in totals else None
    result: dict[str, Any] = {
        "dataset": dataset,
        "modes": list(modes),
        "stages": stages,
        "documents": documents,
        "overall": overall,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if "parse" in stages:  # the reference measures need the parse; a quotes-only run skips them
        extra = _references(dataset, evaluated, progress)
        if extra is not None:
            result["references"] = extra
    return result


def _references(dataset: str, evaluated: list[EvaluatedDocument],
                progress: Callable[[str], None] | None) -> dict | None:
    import importlib

    try:
        references = importlib.import_module("ficlens.eval.references")
    except ModuleNotFoundError as exc:
        if exc.name == "ficlens.eval.references":
            return None
        raise
    hook = getattr(references, f"evaluate_{dataset}_references", None)
    if hook is None:
        return None
    try:
        return hook(evaluated)
    except Exception as exc:  # noqa: BLE001 -- the dialogue scores stand if the reference measures fail
        message = f"reference measures failed: {type(exc).__name__}: {exc}"
        if progress is not None:
            progress(message)
        return {"error": message}


def _zero_quotes() -> dict:
    return {"gold": 0, "predicted": 0, "matched": 0}


def _add(into: dict, counts: dict) -> None:
    """Sum nested count dicts (ints add up, lists concatenate, dicts recurse)."""
    for key, value in counts.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        elif isinstance(value, list):
            into.setdefault(key, []).extend(value)
        else:
            into[key] = into.get(key, 0) + value


def score_document(gold: GoldDocument, story: Story, mode: str, per_span: bool = False
                   ) -> tuple[dict, list[dict], dict[int, int]]:
    """Counts for one document and mode, the per-quote rows, and the quote matches.

    With `per_span`, each span of a predicted quote is matched on its own (for data
    whose quotations are single stretches); it carries its quote's speaker and addressees.
    """
    units: list[tuple[int, list[tuple[int, int]]]] = []
    for qi, quote in enumerate(story.quotes):
        if per_span:
            units.extend((qi, [span]) for span in quote.spans)
        else:
            units.append((qi, list(quote.spans)))
    matches = match_quotes([q.spans for q in gold.quotes], [u[1] for u in units])
    mapping = _character_mapping(gold, story, mode)
    type_counts = {t: {"total": 0, "correct": 0} for t in QUOTE_TYPES}
    speakers = {"total": 0, "correct": 0, "found": 0, "correct_found": 0, "by_type": type_counts}
    addressees = {"tp": 0, "fp": 0, "fn": 0}
    split_input: list[tuple[str, str | None, str | None, str | None]] = []
    rows: list[dict] = []
    matched_units = set(matches.values())
    for gi, gq in enumerate(gold.quotes):
        unit = matches.get(gi)
        quote = story.quotes[units[unit][0]] if unit is not None else None
        pid = quote.speaker if quote is not None else None
        predicted = mapping.get(pid) if pid is not None else None
        correct = quote is not None and gq.speaker is not None and predicted == gq.speaker
        speakers["total"] += 1
        speakers["correct"] += int(correct)
        if quote is not None:
            speakers["found"] += 1
            speakers["correct_found"] += int(correct)
        if gq.type in type_counts:
            type_counts[gq.type]["total"] += 1
            type_counts[gq.type]["correct"] += int(correct)
        gold_addr = set(gq.addressees)
        pred_addr = _mapped_addressees(quote, mapping)
        hits = len(gold_addr & {a for a in pred_addr if a is not None})
        addressees["tp"] += hits
        addressees["fn"] += len(gold_addr) - hits
        addressees["fp"] += len(pred_addr) - hits
        split_input.append((gold.name, gq.speaker, pid, predicted))
        rows.append({
            "dataset": gold.dataset, "document": gold.name, "mode": mode, "gold_quote": gq.id,
            "type": gq.type, "found": quote is not None,
            "predicted_quote": quote.id if quote is not None else None,
            "gold_spans": gq.spans, "predicted_spans": units[unit][1] if unit is not None else None,
            "gold_speaker": gq.speaker, "predicted_speaker": predicted, "predicted_speaker_id": pid,
            "speaker_correct": correct, "gold_addressees": sorted(gold_addr),
            "predicted_addressees": sorted(a if a is not None else "?" for a in pred_addr),
            "text": gq.text[:300],
        })
    matched_quotes = {units[u][0] for u in matched_units}
    for ui, (qi, spans) in enumerate(units):
        if ui in matched_units:
            continue
        quote = story.quotes[qi]
        if qi not in matched_quotes:
            matched_quotes.add(qi)  # count a spurious quote's addressees once
            addressees["fp"] += len(_mapped_addressees(quote, mapping))
        rows.append({
            "dataset": gold.dataset, "document": gold.name, "mode": mode, "gold_quote": None,
            "type": None, "found": False, "predicted_quote": quote.id, "gold_spans": None,
            "predicted_spans": spans, "gold_speaker": None,
            "predicted_speaker": mapping.get(quote.speaker) if quote.speaker else None,
            "predicted_speaker_id": quote.speaker, "speaker_correct": False,
            "gold_addressees": [], "predicted_addressees": [],
            "text": story.text[spans[0][0]:spans[-1][1]][:300],
        })
    # The same matching over single stretches: gold parts against predicted spans, blind
    # to how stretches are grouped into quotations.
    gold_parts = [[span] for q in gold.quotes for span in q.spans]
    predicted_parts = [[span] for q in story.quotes for span in q.spans]
    quotes = {"gold": len(gold.quotes), "predicted": len(units), "matched": len(matches),
              "spans": {"gold": len(gold_parts), "predicted": len(predicted_parts),
                        "matched": len(match_quotes(gold_parts, predicted_parts))}}
    counts = {"quotes": quotes, "speakers": speakers, "addressees": addressees,
              "has_addressees": int(gold.dataset != "litbank"),
              "characters": {"split_input": split_input}}
    return counts, rows, matches


def _mapped_addressees(quote: Any, mapping: dict[str, str | None]) -> list[str | None]:
    if quote is None:
        return []
    return list(dict.fromkeys(mapping.get(a) if a in mapping else None for a in quote.addressees))


def _character_mapping(gold: GoldDocument, story: Story, mode: str) -> dict[str, str | None]:
    predicted = {c.id: [c.name, *c.aliases] for c in story.characters}
    prominence: dict[str, int] = {}
    for quote in gold.quotes:
        if quote.speaker is not None:
            prominence[quote.speaker] = prominence.get(quote.speaker, 0) + 1
    mapping = map_characters(predicted, gold.characters, prominence)
    if mode == "cast-given":
        for c in story.characters:
            if c.name in gold.characters:
                mapping[c.id] = c.name  # the cast's own names are exact
    return mapping


def finish_quotes(counts: dict) -> dict:
    """Quote detection precision/recall/F1 from gold/predicted/matched counts (and the same
    for single stretches under `spans`: gold parts against predicted spans)."""
    tp = counts["matched"]
    scores = prf(tp, counts["predicted"] - tp, counts["gold"] - tp)
    result = {"gold": counts["gold"], "predicted": counts["predicted"], "matched": tp,
              "precision": scores["precision"], "recall": scores["recall"], "f1": scores["f1"]}
    if "spans" in counts:
        result["spans"] = finish_quotes(counts["spans"])
    return result


def finish_mode(counts: dict) -> dict:
    """The speaker, addressee and character sections of one mode from summed counts."""
    sp = counts["speakers"]
    by_type = {
        t: {"total": c["total"], "correct": c["correct"],
            "accuracy": c["correct"] / c["total"] if c["total"] else None}
        for t, c in sp["by_type"].items() if c["total"]
    }
    speakers = {
        "total": sp["total"], "correct": sp["correct"],
        "accuracy": sp["correct"] / sp["total"] if sp["total"] else None,
        "accuracy_found": sp["correct_found"] / sp["found"] if sp["found"] else None,
        "by_type": by_type,
    }
    ad = counts["addressees"]
    addressees = prf(ad["tp"], ad["fp"], ad["fn"]) if counts.get("has_addressees") else None
    entries = counts["characters"]["split_input"]
    several = len({doc for doc, *_ in entries}) > 1

    def key(doc: str, name: str | None) -> str | None:
        return f"{doc}: {name}" if several and name is not None else name

    characters = split_characters([(key(d, g), key(d, p), key(d, m)) for d, g, p, m in entries])
    return {"speakers": speakers, "addressees": addressees, "characters": characters}
