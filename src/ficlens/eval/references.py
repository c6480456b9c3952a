"""Scoring references and places: person coreference and place mentions on LitBank,
pronoun-speaker resolution on PDNC.

Coreference is scored with `scorch` (the CoNLL-2012 metrics MUC, B-cubed and CEAF-e;
their mean is the CoNLL F1), on LitBank's person (PER) entities, in two settings:

- `gold-mentions`: the gold PER mention spans are given and ficlens only clusters them
  (the setting of BookNLP's and LitBank's published coreference figures);
- `predicted-mentions`: ficlens finds the mentions itself; a mention counts only when
  its span equals a gold one.

Each is compared with a baseline: names clustered by identical string and every
pronoun linked to the nearest preceding name of a compatible gender.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ficlens.model import Story

Span = tuple[int, int]
PLACE_TYPES = ("FAC", "GPE", "LOC")


# ------------------------------------------------------------------ metrics

def coref_counts(key: Sequence[Iterable[Span]], response: Sequence[Iterable[Span]]) -> dict[str, float]:
    """One document's MUC, B-cubed and CEAF-e numerators and denominators (via scorch), to be
    summed over documents as the CoNLL scorer does."""
    from scorch import scores

    k = [set(c) for c in key if c]
    r = [set(c) for c in response if c]
    out: dict[str, float] = {}
    dens = {
        "muc": (sum(len(c) - 1 for c in k), sum(len(c) - 1 for c in r)),
        "b3": (sum(len(c) for c in k), sum(len(c) for c in r)),
        "ceafe": (len(k), len(r)),
    }
    for name, metric in (("muc", scores.muc), ("b3", scores.b_cubed), ("ceafe", scores.ceaf_e)):
        recall, precision, _ = (float(x) for x in metric(k, r)) if k and r else (0.0, 0.0, 0.0)
        r_den, p_den = dens[name]
        out[f"{name}_r_num"], out[f"{name}_r_den"] = recall * r_den, r_den
        out[f"{name}_p_num"], out[f"{name}_p_den"] = precision * p_den, p_den
    return out


def scores_from_counts(counts: Iterable[dict[str, float]]) -> dict[str, Any]:
    """MUC, B-cubed, CEAF-e P/R/F1 micro-averaged over documents, and the CoNLL F1 (their mean)."""
    total: Counter = Counter()
    for c in counts:
        total.update(c)
    out: dict[str, Any] = {}
    for name in ("muc", "b3", "ceafe"):
        recall = total[f"{name}_r_num"] / total[f"{name}_r_den"] if total[f"{name}_r_den"] else 0.0
        precision = total[f"{name}_p_num"] / total[f"{name}_p_den"] if total[f"{name}_p_den"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[name] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}
    out["conll_f1"] = round(sum(out[m]["f1"] for m in ("muc", "b3", "ceafe")) / 3, 4)
    return out


def coref_scores(key: Sequence[Iterable[Span]], response: Sequence[Iterable[Span]]) -> dict[str, Any]:
    """MUC, B-cubed and CEAF-e precision/recall/F1 and their mean F1 (CoNLL) for one document."""
    return scores_from_counts([coref_counts(key, response)])


def clusters_from_ids(spans: Sequence[Span], ids: Sequence[int]) -> list[set[Span]]:
    """Group spans by their entity id."""
    groups: dict[int, set[Span]] = {}
    for span, eid in zip(spans, ids):
        groups.setdefault(eid, set()).add(span)
    return list(groups.values())


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "fp": fp, "fn": fn}


# ------------------------------------------------------------------ LitBank gold

def person_chains(brat: dict[str, Any]) -> list[list[Span]]:
    """LitBank's person entities (chains of mention spans, singletons included)."""
    kinds = {(s, e): kind for s, e, kind, _ in brat["mentions"]}
    chains = []
    for spans in brat["entities"].values():
        types = Counter(kinds.get(tuple(span), "").rsplit("_", 1)[-1] for span in spans)
        if types and types.most_common(1)[0][0] == "PER":
            chains.append(sorted({(int(s), int(e)) for s, e in spans}))
    return chains


def place_spans(path: Path) -> set[Span]:
    """LitBank's FAC/GPE/LOC entity mentions (`entities/brat/<id>.ann`)."""
    out: set[Span] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) < 2 or not cells[0].startswith("T"):
            continue
        kind, start, end = cells[1].split(" ")[:3]
        if kind in PLACE_TYPES:
            out.add((int(start), int(end)))
    return out


# ------------------------------------------------------------------ baseline

def baseline_clusters(story: Story, spans: Sequence[Span]) -> list[int]:
    """Names by identical string; each pronoun to the nearest preceding gender-compatible
    name (1st/2nd person and plural pronouns, and nominals, stay alone)."""
    from ficlens.stages.coref import collect_candidates

    cands = collect_candidates(story, spans=spans)
    ids: dict[Span, int] = {}
    by_name: dict[tuple[str, ...], int] = {}
    names: list[tuple[int, int, str | None]] = []  # (end, id, gender)
    next_id = 0
    for cand in cands:
        span = (cand.start, cand.end)
        eid = None
        if cand.kind == "name":
            key = cand.key or (cand.text.lower(),)
            eid = by_name.get(key)
            if eid is None:
                eid = by_name[key] = next_id
                next_id += 1
            names.append((cand.end, eid, cand.gender))
        elif cand.kind == "pronoun" and cand.person == 3 and cand.number == "sg":
            for end, name_id, gender in reversed(names):
                if end <= cand.start and (gender is None or gender == cand.gender):
                    eid = name_id
                    break
        if eid is None:
            eid = next_id
            next_id += 1
        ids[span] = eid
    return [ids[s] for s in spans]


# ------------------------------------------------------------------ LitBank

_UP_TO_COREF = ("parse", "quotes", "cast", "speakers", "addressees")


def _analyzed(doc: Any) -> Story:
    """The document read, parsed and run through the stages before coreference, cut into
    paragraphs as the quotation evaluation cuts it (one per line for LitBank) and parsed
    through the evaluation's parse cache."""
    from ficlens.eval.runner import parse_with_cache, read_document
    from ficlens.pipeline import analyze

    story = parse_with_cache(read_document(doc), doc.name)
    return analyze(story, stages=[s for s in _UP_TO_COREF if s != "parse"])


def score_litbank_document(story: Story, brat: dict[str, Any], places_gold: set[Span] | None
                           ) -> dict[str, Any]:
    """Gold chains and the system's and baseline's clusters for one parsed document."""
    from ficlens.stages.coref import cluster_candidates, cluster_spans, collect_candidates

    chains = person_chains(brat)
    spans = sorted({s for chain in chains for s in chain})
    out: dict[str, Any] = {"key": chains}
    out["gold"] = clusters_from_ids(spans, cluster_spans(story, spans))
    out["baseline"] = clusters_from_ids(spans, baseline_clusters(story, spans))
    cands = collect_candidates(story)
    ids, _ = cluster_candidates(story, cands)
    out["predicted"] = clusters_from_ids([(c.start, c.end) for c in cands], ids)
    if places_gold is not None:
        from ficlens.stages.coref import resolve_mentions
        from ficlens.stages.places import find_place_mentions

        resolve_mentions(story)  # the places stage runs after coreference in the pipeline

        found = {(m[0], m[1]) for m in find_place_mentions(story)}
        out["places"] = (len(found & places_gold), len(found - places_gold), len(places_gold - found))
    return out


def evaluate_litbank_references(source: Any = None, *, documents: str | None = None,
                                limit: int | None = None,
                                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Person coreference (MUC, B-cubed, CEAF-e, CoNLL F1; gold and predicted mentions, with
    the baseline) and place-mention P/R/F1 on LitBank.

    `source` is the data directory (or None: `$FICLENS_DATA`, `../shared/data`), or the
    list of evaluated documents that `ficlens eval litbank` passes in (their stories are
    read again and parsed, since the evaluation keeps no parse).
    """
    from ficlens.eval import litbank

    started = time.perf_counter()
    if isinstance(source, list):
        docs = [item.gold for item in source]
    else:
        docs = litbank.load(source, documents, limit)
    settings = ("gold", "baseline", "predicted")
    counts: dict[str, list[dict[str, float]]] = {name: [] for name in settings}
    place_counts = [0, 0, 0]
    per_doc: dict[str, Any] = {}
    entities = mentions = 0
    for n, doc in enumerate(docs, start=1):
        brat = doc.extra.get("coref") or litbank.read_brat(doc.path.with_suffix(".ann"))
        root = doc.path.parents[2]
        ent_path = root / "entities" / "brat" / f"{doc.name}.ann"
        places_gold = place_spans(ent_path) if ent_path.exists() else None
        story = _analyzed(doc)
        result = score_litbank_document(story, brat, places_gold)
        entities += len(result["key"])
        mentions += sum(len(c) for c in result["key"])
        for name in settings:
            counts[name].append(coref_counts(result["key"], result[name]))
        if "places" in result:
            place_counts = [a + b for a, b in zip(place_counts, result["places"])]
        f1 = scores_from_counts(counts["gold"][-1:])["conll_f1"]
        per_doc[doc.name] = {"gold_mentions_conll_f1": f1}
        if progress is not None:
            progress(f"[{n}/{len(docs)}] {doc.name}: CoNLL F1 (gold mentions) {f1:.3f}")
    out: dict[str, Any] = {
        "documents": len(docs),
        "person_entities": entities,
        "person_mentions": mentions,
        "coreference": {
            "gold-mentions": scores_from_counts(counts["gold"]),
            "gold-mentions baseline": scores_from_counts(counts["baseline"]),
            "predicted-mentions": scores_from_counts(counts["predicted"]),
        },
        "places": _prf(*place_counts),
        "per_document": per_doc,
        "seconds": round(time.perf_counter() - started, 1),
    }
    return out


# ------------------------------------------------------------------ PDNC

def evaluate_pdnc_references(evaluated: list[Any]) -> dict[str, Any]:
    """The `references` section of `ficlens eval pdnc`: pronoun-speaker accuracy."""
    return evaluate_pdnc_pronouns(evaluated)


def evaluate_pdnc_pronouns(source: Any = None, *, novels: str | None = None,
                           limit: int | None = None) -> dict[str, Any]:
    """Pronoun-speaker resolution on PDNC's anaphoric quotations.

    For each gold anaphoric quotation whose speech tag holds a personal pronoun (`he
    said`), the pronoun is found next to the quotation and its resolved character is
    compared with the gold speaker. Reported per mode (cast given / end to end) with the
    nearest-gender-compatible-name baseline.
    """
    from ficlens.eval.runner import MODES, run_document

    if isinstance(source, list):
        evaluated = source
    else:
        from ficlens.eval import pdnc

        docs = pdnc.load(source, novels, limit)
        from ficlens.eval.runner import default_stages

        evaluated = [run_document(doc, ("cast-given",), default_stages()) for doc in docs]
    out: dict[str, Any] = {}
    for mode in MODES:
        counts = Counter()
        for item in evaluated:
            story = item.stories.get(mode)
            if story is None:
                continue
            counts.update(_pdnc_pronoun_counts(item.gold, story, mode))
        if counts["total"]:
            out[mode] = {
                "anaphoric_pronoun_quotes": counts["total"],
                "pronoun_found": counts["found"],
                "accuracy": round(counts["correct"] / counts["total"], 4),
                "baseline_accuracy": round(counts["baseline"] / counts["total"], 4),
            }
    return {"pronoun_speakers": out}


_TAG_PRONOUNS = ("he", "she", "i", "they", "we")


def _pdnc_pronoun_counts(gold: Any, story: Story, mode: str) -> Counter:
    import bisect
    import re

    from ficlens.eval.metrics import map_characters
    from ficlens.stages.coref import PRONOUNS
    from ficlens.stages.lexicon import given_names

    counts: Counter = Counter()
    if mode == "cast-given":
        names = {c.id: c.name for c in story.characters}
    else:
        mapping = map_characters({c.id: [c.name, *c.aliases] for c in story.characters},
                                 {k: sorted(v) for k, v in gold.characters.items()})
        names = {cid: name for cid, name in mapping.items() if name}
    mentions = sorted(story.mentions, key=lambda m: m.start)
    starts = [m.start for m in mentions]
    for quote in gold.quotes:
        if (quote.type or "").lower() != "anaphoric" or not quote.referring_expression:
            continue
        words = re.findall(r"[A-Za-z']+", quote.referring_expression.lower())
        pronoun = next((w for w in words if w in PRONOUNS and PRONOUNS[w][0] == 3
                        and PRONOUNS[w][1] == "sg"), None)
        if pronoun is None:
            continue
        counts["total"] += 1
        # the pronoun nearest to the quotation, outside it, within 150 characters
        lo, hi = quote.start - 150, quote.end + 150
        best = None
        for i in range(bisect.bisect_left(starts, lo), bisect.bisect_right(starts, hi)):
            m = mentions[i]
            if m.kind != "pronoun" or m.text.lower() != pronoun:
                continue
            if any(s - 1 <= m.start < e + 1 for s, e in quote.spans):
                continue
            dist = quote.start - m.end if m.end <= quote.start else m.start - quote.end
            if best is None or dist < best[0]:
                best = (dist, m)
        if best is None:
            continue
        counts["found"] += 1
        m = best[1]
        if m.character and names.get(m.character) == quote.speaker:
            counts["correct"] += 1
        # baseline: the nearest preceding name mention of a compatible gender
        gender = PRONOUNS[pronoun][2]
        j = bisect.bisect_left(starts, m.start) - 1
        while j >= 0:
            cand = mentions[j]
            if cand.kind == "name" and cand.character:
                first = cand.text.split()[0].lower().rstrip(".")
                g = _title_or_name_gender(first, given_names())
                if g is None or g == gender:
                    if names.get(cand.character) == quote.speaker:
                        counts["baseline"] += 1
                    break
            j -= 1
    return counts


def _title_or_name_gender(word: str, names: dict[str, str]) -> str | None:
    from ficlens.stages.coref import _TITLE_WORDS

    if word in _TITLE_WORDS:
        return _TITLE_WORDS[word]
    return names.get(word)


def data_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The LitBank folder (for scripts and tests)."""
    from ficlens.eval.data import find_dataset

    return find_dataset("litbank", explicit)


def reference_tables(section: dict[str, Any]) -> list[Any]:
    """The `references` section of an evaluation as rich tables (for `ficlens eval`)."""
    from rich.table import Table

    tables = []
    coref = section.get("coreference")
    if coref:
        table = Table(title=f"Person coreference on LitBank ({section.get('documents')} documents, "
                            f"{section.get('person_mentions')} mentions)")
        table.add_column("setting")
        for metric in ("MUC", "B3", "CEAF-e"):
            table.add_column(f"{metric} P/R/F1", justify="right")
        table.add_column("CoNLL F1", justify="right")
        for setting, scores in coref.items():
            cells = [f"{scores[m]['precision']:.3f}/{scores[m]['recall']:.3f}/{scores[m]['f1']:.3f}"
                     for m in ("muc", "b3", "ceafe")]
            table.add_row(setting, *cells, f"{scores['conll_f1']:.3f}")
        tables.append(table)
    places = section.get("places")
    if places:
        table = Table(title="Place mentions on LitBank (FAC, GPE, LOC)")
        for column in ("precision", "recall", "F1", "gold", "predicted"):
            table.add_column(column, justify="right")
        table.add_row(f"{places['precision']:.3f}", f"{places['recall']:.3f}", f"{places['f1']:.3f}",
                      str(places["tp"] + places["fn"]), str(places["tp"] + places["fp"]))
        tables.append(table)
    pronouns = section.get("pronoun_speakers")
    if pronouns:
        table = Table(title="Pronoun speech tags resolved to the gold speaker (PDNC anaphoric quotes)")
        for column in ("mode", "quotes", "pronoun found", "accuracy", "baseline"):
            table.add_column(column, justify="right")
        for mode, row in pronouns.items():
            table.add_row(mode, str(row["anaphoric_pronoun_quotes"]), str(row["pronoun_found"]),
                          f"{row['accuracy']:.3f}", f"{row['baseline_accuracy']:.3f}")
        tables.append(table)
    return tables
