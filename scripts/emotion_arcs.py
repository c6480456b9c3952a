"""Print the emotion arcs ficlens finds in a PDNC novel (for docs/evaluation.md).

Usage: python scripts/emotion_arcs.py NOVEL_FOLDER [CHARACTER ...]

The novel is analysed with its gold cast given; the output is, per chapter, the mean
valence of all narration sentences and the smoothed speech/narration valence of the
named characters (default: the three who speak most).
"""

from __future__ import annotations

import sys

from ficlens.eval.data import find_dataset
from ficlens.eval.pdnc import load_novel
from ficlens.pipeline import analyze


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    root = find_dataset("pdnc")
    gold = load_novel(root / argv[0])
    story = analyze(gold.path, cast=gold.cast())
    emotions = story.emotions or {}
    bins = emotions["time_axis"]["bins"]
    per_bin: list[list[float]] = [[] for _ in bins]
    starts = [b["start"] for b in bins]
    import bisect

    for row in emotions["sentences"]:
        per_bin[max(0, bisect.bisect_right(starts, row["start"]) - 1)].append(row["valence"])
    names = {c.id: c.name for c in story.characters}
    wanted = argv[1:] or [c.name for c in sorted(story.characters, key=lambda c: -c.quotes)[:3]]
    ids = [c.id for c in story.characters
           if any(w == c.name or w in c.aliases for w in wanted)]
    header = ["bin", "narration"] + [f"{names[c]} (speech/narr.)" for c in ids]
    print("\t".join(header))
    for k, b in enumerate(bins):
        vals = per_bin[k]
        row = [b["label"][:18], f"{sum(vals) / len(vals):+.3f}" if vals else "-"]
        for cid in ids:
            arc = emotions["characters"].get(cid)
            if arc is None:
                row.append("-")
                continue
            sp, nr = arc["speech"]["smoothed"][k], arc["narration"]["smoothed"][k]
            row.append(f"{sp:+.2f}/{nr:+.2f}" if sp is not None and nr is not None else "-")
        print("\t".join(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
