"""Speed and memory of one `analyze` against the bare spaCy pass it uses, side by side.

Builds a ~100,000-word novel at run time from the development novels in ../shared/data
(or takes --text FILE), then in one process on one core:
  1. runs the spaCy pipeline alone over the story's paragraphs (what ficlens parses),
  2. runs the whole `ficlens.analyze` on the same text,
and prints words/second for both, the ratio, per-stage seconds and peak resident memory.

    python benchmarks/analyze_speed.py [--words 100000] [--text FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # one core, as the target says


def data_dir() -> Path:
    env = os.environ.get("FICLENS_DATA")
    here = Path(__file__).resolve().parent.parent
    for candidate in ([Path(env)] if env else []) + [here.parent / "shared" / "data", Path("../shared/data")]:
        if (candidate / "pdnc").is_dir():
            return candidate
    sys.exit("benchmark needs the development novels: set FICLENS_DATA or put shared/data beside the repo")


def build_text(words: int, novel: str) -> str:
    """A novel-sized text: the chapters of one development novel, cut at `words` words."""
    text = (data_dir() / "pdnc" / novel / "novel_text.txt").read_text(encoding="utf-8")
    kept, count = [], 0
    for paragraph in text.split("\n\n"):
        kept.append(paragraph)
        count += len(paragraph.split())
        if count >= words:
            break
    return "\n\n".join(kept)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--novel", default="Emma", help="development novel folder name")
    parser.add_argument("--text", type=Path, help="use this story file instead")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    import ficlens
    from ficlens.readers import story_from_text
    from ficlens.stages.nlp import load_nlp

    text = args.text.read_text(encoding="utf-8") if args.text else build_text(args.words, args.novel)
    nlp = load_nlp()
    nlp("Warm up the pipeline.")
    rss_loaded = peak_rss_mb()

    story = story_from_text(text)
    words = story.metadata.words
    paragraphs = [text[p.start:p.end] for p in story.paragraphs]
    began = time.perf_counter()
    for _doc in nlp.pipe(paragraphs, batch_size=64):
        pass
    spacy_seconds = time.perf_counter() - began
    rss_spacy = peak_rss_mb()

    timings: dict[str, float] = {}
    began = time.perf_counter()
    result = ficlens.analyze(text, timings=timings)
    analyze_seconds = time.perf_counter() - began
    rss_analyze = peak_rss_mb()

    figures = {
        "words": words,
        "spacy_seconds": round(spacy_seconds, 2),
        "spacy_words_per_second": round(words / spacy_seconds),
        "analyze_seconds": round(analyze_seconds, 2),
        "analyze_words_per_second": round(words / analyze_seconds),
        "ratio_analyze_to_spacy": round(analyze_seconds / spacy_seconds, 3),
        "stage_seconds": {k: round(v, 2) for k, v in timings.items()},
        "peak_rss_mb": {"after_load": round(rss_loaded), "after_spacy": round(rss_spacy),
                        "after_analyze": round(rss_analyze)},
        "quotes": len(result.quotes),
        "characters": len(result.characters),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"words                  {words:,}")
    print(f"spaCy alone            {spacy_seconds:7.2f} s  {words / spacy_seconds:8,.0f} words/s")
    print(f"ficlens analyze        {analyze_seconds:7.2f} s  {words / analyze_seconds:8,.0f} words/s")
    print(f"ratio analyze / spaCy  {analyze_seconds / spacy_seconds:7.3f}   (target <= 1.5; < 45 s)")
    print("stages                 " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
    print(f"peak RSS               {rss_loaded:.0f} MB loaded, {rss_spacy:.0f} MB after spaCy, "
          f"{rss_analyze:.0f} MB after analyze")
    print(f"found                  {len(result.quotes)} quotes, {len(result.characters)} characters")


if __name__ == "__main__":
    main()
