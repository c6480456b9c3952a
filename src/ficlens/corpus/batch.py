"""`run_batch`: analyse a corpus on Dask distributed and write its tables as Parquet parts.

The client lists the stories, reads each one's bytes and submits it; a worker reads, analyses
and flattens the story (`ficlens.writers.tables.story_tables`) and sends back its tables; the
client buffers them and writes a part every `flush_every` stories (`corpus.store.PartStore`).
At most a few stories per worker are in flight, so memory stays flat whatever the corpus size.

A `LocalCluster` spawns its worker processes: a script that calls `run_batch` without a
scheduler must guard its entry point with `if __name__ == "__main__":`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ficlens.corpus.inputs import Corpus, Task, apply_metadata
from ficlens.corpus.store import PartStore
from ficlens.errors import FiclensError, InputError, StageError
from ficlens.readers.detect import DEFAULT_MAX_BYTES

try:  # the plugin base class only matters where distributed is installed
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover
    WorkerPlugin = object  # type: ignore[assignment,misc]

DEFAULT_FLUSH_EVERY = 100
DEFAULT_FLUSH_SECONDS = 60.0


@dataclass
class BatchSummary:
    """What a batch run did."""

    outdir: Path
    total: int = 0
    skipped: int = 0
    analysed: int = 0
    failed: int = 0
    words: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    workers: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # first few (file, stage, msg)


class LoadPipeline(WorkerPlugin):
    """Worker plugin: load the spaCy pipeline and import the stages once, when a worker starts."""

    name = "ficlens-load-pipeline"

    def setup(self, worker: Any = None) -> None:
        from ficlens.pipeline import DEFAULT_STAGES, get_stage
        from ficlens.stages.nlp import load_nlp

        load_nlp()
        for stage in DEFAULT_STAGES:
            with contextlib.suppress(Exception):  # a broken stage is reported per story instead
                get_stage(stage)


def analyze_task(task: Task, keep_json: bool = False, stages: tuple[str, ...] | None = None,
                 timeout: float | None = None) -> dict[str, Any]:
    """Analyse one story on a worker: its tables (or one `errors` row) and its JSON if asked.

    Never raises for a bad story: every failure becomes the `errors` row. With `timeout`, a
    story still running after that many seconds becomes an `errors` row of stage `timeout`,
    and the result asks the client to restart this worker (the only way to stop the runaway
    analysis, which cannot be interrupted from another thread).
    """
    if timeout is None:
        return _analyze(task, keep_json, stages)
    outcome: list[dict[str, Any]] = []
    runner = threading.Thread(target=lambda: outcome.append(_analyze(task, keep_json, stages)),
                              name=f"ficlens-{task.story_id}", daemon=True)
    runner.start()
    runner.join(timeout)
    if outcome:
        return outcome[0]
    result = _failed(task, "timeout", f"analysis still running after {timeout:g} s; stopped")
    result["restart_worker"] = _worker_address()
    return result


def _worker_address() -> str | None:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):  # not on a Dask worker (called in-process)
        return None


def _analyze(task: Task, keep_json: bool, stages: tuple[str, ...] | None) -> dict[str, Any]:
    from ficlens.writers import tables

    started = time.perf_counter()
    if task.error is not None:
        stage, message = task.error
        return _failed(task, stage, message)
    stage = "read"
    try:
        from ficlens.readers import read_story_bytes

        # a table's text goes through the same format detection as a file (it may be HTML)
        data = task.data if task.data is not None else (task.text or "").encode("utf-8")
        story = read_story_bytes(data, task.name)
        if task.metadata:
            apply_metadata(story.metadata, task.metadata)
        stage = "analyze"
        from ficlens.pipeline import analyze

        story = analyze(story, stages=stages)
        stage = "tables"
        seconds = time.perf_counter() - started
        result: dict[str, Any] = {
            "story_id": task.story_id,
            "tables": {name: t for name, t in
                       tables.story_tables(story, task.story_id, file=task.file,
                                           seconds=round(seconds, 4)).items() if t.num_rows},
            "words": int(story.metadata.words),
            "json": None,
        }
        if keep_json:
            from ficlens.writers.json import story_to_dict

            result["json"] = json.dumps(story_to_dict(story), ensure_ascii=False)
        return result
    except StageError as exc:
        return _failed(task, exc.stage or stage, exc.message)
    except FiclensError as exc:
        return _failed(task, stage, exc.message)
    except Exception as exc:  # noqa: BLE001 -- a crash on one story must not stop the corpus
        return _failed(task, stage, f"{type(exc).__name__}: {exc}")


def _failed(task: Task, stage: str, message: str) -> dict[str, Any]:
    from ficlens.writers.tables import error_table

    return {"story_id": task.story_id,
            "tables": {"errors": error_table(task.story_id, task.file, stage, message)},
            "words": 0, "json": None, "failed": (task.file, stage, message)}


def run_batch(
    input_spec: str,
    outdir: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    keep_json: bool = False,
    flush_every: int = DEFAULT_FLUSH_EVERY,
    flush_seconds: float = DEFAULT_FLUSH_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool = True,
    stages: tuple[str, ...] | None = None,
    timeout: float | None = None,
) -> BatchSummary:
    """Analyse every story of INPUT not yet finished in OUTDIR; return what was done.

    `scheduler` is the address of a running Dask scheduler; without it a local cluster of
    `workers` processes (default: one per core) is started and stopped. `stages` limits the
    analysis to those pipeline stages (default: all installed). `timeout` stops a story whose
    analysis runs longer than that many seconds (an `errors` row of stage `timeout`; its worker
    is restarted) so one pathological story cannot hold up the corpus.
    """
    out = Path(outdir)
    corpus = Corpus(input_spec, exclude=out, max_bytes=max_bytes)
    if corpus.is_empty():
        raise InputError("holds no story files", input_spec)
    store = PartStore(out)
    summary = BatchSummary(outdir=out)
    started = time.perf_counter()
    previous = _stop_on_sigterm()
    try:
        summary.total, todo = corpus.count(store.done)
        summary.skipped = summary.total - todo
        if todo == 0:
            return summary
        _quiet_dask_logs()
        with _dask_client(scheduler, workers) as client:
            summary.workers = len(client.scheduler_info(n_workers=-1)["workers"])
            _drive(client, corpus, store, summary, todo, keep_json=keep_json, stages=stages,
                   timeout=timeout, flush_every=flush_every, flush_seconds=flush_seconds, progress=progress)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        store.close()
        summary.seconds = time.perf_counter() - started
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return summary


def _stop_on_sigterm() -> Any:
    """Make SIGTERM (a job scheduler's stop) end the batch like Ctrl-C: finished rows kept."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, stop)


def _drive(client: Any, corpus: Corpus, store: PartStore, summary: BatchSummary, todo: int, *,
           keep_json: bool, stages: tuple[str, ...] | None, timeout: float | None,
           flush_every: int,
           flush_seconds: float, progress: bool) -> None:
    from distributed import as_completed

    in_flight_max = max(2, 2 * max(summary.workers, 1) + 1)
    tasks = corpus.tasks(store.done)
    labels: dict[str, tuple[str, str]] = {}
    ready = as_completed()

    def submit_next() -> bool:
        task = next(tasks, None)
        if task is None:
            return False
        key = f"ficlens-story-{task.story_id}"
        labels[key] = (task.story_id, task.file)
        ready.add(client.submit(analyze_task, task, keep_json, stages, timeout, key=key,
                                pure=False, retries=0))
        return True

    for _ in range(in_flight_max):
        if not submit_next():
            break
    bar = _progress_bar(todo, progress)
    last_flush = time.monotonic()
    try:
        for future in ready:
            story_id, file = labels.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 -- the worker died on this story (e.g. OOM)
                result = _failed(Task(story_id, file, file), "worker",
                                 f"{type(exc).__name__}: {exc}")
            del future
            _record(result, store, summary)
            if result.get("restart_worker"):
                _restart_worker(client, result["restart_worker"])
            if bar is not None:
                bar.update(1)
                if summary.failed:
                    bar.set_postfix(errors=summary.failed, refresh=False)
            if store.pending >= flush_every or time.monotonic() - last_flush >= flush_seconds:
                store.flush()
                last_flush = time.monotonic()
            submit_next()
    finally:
        if bar is not None:
            bar.close()


def _record(result: dict[str, Any], store: PartStore, summary: BatchSummary) -> None:
    tables: dict[str, pa.Table] = result["tables"]
    if result.get("json"):
        store.write_json(result["story_id"], result["json"])
    store.add(result["story_id"], tables)
    if "failed" in result:
        summary.failed += 1
        if len(summary.errors) < 20:
            summary.errors.append(result["failed"])
    else:
        summary.analysed += 1
        summary.words += result["words"]


def _restart_worker(client: Any, address: str) -> None:
    """Restart the worker a timed-out story still runs on; its other tasks are rescheduled."""
    try:
        client.restart_workers([address], timeout=120)
    except Exception as exc:  # noqa: BLE001 -- e.g. a worker with no nanny: go on without it
        print(f"ficlens: warning: could not restart worker {address} after a timeout "
              f"({type(exc).__name__}: {exc}); its runaway story keeps a core busy",
              file=sys.stderr)


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="story", file=sys.stderr, smoothing=0.05, dynamic_ncols=True,
                mininterval=0.5, desc="ficlens batch")


def _quiet_dask_logs() -> None:
    for name in ("distributed", "dask", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(logging.ERROR)


class _dask_client:
    """A Dask client on the given scheduler, or on a local cluster started (and stopped) here."""

    def __init__(self, scheduler: str | None, workers: int | None) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.cluster: Any = None
        self.client: Any = None

    def __enter__(self) -> Any:
        from distributed import Client, LocalCluster

        if self.scheduler:
            _check_reachable(self.scheduler)
            try:
                self.client = Client(self.scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise InputError(f"cannot reach the Dask scheduler: {exc}",
                                 self.scheduler) from exc
            try:
                self.client.wait_for_workers(1, timeout=60)
            except TimeoutError as exc:
                self.client.close()
                raise InputError("the Dask scheduler has no workers", self.scheduler) from exc
        else:
            n = self.workers or _cores()
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.client.register_plugin(LoadPipeline())
        return self.client

    def __exit__(self, *exc: object) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def _check_reachable(address: str) -> None:
    """Fail at once, with one line, when nothing listens at a tcp:// scheduler address."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp" or not parts.hostname or not parts.port:
        return  # other protocols (tls, ucx, inproc): let Dask connect and report
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=10):
            pass
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler: {exc.strerror or exc}",
                         address) from exc


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)
