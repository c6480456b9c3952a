"""Train the speaker ranker shipped in `src/ficlens/data/speaker_model.json` on PDNC.

    python scripts/train_speaker_model.py [--data DIR] [--cache DIR] [--loo] [--out FILE]

For every PDNC development novel the real pipeline runs (parse, quotes, cast with the gold
cast given); each detected quotation aligned with a gold quotation gives one training group:
a feature row per candidate character, labelled 1 for the gold speaker. Two logistic models
are trained: the first sees the quote and its surroundings, the second also sees the first
model's speakers of the neighbouring quotes (turn-taking). The second model is trained on
first-pass speakers predicted out of fold, as it will see them at run time.

`--loo` also reports leave-one-novel-out speaker accuracy: each novel is scored with models
trained on the other novels only (never on itself), over all gold quotations (a quotation that
was not detected counts as wrong), by PDNC quote type. The shipped model is trained on all.
"""

from __future__ import annotations

import argparse
import ast
import bisect
import csv
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from ficlens.eval.runner import parse_with_cache
from ficlens.pipeline import get_stage
from ficlens.readers import read_story
from ficlens.stages import addressees as ad
from ficlens.stages import speakers as sp

ROOT = Path(__file__).resolve().parents[1]


def data_dir(arg: str | None) -> Path:
    """The PDNC folder: --data, $FICLENS_DATA or ../shared/data beside the repository."""
    base = Path(arg or os.environ.get("FICLENS_DATA") or ROOT.parent / "shared" / "data")
    return base / "pdnc" if (base / "pdnc").is_dir() else base


def read_gold(folder: Path) -> tuple[dict[str, list[str]], list[dict]]:
    """The gold cast {main name: aliases} and quotations (spans, speaker main name, type)."""
    cast: dict[str, list[str]] = {}
    alias: dict[str, str] = {}
    with open(folder / "character_info.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            name = row["Main Name"].strip()
            names = {a.strip() for a in ast.literal_eval(row["Aliases"])}
            cast[name] = sorted(a for a in names if a != name)
            for a in names | {name}:
                alias.setdefault(a, name)
    quotes = []
    with open(folder / "quotation_info.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            speaker = row["speaker"].strip()
            quotes.append({
                "spans": ast.literal_eval(row["quoteByteSpans"]),
                "speaker": alias.get(speaker, speaker),
                "addressees": [alias.get(a.strip(), a.strip())
                               for a in ast.literal_eval(row["addressees"])],
                "type": row["quoteType"] if row["quoteType"] in (
                    "Explicit", "Anaphoric", "Implicit") else "Other",
            })
    return cast, quotes


def parsed_story(folder: Path, cache: Path | None):
    """The novel read and parsed (the parse kept in `cache`, keyed by its paragraph texts, when
    given; else in $FICLENS_PARSE_CACHE when set), as `ficlens eval` parses it."""
    return parse_with_cache(read_story(folder / "novel_text.txt"), folder.name, cache)


def align(story, gold: list[dict]) -> list[int | None]:
    """For each gold quotation, the index of the detected quote overlapping it most."""
    spans = sorted((s, e, qi) for qi, q in enumerate(story.quotes) for s, e in q.spans)
    starts = [s for s, _, _ in spans]
    out: list[int | None] = []
    for g in gold:
        a, b = g["spans"][0]
        k = bisect.bisect_right(starts, b) - 1
        best = None
        while k >= 0 and spans[k][1] > a - 2:
            overlap = min(b, spans[k][1]) - max(a, spans[k][0])
            if overlap > 0 and (best is None or overlap > best[0]):
                best = (overlap, spans[k][2])
            k -= 1
        out.append(best[1] if best else None)
    return out


class Novel:
    """One novel ready for training: its context, gold labels per detected quote."""

    def __init__(self, name: str, story, gold: list[dict]):
        self.name = name
        self.story = story
        self.gold = gold
        self.ctx = sp.build_context(story)
        self.aligned = align(story, gold)
        ids = {c.name: c.id for c in story.characters}
        self.label: dict[int, str] = {}
        self.heard: dict[int, set[str]] = {}
        for g, qi in zip(gold, self.aligned):
            if qi is not None and g["speaker"] in ids:
                self.label.setdefault(qi, ids[g["speaker"]])
                self.heard.setdefault(qi, {ids[a] for a in g["addressees"] if a in ids})

    def addressee_rows(self):
        """Addressee feature rows and labels, with the gold speakers."""
        speakers = [self.label.get(qi) for qi in range(len(self.story.quotes))]
        x, y = [], []
        for qi, heard in self.heard.items():
            cands = ad.addressee_candidates(self.ctx, qi, speakers)
            if not cands:
                continue
            x.extend(ad.addressee_features(self.ctx, qi, cands, speakers))
            y.extend(int(c in heard) for c in cands)
        return x, y

    def rows(self, previous):
        """Feature rows, labels and quote groups for the quotes the ranker decides."""
        if previous is None:
            if not hasattr(self, "_first_rows"):
                self._first_rows = self._rows(None)
            return self._first_rows
        return self._rows(previous)

    def _rows(self, previous):
        x, y, groups = [], [], []
        for qi, speaker in self.label.items():
            cands = sp.candidates(self.ctx, qi, previous)
            if speaker not in cands or len(cands) < 2:
                continue
            if sp.sieve(self.ctx, qi) is not None:
                continue  # decided by the sieve
            rows = sp.features(self.ctx, qi, cands, previous)
            x.extend(rows)
            y.extend(int(c == speaker) for c in cands)
            groups.extend([qi] * len(cands))
        return x, y, groups


KIND = os.environ.get("FICLENS_SPEAKER_MODEL", "mlp")  # or "logreg"
EXTRA_PASSES = 1
HIDDEN = 24  # units of the MLP's hidden layer


def fit(xs: list, ys: list, names: tuple[str, ...]) -> dict:
    """A logistic model (or a one-hidden-layer MLP) over the named features, as JSON weights."""
    index = [sp.FEATURES.index(n) for n in names]
    x = np.asarray(xs, dtype=float)[:, index]
    if KIND == "mlp":
        from sklearn.neural_network import MLPClassifier

        model = MLPClassifier(hidden_layer_sizes=(HIDDEN,), alpha=1e-3, max_iter=60,
                              early_stopping=True, random_state=0)
        model.fit(x, np.asarray(ys))
        return {"type": "mlp", "features": list(names),
                "coefs": [np.round(w, 5).tolist() for w in model.coefs_],
                "intercepts": [np.round(b, 5).tolist() for b in model.intercepts_]}
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, np.asarray(ys))
    return {"type": "logreg", "features": list(names),
            "coef": [round(float(c), 5) for c in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 5)}


_SECOND_PASS = set(sp.FEATURES[sp.FEATURES.index("prev1_same_para"):sp.FEATURES.index("run_back_even")])
_SECOND_PASS |= {"pred_back_even", "pred_back_odd", "pred_fwd_even", "pred_fwd_odd",
                 "nominal_assoc", "par_pred_even", "par_pred_odd", "conv_pred", "conv_pair"}
STAGE1 = tuple(n for n in sp.FEATURES if n not in _SECOND_PASS)
STAGE2 = sp.FEATURES


def _first_pass_rows(novels: list[Novel]) -> tuple[list, list]:
    """The stage-1 feature rows and labels of these novels, stacked."""
    xs, ys = [], []
    for novel in novels:
        x, y, _ = novel.rows(None)
        xs += x
        ys += y
    return xs, ys


def train(novels: list[Novel], folds: int = 4) -> dict:
    """Stage-1 and stage-2 weights from these novels (stage 2 on out-of-fold stage-1 output)."""
    stage1 = fit(*_first_pass_rows(novels), STAGE1)
    x2, y2 = [], []
    chunks = [novels[k::folds] for k in range(folds)] if len(novels) >= folds else [[n] for n in novels]
    for k, chunk in enumerate(chunks):
        rest = [n for j, c in enumerate(chunks) if j != k for n in c]
        if rest:
            inner = fit(*_first_pass_rows(rest), STAGE1)
        else:
            inner = stage1
        for novel in chunk:
            previous = sp.predict(novel.ctx, inner, None)
            x, y, _ = novel.rows(previous)
            x2 += x
            y2 += y
    stage2 = fit(x2, y2, STAGE2)
    return {"stage1": stage1, "stage2": stage2, "extra_passes": EXTRA_PASSES,
            "addressees": fit_addressees(novels)}


def fit_addressees(novels: list[Novel]) -> dict:
    """The addressee model, with the probability threshold that maximises F1 on its data."""
    xs, ys = [], []
    for novel in novels:
        x, y = novel.addressee_rows()
        xs += x
        ys += y
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys)
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, y)
    p = model.predict_proba(x)[:, 1]
    best = (0.0, 0.5)
    for threshold in np.arange(0.2, 0.7, 0.025):
        chosen = p >= threshold
        tp = int((chosen & (y == 1)).sum())
        f1 = 2 * tp / max(int(chosen.sum()) + int(y.sum()), 1)
        best = max(best, (f1, float(threshold)))
    return {"type": "logreg", "features": list(ad.ADDRESSEE_FEATURES),
            "coef": [round(float(c), 5) for c in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 5), "threshold": round(best[1], 3)}


def evaluate(novel: Novel, model: dict) -> dict[str, list[int]]:
    """Correct / total speakers by PDNC quote type, over all gold quotations."""
    first = sp.predict(novel.ctx, model["stage1"], None)
    second = sp.predict(novel.ctx, model["stage2"], first)
    for _ in range(model.get("extra_passes", 0)):
        second = sp.predict(novel.ctx, model["stage2"], second)
    names = {c.id: c.name for c in novel.story.characters}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    speakers = [speaker for speaker, _ in second]
    heard = [ad.predict_addressees(novel.ctx, qi, speakers, model.get("addressees"))
             for qi in range(len(speakers))]
    used = set()
    for g, qi in zip(novel.gold, novel.aligned):
        ok = qi is not None and names.get(second[qi][0]) == g["speaker"]
        for key in ("all", g["type"]):
            out[key][0] += ok
            out[key][1] += 1
        gold_heard = set(g["addressees"])
        predicted = {names.get(c) for c in heard[qi]} if qi is not None and qi not in used else set()
        if qi is not None:
            used.add(qi)
        out["addr_tp"][0] += len(gold_heard & predicted)
        out["addr_fp"][0] += len(predicted - gold_heard)
        out["addr_fn"][0] += len(gold_heard - predicted)
    for qi in range(len(speakers)):
        if qi not in used:
            out["addr_fp"][0] += len(heard[qi])  # a quote that is not in the gold
    for key in ("addr_tp", "addr_fp", "addr_fn"):
        out[key][1] = 1
    return out


def official(novel: Novel, folder: Path, model: dict) -> dict[str, dict]:
    """The `ficlens eval pdnc` counts of one held-out novel, cast given and end to end,
    with the real stages running on the given weights."""
    import copy

    from ficlens.eval.pdnc import load_novel
    from ficlens.eval.runner import score_document

    gold = load_novel(folder)
    sp.load_model.cache_clear()
    saved = sp.load_model, ad.load_model
    sp.load_model = ad.load_model = lambda: model
    try:
        out = {}
        for mode in ("cast-given", "end-to-end"):
            story = copy.copy(novel.story)
            story.__dict__.pop("_dialogue_context", None)
            story.quotes = [copy.copy(q) for q in novel.story.quotes]
            if mode == "end-to-end":
                story.cast, story.characters, story.mentions = None, [], []
                story = get_stage("cast")(story)
            story = get_stage("speakers")(story)
            story = get_stage("addressees")(story)
            out[mode] = score_document(gold, story, mode)[0]
        return out
    finally:
        sp.load_model, ad.load_model = saved


def print_official(totals: dict[str, dict]) -> None:
    from ficlens.eval.runner import finish_mode

    for mode, counts in totals.items():
        result = finish_mode(counts)
        speakers, addressees = result["speakers"], result["addressees"]
        by_type = {t: f"{v['accuracy']:.3f} ({v['total']})" for t, v in speakers["by_type"].items()}
        print(f"OFFICIAL {mode}: speaker accuracy {speakers['accuracy']:.3f} "
              f"({speakers['total']}) {by_type}; addressees P {addressees['precision']:.3f} "
              f"R {addressees['recall']:.3f} F1 {addressees['f1']:.3f}; split "
              f"{result['characters']['split']}/{result['characters']['eligible']} "
              f"({result['characters']['share']:.3f})", flush=True)


def aggregate(paths: list[str]) -> int:
    """Sum per-novel counts files (from parallel --heldout runs) and print the totals."""
    from ficlens.eval.runner import _add

    official_totals: dict[str, dict] = {}
    own: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    seen = set()
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["novel"] in seen:
                continue
            seen.add(row["novel"])
            for mode, counts in row["official"].items():
                _add(official_totals.setdefault(mode, {}), counts)
            for key, (a, b) in row["own"].items():
                own[key][0] += a
                own[key][1] += b
    print(f"{len(seen)} held-out novels")
    tp, fp, fn = (own.pop(k)[0] for k in ("addr_tp", "addr_fp", "addr_fn"))
    print("HELD-OUT NOVELS (own alignment)",
          {key: f"{a / b:.3f} ({b})" for key, (a, b) in sorted(own.items())})
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    print(f"  addressees: P {p:.3f} R {r:.3f} F1 {2 * p * r / max(p + r, 1e-9):.3f}")
    print_official(official_totals)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="PDNC folder or the data folder holding pdnc/")
    parser.add_argument("--cache", help="folder to keep parses in between runs (outside the repo)")
    parser.add_argument("--novels", nargs="*", help="only these novel folders")
    parser.add_argument("--loo", action="store_true", help="report leave-one-novel-out accuracy")
    parser.add_argument("--folds", type=int, default=0,
                        help="report accuracy with novels held out in this many groups (faster)")
    parser.add_argument("--official", action="store_true",
                        help="with --loo/--folds, also score the held-out novels as `ficlens eval "
                             "pdnc` does (cast given and end to end, the real stages)")
    parser.add_argument("--heldout", nargs="*", help="with --loo: hold out only these novels")
    parser.add_argument("--counts", help="with --official: append per-novel counts (JSON lines)")
    parser.add_argument("--aggregate", nargs="*",
                        help="print the totals of counts files written by --counts, and exit")
    parser.add_argument("--out", default=str(ROOT / "src/ficlens/data/speaker_model.json"))
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    if args.aggregate:
        return aggregate(args.aggregate)
    pdnc = data_dir(args.data)
    if not pdnc.is_dir():
        print(f"train_speaker_model: error: {pdnc}: PDNC data not found", file=sys.stderr)
        return 1
    cache = Path(args.cache) if args.cache else None
    folders = sorted(p for p in pdnc.iterdir() if (p / "quotation_info.csv").exists())
    if args.novels:
        folders = [p for p in folders if p.name in args.novels]
    novels = []
    for folder in folders:
        t = time.time()
        cast, gold = read_gold(folder)
        story = parsed_story(folder, cache)
        story.cast = cast
        for stage in ("quotes", "cast"):
            story = get_stage(stage)(story)
        novels.append(Novel(folder.name, story, gold))
        print(f"{folder.name}: {len(gold)} quotes, {time.time() - t:.1f}s", file=sys.stderr)
    if args.loo or args.folds:
        total: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        official_totals: dict[str, dict] = {}
        groups = [[n] for n in novels] if args.loo else [novels[k::args.folds]
                                                           for k in range(args.folds)]
        if args.heldout:
            groups = [g for g in groups if any(n.name in args.heldout for n in g)]
        for group in groups:
            model = train([n for n in novels if n not in group])
            for novel in group:
                scores = evaluate(novel, model)
                if args.official:
                    from ficlens.eval.runner import _add

                    counts = official(novel, pdnc / novel.name, model)
                    for mode, c in counts.items():
                        _add(official_totals.setdefault(mode, {}), c)
                    if args.counts:
                        with open(args.counts, "a", encoding="utf-8") as fh:
                            fh.write(json.dumps({"novel": novel.name, "official": counts,
                                                 "own": scores}) + "\n")
                for key, (a, b) in scores.items():
                    total[key][0] += a
                    total[key][1] += b
                print(novel.name, {key: round(a / b, 3) for key, (a, b) in sorted(scores.items())
                                   if not key.startswith("addr")}, flush=True)
        label = "LEAVE-ONE-NOVEL-OUT" if args.loo else f"LEAVE-NOVELS-OUT ({args.folds} folds)"
        tp, fp, fn = (total.pop(k)[0] for k in ("addr_tp", "addr_fp", "addr_fn"))
        print(label, {key: f"{a / b:.3f} ({b})" for key, (a, b) in sorted(total.items())})
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        print(f"{label} addressees: P {p:.3f} R {r:.3f} F1 {2 * p * r / max(p + r, 1e-9):.3f}")
        if args.official:
            print_official(official_totals)
    if not args.no_save:
        model = train(novels)
        model["trained_on"] = [n.name for n in novels]
        Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
