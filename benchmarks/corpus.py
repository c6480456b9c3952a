"""Corpus-mode benchmark: `ficlens batch` throughput, scaling, worker memory, and query time.

Builds at run time (in a temporary directory, deleted afterwards; nothing is copied into the
repository) a corpus of story-sized texts of 2,000 to 10,000 words by cutting the development
novels in ../shared/data/pdnc/*/novel_text.txt at paragraph breaks, then for each worker count:
  1. runs the real `ficlens batch CORPUS -o OUT --workers W` as a subprocess,
  2. samples the resident memory (RSS) of each Dask worker process every half second,
  3. reads the ledger's part times for the steady-state rate (after the workers are up),
and finally times `ficlens query` over the tables of the largest run (in process: the DuckDB
answer; and the whole command line, interpreter start included).

The 20 development novels hold 1.77 M words (about 300 stories of 2,000-10,000 words); a
larger corpus re-cuts the same novels at other points, so its text repeats (said in the output).

    python benchmarks/corpus.py --stories 100 --workers 1 2          # scaling
    python benchmarks/corpus.py --stories 1000 --workers 2            # memory over 1,000 stories
    python benchmarks/corpus.py ... --json results.json               # also keep the figures
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

QUERIES = {
    "most addressed character per fandom": """
        SELECT s.fandoms[1] AS fandom, c.name, count(*) AS addressed
        FROM quotes q, unnest(q.addressees) AS a(addressee)
        JOIN characters c ON c.story_id = q.story_id AND c.id = a.addressee
        JOIN stories s ON s.story_id = q.story_id
        GROUP BY ALL ORDER BY addressed DESC LIMIT 10""",
    "words spoken per gender": """
        SELECT coalesce(c.gender, 'unknown') AS gender, sum(q.words) AS words,
               count(*) AS quotes, round(avg(q.valence), 3) AS valence
        FROM quotes q JOIN characters c ON c.story_id = q.story_id AND c.id = q.speaker
        GROUP BY ALL ORDER BY words DESC""",
    "mean valence of speaks_to edges, by story length": """
        SELECT (s.words // 2000) * 2000 AS words_from, count(DISTINCT s.story_id) AS stories,
               round(avg(e.valence), 3) AS valence
        FROM edges e JOIN stories s USING (story_id)
        WHERE e.kind = 'speaks_to' GROUP BY ALL ORDER BY words_from""",
}


def data_dir() -> Path:
    """The shared data folder ($FICLENS_DATA, or ../shared/data beside the repository)."""
    env = os.environ.get("FICLENS_DATA")
    here = Path(__file__).resolve().parent.parent
    for candidate in ([Path(env)] if env else []) + [here.parent / "shared" / "data"]:
        if (candidate / "pdnc").is_dir():
            return candidate
    sys.exit("benchmark needs the PDNC development novels: set FICLENS_DATA or put "
             "shared/data beside the repository")


def build_corpus(folder: Path, count: int, seed: int = 13) -> dict[str, Any]:
    """Write `count` stories of 2,000-10,000 words cut from the PDNC novels; return a summary."""
    novels = sorted((data_dir() / "pdnc").glob("*/novel_text.txt"))
    paragraphs = {p.parent.name: [x for x in p.read_text(encoding="utf-8").split("\n\n")
                                  if x.strip()] for p in novels}
    rng = random.Random(seed)
    written, words, passes = 0, 0, 0
    while written < count:
        passes += 1
        pieces = []
        for name, paras in paragraphs.items():
            i = rng.randrange(0, 40) if passes > 1 else 0  # later passes cut at other points
            while i < len(paras):
                target, piece, n = rng.randint(2000, 10000), [], 0
                while i < len(paras) and n < target:
                    piece.append(paras[i])
                    n += len(paras[i].split())
                    i += 1
                if n >= 2000:
                    pieces.append((name, piece, n))
        rng.shuffle(pieces)
        for name, piece, n in pieces[: count - written]:
            written += 1
            (folder / f"story-{written:05d}.txt").write_text(
                f"Title: {name} part {written}\n\n" + "\n\n".join(piece) + "\n", encoding="utf-8")
            words += n
    return {"stories": written, "words": words, "novels": len(novels), "passes": passes,
            "repeats_text": passes > 1}


class RssSampler(threading.Thread):
    """Samples the RSS of every Dask worker process under a pid, every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: dict[int, list[tuple[float, int]]] = {}
        self.cpu: dict[int, float] = {}  # last seen user+system CPU seconds, per worker
        self.client_cpu = 0.0  # the same for the client process (scheduler and writer)
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil

        started = time.monotonic()
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            try:
                children = root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            now = time.monotonic() - started
            try:
                times = root.cpu_times()
                self.client_cpu = times.user + times.system
            except psutil.Error:
                return
            for child in children:
                try:
                    if "spawn_main" not in " ".join(child.cmdline()):
                        continue  # not a worker (e.g. the resource tracker)
                    self.samples.setdefault(child.pid, []).append((now, child.memory_info().rss))
                    times = child.cpu_times()
                    self.cpu[child.pid] = times.user + times.system
                except psutil.Error:
                    continue
            self.stop.wait(self.interval)


def memory_figures(samples: dict[int, list[tuple[float, int]]]) -> dict[str, Any]:
    """Peak RSS per worker and its growth: median of the last fifth minus the second fifth."""
    out = []
    for pid, series in samples.items():
        rss = [r for _, r in series]
        if len(rss) < 10:
            continue
        fifth = len(rss) // 5
        early = statistics.median(rss[fifth: 2 * fifth])  # after the first fifth: warmed up
        late = statistics.median(rss[-fifth:])
        tenths = [round(statistics.median(rss[k * len(rss) // 10:(k + 1) * len(rss) // 10])
                        / 2**20) for k in range(10)]
        out.append({"pid": pid, "samples": len(rss), "peak_mb": round(max(rss) / 2**20, 1),
                    "median_mb_by_tenth_of_run": tenths,
                    "early_mb": round(early / 2**20, 1), "late_mb": round(late / 2**20, 1),
                    "growth_mb": round((late - early) / 2**20, 1)})
    return {"workers": out,
            "peak_mb": max((w["peak_mb"] for w in out), default=None),
            "max_growth_mb": max((w["growth_mb"] for w in out), default=None)}


def run_batch(corpus: Path, out: Path, workers: int, flush_every: int) -> dict[str, Any]:
    """Run the real `ficlens batch` once and return its timings and memory."""
    cmd = [sys.executable, "-m", "ficlens", "batch", str(corpus), "-o", str(out),
           "--workers", str(workers), "--flush-every", str(flush_every), "--no-progress"]
    load_before = os.getloadavg()
    started = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = RssSampler(proc.pid)
    sampler.start()
    _, stderr = proc.communicate()
    wall = time.time() - started
    sampler.stop.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"batch failed ({proc.returncode}): {stderr.strip()[-2000:]}")
    from ficlens.corpus.query import run_query
    from ficlens.corpus.store import read_ledger

    ledger = read_ledger(out)
    totals = run_query(out, "SELECT count(*) AS n, sum(words)::BIGINT AS words, sum(seconds) AS busy "
                            "FROM stories").to_pylist()[0]
    errors = run_query(out, "SELECT count(*) AS n FROM errors").to_pylist()[0]["n"]
    # steady state: from the first part written to the last (workers loaded, pipeline warm)
    first, last = ledger[0], ledger[-1]
    steady_stories = sum(len(e["stories"]) for e in ledger[1:])
    steady_seconds = last["time"] - first["time"]
    words_by_story = {r["story_id"]: r["words"] for r in
                      run_query(out, "SELECT story_id, words FROM stories").to_pylist()}
    steady_words = sum(words_by_story.get(s, 0) for e in ledger[1:] for s in e["stories"])
    return {
        "workers": workers, "command": " ".join(cmd[1:]), "wall_seconds": round(wall, 1),
        "stories": totals["n"], "errors": errors, "words": totals["words"],
        "stories_per_second": round(totals["n"] / wall, 3),
        "words_per_second": round(totals["words"] / wall),
        "steady_stories_per_second": round(steady_stories / steady_seconds, 3)
        if steady_seconds > 0 else None,
        "steady_words_per_second": round(steady_words / steady_seconds)
        if steady_seconds > 0 else None,
        "worker_busy_seconds": round(totals["busy"], 1),
        "memory": memory_figures(sampler.samples),
        "worker_cpu_seconds": round(sum(sampler.cpu.values()), 1),
        "client_cpu_seconds": round(sampler.client_cpu, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "summary_line": stderr.strip().splitlines()[-1] if stderr.strip() else "",
    }


def time_queries(out: Path, repeats: int = 5) -> dict[str, Any]:
    """Median seconds of each query in process, and of one whole `ficlens query` command."""
    from ficlens.corpus.query import run_query

    figures: dict[str, Any] = {}
    for name, sql in QUERIES.items():
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            result = run_query(out, sql)
            times.append(time.perf_counter() - began)
        figures[name] = {"median_seconds": round(statistics.median(times), 3),
                         "rows": result.num_rows, "first_row": result.slice(0, 1).to_pylist()}
    sql = QUERIES["most addressed character per fandom"]
    times = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ficlens", "query", str(out), sql, "--csv"],
                       check=True, capture_output=True)
        times.append(time.perf_counter() - began)
    figures["cli_seconds_median"] = round(statistics.median(times), 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=100, help="stories in the corpus")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="worker counts to run, e.g. 1 2")
    parser.add_argument("--flush-every", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", type=Path, help="keep the corpus and tables in this folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ficlens-bench-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        corpus.mkdir(exist_ok=True)
        made = build_corpus(corpus, args.stories)
        print(f"corpus: {made['stories']} stories, {made['words']:,} words from "
              f"{made['novels']} novels" + (" (text repeats: novels cut again at other points)"
                                           if made["repeats_text"] else ""), flush=True)
        runs = []
        for workers in args.workers:
            out = work / f"out-{workers}"
            shutil.rmtree(out, ignore_errors=True)
            run = run_batch(corpus, out, workers, args.flush_every)
            runs.append(run)
            mem = run["memory"]
            print(f"workers={workers}: {run['stories']} stories ({run['errors']} errors) in "
                  f"{run['wall_seconds']} s = {run['stories_per_second']} stories/s, "
                  f"{run['words_per_second']:,} words/s; steady "
                  f"{run['steady_stories_per_second']} stories/s, "
                  f"{run['steady_words_per_second']:,} words/s; worker peak RSS "
                  f"{mem['peak_mb']} MB, growth {mem['max_growth_mb']} MB; CPU s workers "
                  f"{run['worker_cpu_seconds']} client {run['client_cpu_seconds']}; load "
                  f"{run['load_before']} -> {run['load_after']}", flush=True)
        by_count: dict[int, list[dict[str, Any]]] = {}
        for run in runs:  # a count given twice (1 2 1 2) is averaged: the load may drift
            by_count.setdefault(run["workers"], []).append(run)
        counts = sorted(by_count)
        for workers in counts[1:]:
            base, other = by_count[counts[0]], by_count[workers]
            steady = (statistics.mean(r["steady_stories_per_second"] for r in other)
                      / statistics.mean(r["steady_stories_per_second"] for r in base))
            wall = (statistics.mean(r["wall_seconds"] for r in base)
                    / statistics.mean(r["wall_seconds"] for r in other))
            cpu = (statistics.mean(r["worker_cpu_seconds"] for r in base)
                   / statistics.mean(r["worker_cpu_seconds"] for r in other))
            print(f"scaling {counts[0]} -> {workers} workers: {steady:.2f}x steady, "
                  f"{wall:.2f}x wall; worker CPU per story ratio {cpu:.2f}", flush=True)
        queries = time_queries(work / f"out-{args.workers[-1]}")
        for name, fig in queries.items():
            if isinstance(fig, dict):
                print(f"query '{name}': {fig['median_seconds']} s ({fig['rows']} rows)")
        print(f"ficlens query command (interpreter start included): "
              f"{queries['cli_seconds_median']} s")
        if args.json:
            figures = {"corpus": made, "runs": runs, "queries": queries, "cpus": os.cpu_count()}
            args.json.write_text(json.dumps(figures, indent=1, default=float) + "\n")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
