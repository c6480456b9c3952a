"""Time each pipeline stage on one story, the reference stages (coref, emotion, places,
network) summed: `python scripts/time_reference_stages.py STORY`."""

from __future__ import annotations

import sys
import time

from ficlens.pipeline import DEFAULT_STAGES, analyze

REFERENCE_STAGES = ("coref", "emotion", "places", "network")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    started = time.perf_counter()
    story = analyze(argv[0], stages=["parse"])
    print(f"parse\t{time.perf_counter() - started:.2f} s\t({story.metadata.words} words)")
    total = 0.0
    for name in DEFAULT_STAGES[1:]:
        started = time.perf_counter()
        story = analyze(story, stages=[name])
        took = time.perf_counter() - started
        total += took if name in REFERENCE_STAGES else 0.0
        print(f"{name}\t{took:.2f} s")
    print(f"reference stages\t{total:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
