"""Train the speaker ranker shipped in `src/ficlens/data/speaker_model.json` on PDNC.

    python scripts/train_speaker_model.py [--data DIR] [--cache DIR] [--loo] [--out FILE]

For every PDNC development novel the real pipeline runs (parse, quotes, cast with the gold
cast given); each detected quotation aligned with a gold quotation gives one training group:
a feature row per candidate character, labelled 1 for the gold speaker. Two rankers are
trained: the first sees the quote and its surroundings, the second also sees the first
ranker's speakers of the neighbouring quotes (turn-taking). The second is trained on
first-pass speakers predicted out of fold, as it will see them at run time. Each ranker is
a small ReLU net (three averaged, stored as one) trained on the softmax over each quote's
candidates, so it learns to rank the gold speaker first rather than to classify rows one
by one (`FICLENS_SPEAKER_MODEL=mlp` or `logreg` trains the older row classifiers).

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

# one BLAS thread: the nets are small, and threads fighting over shared cores make them 10x slower
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

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

    def addressee_rows(self, first_weights: dict | None = None):
        """Addressee feature rows and labels, with the gold speakers (with `first_weights`, the
        first-pass addressee model, also the second-pass features)."""
        speakers = [self.label.get(qi) for qi in range(len(self.story.quotes))]
        first = ad.first_pass(self.ctx, speakers, first_weights) if first_weights else None
        x, y = [], []
        for qi, heard in self.heard.items():
            cands = ad.addressee_candidates(self.ctx, qi, speakers)
            if not cands:
                continue
            x.extend(ad.addressee_features(self.ctx, qi, cands, speakers, first))
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


KIND = os.environ.get("FICLENS_SPEAKER_MODEL", "listwise")  # or "mlp", "logreg"
EXTRA_PASSES = 1
HIDDEN = 24  # units of the MLP's hidden layer
SEEDS = 3  # listwise MLPs averaged (stored as one MLP with SEEDS * HIDDEN units)


def fit(xs: list, ys: list, names: tuple[str, ...], groups: list | None = None,
        seeds: int = SEEDS) -> dict:
    """A ranker over the named features, as JSON weights: by default MLPs trained to put the
    gold speaker first among each quote's candidates (a softmax over the group), else a
    logistic model or a one-hidden-layer MLP classifying candidate rows one at a time."""
    index = [sp.FEATURES.index(n) for n in names]
    x = np.asarray(xs, dtype=float)[:, index]
    if KIND == "listwise" and groups is not None:
        x32, y32, g = x.astype(np.float32), np.asarray(ys, dtype=np.float32), np.asarray(groups)
        nets = [fit_listwise(x32, y32, g, seed) for seed in range(seeds)]
        # the average of the nets' scores is one net with their hidden units side by side
        w1 = np.concatenate([w1 for w1, _, _ in nets], axis=1)
        b1 = np.concatenate([b1 for _, b1, _ in nets])
        w2 = np.concatenate([w2 for _, _, w2 in nets], axis=0) / len(nets)
        return {"type": "mlp", "features": list(names),
                "coefs": [np.round(w1, 5).tolist(), np.round(w2, 5).tolist()],
                "intercepts": [np.round(b1, 5).tolist(), [0.0]]}
    if KIND in ("mlp", "listwise"):
        from sklearn.neural_network import MLPClassifier

        model = MLPClassifier(hidden_layer_sizes=(HIDDEN,), alpha=1e-3, max_iter=60,
                              early_stopping=True, random_state=0)
        model.fit(x, np.asarray(ys))
        return _mlp_weights(model, names)
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, np.asarray(ys))
    return {"type": "logreg", "features": list(names),
            "coef": [round(float(c), 5) for c in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 5)}


def _mlp_weights(model, names: tuple[str, ...]) -> dict:
    """A fitted scikit-learn MLPClassifier as the JSON weights the stages read."""
    return {"type": "mlp", "features": list(names),
            "coefs": [np.round(w, 5).tolist() for w in model.coefs_],
            "intercepts": [np.round(b, 5).tolist() for b in model.intercepts_]}


def fit_listwise(x: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int,
                 epochs: int = 30, batch: int = 512, rate: float = 3e-3,
                 alpha: float = 1e-4, patience: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A one-hidden-layer ReLU net scoring candidate rows, trained with Adam on the softmax
    loss of each group (quote) — the gold speaker's share of the group — with a tenth of
    the groups held out to keep the epoch that ranks them best. Returns (W1, b1, W2)."""
    rng = np.random.default_rng(seed)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    order = rng.permutation(len(starts))
    n_val = max(len(starts) // 10, 1)
    val, tra = order[:n_val], order[n_val:]
    features = x.shape[1]
    params = [rng.normal(0, np.sqrt(2 / features), (features, HIDDEN)).astype(x.dtype),
              np.zeros(HIDDEN, dtype=x.dtype),
              rng.normal(0, np.sqrt(2 / HIDDEN), (HIDDEN, 1)).astype(x.dtype)]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]

    def gather(chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows of the chosen groups, each row's group (0..) and each group's first row."""
        lengths = ends[chosen] - starts[chosen]
        first = np.r_[0, np.cumsum(lengths)[:-1]]
        gid = np.repeat(np.arange(len(chosen)), lengths)
        return np.arange(len(gid)) - first[gid] + starts[chosen][gid], gid, first

    def scores(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = x[rows] @ params[0] + params[1]
        a = np.maximum(z, 0.0)
        return (a @ params[2]).ravel(), a

    def softmax(s: np.ndarray, gid: np.ndarray, first: np.ndarray) -> np.ndarray:
        e = np.exp(s - np.maximum.reduceat(s, first)[gid])
        return e / np.add.reduceat(e, first)[gid]

    val_rows, val_gid, val_first = gather(val)

    def accuracy() -> float:
        s, _ = scores(val_rows)
        best = np.maximum.reduceat(s, val_first)
        hit = np.zeros(len(val_first))
        np.add.at(hit, val_gid, (s >= best[val_gid]) & (y[val_rows] == 1))
        return float((hit > 0).mean())

    best = (-1.0, [p.copy() for p in params])
    step = stale = 0
    for _ in range(epochs):
        rng.shuffle(tra)
        for k in range(0, len(tra), batch):
            rows, gid, first = gather(tra[k:k + batch])
            s, a = scores(rows)
            ds = (softmax(s, gid, first) - y[rows]) / len(first)
            da = ds[:, None] @ params[2].T * (a > 0)
            grads = [x[rows].T @ da + alpha * params[0], da.sum(axis=0),
                     a.T @ ds[:, None] + alpha * params[2]]
            step += 1
            for p, g, (m, v) in zip(params, grads, moments):
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                p -= rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        acc = accuracy()
        if acc > best[0]:
            best, stale = (acc, [p.copy() for p in params]), 0
        else:
            stale += 1
            if stale >= patience:
                break
    return best[1][0], best[1][1], best[1][2]


_SECOND_PASS = set(sp.FEATURES[sp.FEATURES.index("prev1_same_para"):sp.FEATURES.index("run_back_even")])
_SECOND_PASS |= {"pred_back_even", "pred_back_odd", "pred_fwd_even", "pred_fwd_odd",
                 "nominal_assoc", "par_pred_even", "par_pred_odd", "conv_pred", "conv_pair"}
STAGE1 = tuple(n for n in sp.FEATURES if n not in _SECOND_PASS)
STAGE2 = sp.FEATURES


def _first_pass_rows(novels: list[Novel]) -> tuple[list, list, list]:
    """The stage-1 feature rows, labels and groups (one per quote) of these novels, stacked."""
    xs, ys, gs = [], [], []
    for n, novel in enumerate(novels):
        x, y, g = novel.rows(None)
        xs += x
        ys += y
        gs += [(n, qi) for qi in g]
    return xs, ys, _group_ids(gs)


def _group_ids(keys: list) -> list[int]:
    """Consecutive integers for the (novel, quote) keys of the rows."""
    ids: dict = {}
    return [ids.setdefault(k, len(ids)) for k in keys]


def train(novels: list[Novel], folds: int = 4) -> dict:
    """Stage-1 and stage-2 weights from these novels (stage 2 on out-of-fold stage-1 output)."""
    x1, y1, g1 = _first_pass_rows(novels)
    stage1 = fit(x1, y1, STAGE1, g1)
    x2, y2, g2 = [], [], []
    chunks = [novels[k::folds] for k in range(folds)] if len(novels) >= folds else [[n] for n in novels]
    for k, chunk in enumerate(chunks):
        rest = [n for j, c in enumerate(chunks) if j != k for n in c]
        if rest:
            x1, y1, g1 = _first_pass_rows(rest)
            inner = fit(x1, y1, STAGE1, g1, seeds=1)  # only feeds the stage-2 rows
        else:
            inner = stage1
        for novel in chunk:
            previous = sp.predict(novel.ctx, inner, None)
            x, y, g = novel.rows(previous)
            x2 += x
            y2 += y
            g2 += [(novel.name, qi) for qi in g]
    stage2 = fit(x2, y2, STAGE2, _group_ids(g2))
    return {"stage1": stage1, "stage2": stage2, "extra_passes": EXTRA_PASSES,
            "addressees": fit_addressees(novels)}


ADDRESSEE_HIDDEN = 16  # units of the second addressee pass's MLP (the first is logistic)


def fit_addressees(novels: list[Novel]) -> dict:
    """The addressee model: a logistic first pass, and an MLP second pass that also sees the
    first pass's listeners of this quote and the quotes around it; each with the probability
    threshold that maximises F1 on its data."""
    first = _fit_addressee_pass(novels, ad.FIRST_PASS_FEATURES, None, 0)
    first["stage2"] = _fit_addressee_pass(novels, ad.ADDRESSEE_FEATURES, first, ADDRESSEE_HIDDEN)
    return first


def _fit_addressee_pass(novels: list[Novel], names: tuple[str, ...], first: dict | None,
                        hidden: int) -> dict:
    xs, ys = [], []
    for novel in novels:
        x, y = novel.addressee_rows(first)
        xs += x
        ys += y
    x = np.asarray(xs, dtype=float)[:, [ad.ADDRESSEE_FEATURES.index(n) for n in names]]
    y = np.asarray(ys)
    if hidden:
        from sklearn.neural_network import MLPClassifier

        model = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=1e-3, max_iter=60,
                              early_stopping=True, random_state=0)
    else:
        model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, y)
    p = model.predict_proba(x)[:, 1]
    best = (0.0, 0.5)
    for threshold in np.arange(0.2, 0.7, 0.025):
        chosen = p >= threshold
        tp = int((chosen & (y == 1)).sum())
        f1 = 2 * tp / max(int(chosen.sum()) + int(y.sum()), 1)
        best = max(best, (f1, float(threshold)))
    if hidden:
        return {**_mlp_weights(model, names), "threshold": round(best[1], 3)}
    return {"type": "logreg", "features": list(names),
            "coef": [round(float(c), 5) for c in model.coef_[0]],
            "intercept": round(float(model.intercept_[0]), 5), "threshold": round(best[1], 3)}


def evaluate(novel: Novel, model: dict) -> dict[str, list[int]]:
    """Correct / total speakers by PDNC quote type, over all gold quotations."""
    second = sp.run_model(novel.ctx, model)
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
