"""Train the place span model shipped in `src/ficlens/data/place_model.json` on LitBank.

    python scripts/train_place_model.py [--data DIR] [--folds 5] [--out FILE]

Every LitBank document is read, parsed (through the evaluation's parse cache) and run
through the stages before places, as `ficlens eval litbank` runs it. Each place candidate
of `ficlens.stages.places` (a head word with the spans it could have) gives one row per
span, labelled 1 when the span is one of LitBank's FAC/GPE/LOC mentions. A logistic model
over the span features of `ficlens.stages.place_model` is trained; at run time each
candidate takes its most likely span when that is likely enough (the threshold that gives
the best F1 on the training documents).

`--folds K` also reports K-fold cross-validated place-mention P/R/F1: the documents, sorted
by file name, are dealt into K folds; each fold is scored (with `find_place_mentions`, as
the evaluation scores it) by a model trained on the other folds only. The shipped model is
trained on all documents; its in-sample figure is printed too, for comparison only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from ficlens.eval import litbank
from ficlens.eval.references import _analyzed, place_spans
from ficlens.stages.coref import resolve_mentions
from ficlens.stages.place_model import features, head_features, options
from ficlens.stages.places import find_place_mentions, place_candidates

ROOT = Path(__file__).resolve().parents[1]
#: Weights smaller than this are dropped from the shipped file (they hardly move a score).
MIN_WEIGHT = 0.05
THRESHOLDS = [round(0.2 + 0.05 * k, 2) for k in range(11)]


class Document:
    """One LitBank document: its analysed story, gold place spans and candidate rows."""

    def __init__(self, name: str, story, gold: set[tuple[int, int]]):
        self.name = name
        self.story = story
        self.gold = gold
        self.rows: list[list[str]] = []
        self.labels: list[int] = []
        self.groups: list[list[tuple[tuple[int, int], int]]] = []  # per candidate: (span, row)
        self.roles: list[str] = []
        self.rule_spans: list[tuple[int, int] | None] = []
        for cand in place_candidates(story):
            common = head_features(cand)
            group = []
            self.roles.append(cand.role)
            self.rule_spans.append(_chars(cand, cand.rule) if cand.rule is not None else None)
            for span in options(cand):
                group.append((_chars(cand, span), len(self.rows)))
                self.rows.append(features(cand, span, common))
                self.labels.append(int(_chars(cand, span) in gold))
            self.groups.append(group)


def _chars(cand, span: tuple[int, int]) -> tuple[int, int]:
    """A candidate's token span as character offsets into the story."""
    doc = cand.doc
    return cand.base + doc[span[0]].idx, cand.base + doc[span[1]].idx + len(doc[span[1]].text)


def load_documents(data: str | None) -> list[Document]:
    """Every LitBank document with place annotations, analysed up to the places stage."""
    out = []
    for doc in litbank.load(data, None, None):
        path = doc.path.parents[2] / "entities" / "brat" / f"{doc.name}.ann"
        if not path.exists():
            continue
        story = resolve_mentions(_analyzed(doc))
        out.append(Document(doc.name, story, place_spans(path)))
    return sorted(out, key=lambda d: d.name)


def fit(docs: list[Document], c: float) -> tuple[LogisticRegression, dict[str, int]]:
    """A logistic model over the span rows of `docs`, and its feature index."""
    vocab: dict[str, int] = {}
    indptr, indices, labels = [0], [], []
    for d in docs:
        for row, label in zip(d.rows, d.labels):
            indices.extend(sorted({vocab.setdefault(f, len(vocab)) for f in row}))
            indptr.append(len(indices))
            labels.append(label)
    x = csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(labels), len(vocab)))
    clf = LogisticRegression(C=c, max_iter=3000)
    clf.fit(x, np.array(labels))
    return clf, vocab


def train(docs: list[Document], c: float, inner: int = 4) -> dict:
    """A model trained on `docs`: weights, bias, and for each candidate role the threshold
    above which the model's span is taken, or None where the rules do better. That choice
    is made on `docs` alone, from out-of-fold probabilities (`inner`-fold)."""
    probs: dict[str, np.ndarray] = {}
    for k in range(inner):
        clf, vocab = fit([d for i, d in enumerate(docs) if i % inner != k], c)
        for i, d in enumerate(docs):
            if i % inner == k:
                probs[d.name] = clf.predict_proba(_matrix(d, vocab))[:, 1]
    roles = sorted({role for d in docs for role in d.roles})
    chosen: dict[str, float | None] = {}
    for role in roles:
        options = [None, *THRESHOLDS]
        chosen[role] = max(options, key=lambda t: (_f1(_counts(docs, probs, {role: t})), t is None))
    clf, vocab = fit(docs, c)
    names = sorted(vocab, key=vocab.get)
    weights = {f: round(float(w), 3) for f, w in zip(names, clf.coef_[0]) if abs(w) >= MIN_WEIGHT}
    return {"bias": round(float(clf.intercept_[0]), 4), "weights": weights, "roles": chosen}


def _matrix(d: Document, vocab: dict[str, int]) -> csr_matrix:
    indptr, indices = [0], []
    for row in d.rows:
        indices.extend(sorted({vocab[f] for f in row if f in vocab}))
        indptr.append(len(indices))
    return csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(d.rows), len(vocab)))


def _counts(docs: list[Document], probs: dict[str, np.ndarray],
            thresholds: dict[str, float | None]) -> tuple[int, int, int]:
    """tp, fp, fn when the roles in `thresholds` follow the model and the others the rules."""
    tp = fp = fn = 0
    for d in docs:
        p = probs[d.name]
        found = set()
        for role, rule, group in zip(d.roles, d.rule_spans, d.groups):
            t = thresholds.get(role)
            if t is None:
                if rule is not None:
                    found.add(rule)
                continue
            span, row = max(group, key=lambda g: p[g[1]])
            if p[row] >= t:
                found.add(span)
        tp += len(found & d.gold)
        fp += len(found - d.gold)
        fn += len(d.gold - found)
    return tp, fp, fn


def _f1(counts: tuple[int, int, int]) -> float:
    tp, fp, fn = counts
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def score(docs: list[Document], model: dict | bool) -> tuple[int, int, int]:
    """tp, fp, fn of `find_place_mentions` with `model` against the gold spans, summed as
    `ficlens eval litbank` sums them."""
    tp = fp = fn = 0
    for d in docs:
        found = {(m[0], m[1]) for m in find_place_mentions(d.story, model=model)}
        tp += len(found & d.gold)
        fp += len(found - d.gold)
        fn += len(d.gold - found)
    return tp, fp, fn


def report(label: str, counts: tuple[int, int, int]) -> dict:
    tp, fp, fn = counts
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    out = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(_f1(counts), 4),
           "tp": tp, "fp": fp, "fn": fn}
    print(f"{label}: P {p:.3f} R {r:.3f} F1 {out['f1']:.3f} (tp {tp} fp {fp} fn {fn})",
          file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="the data folder (default: $FICLENS_DATA or ../shared/data)")
    ap.add_argument("--folds", type=int, default=5, help="folds for cross-validation (0: none)")
    ap.add_argument("--c", type=float, default=0.05, help="inverse L2 regularisation strength")
    ap.add_argument("--out", default=str(ROOT / "src" / "ficlens" / "data" / "place_model.json"))
    ap.add_argument("--no-write", action="store_true", help="do not write the model")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    docs = load_documents(args.data)
    rows = sum(len(d.rows) for d in docs)
    reach = sum(len({s for g in d.groups for s, _ in g} & d.gold) for d in docs)
    gold = sum(len(d.gold) for d in docs)
    print(f"{len(docs)} documents, {rows} span rows; {reach} of {gold} gold spans among the "
          f"candidates' spans ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    result = {"documents": len(docs), "rules": report("rules alone", score(docs, False))}
    if args.folds:
        total = (0, 0, 0)
        for k in range(args.folds):
            held = [d for i, d in enumerate(docs) if i % args.folds == k]
            model = train([d for i, d in enumerate(docs) if i % args.folds != k], args.c)
            total = tuple(a + b for a, b in zip(total, score(held, model)))
        result["cross_validated"] = report(f"{args.folds}-fold cross-validated", total)
    model = train(docs, args.c)
    print(f"roles the model decides (threshold): {model['roles']}", file=sys.stderr)
    result["in_sample"] = report("shipped model, in sample", score(docs, model))
    if not args.no_write:
        model["trained_on"] = f"LitBank, {len(docs)} documents"
        Path(args.out).write_text(json.dumps(model, sort_keys=True, separators=(",", ":")) + "\n",
                                  encoding="utf-8")
        print(f"wrote {args.out} ({len(model['weights'])} weights)", file=sys.stderr)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
