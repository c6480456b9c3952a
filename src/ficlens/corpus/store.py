"""The output directory of a batch: Parquet part files plus a ledger of finished stories.

Layout of OUTDIR:
- `<table>/part-<NNNNNN>.parquet` for each table of `ficlens.writers.tables.TABLES`;
- `json/<story_id>.json` with `--json`;
- `_ficlens/ledger.jsonl`: one line per flushed part — its number, when it was written (Unix
  time), its files and the ids of the stories (finished or failed) whose rows it holds.

A part is written to temporary files, renamed into place, and only then appended to the ledger
(flushed and fsync'd). The ledger is the truth: on opening, part files it does not list (left
by a run killed between the rename and the ledger line) are deleted, and so is a torn last
line. So a story is either wholly in the tables and the ledger, or in neither, and a rerun
redoes exactly the stories that are in neither.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from ficlens.errors import InputError
from ficlens.writers.tables import TABLES

LEDGER_DIR = "_ficlens"
LEDGER = "ledger.jsonl"


class PartStore:
    """Buffers finished stories' rows and writes them to OUTDIR in parts."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.meta = outdir / LEDGER_DIR
        try:
            self.meta.mkdir(parents=True, exist_ok=True)
            for name in TABLES:
                (outdir / name).mkdir(exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the output directory: {exc.strerror or exc}",
                             str(outdir)) from exc
        self._lock = _lock(self.meta / "lock", outdir)
        self.done, self.next_part = self._recover()
        self._ledger: IO[str] = (self.meta / LEDGER).open("a", encoding="utf-8")
        self._buffers: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        self._pending: list[str] = []
        self.rows_written = 0

    @property
    def pending(self) -> int:
        """Stories buffered but not yet written."""
        return len(self._pending)

    def add(self, story_id: str, tables: dict[str, pa.Table]) -> None:
        """Buffer one story's tables (all of its rows or one `errors` row)."""
        for name, table in tables.items():
            if table.num_rows:
                self._buffers[name].append(table)
        self._pending.append(story_id)

    def write_json(self, story_id: str, text: str) -> None:
        """Keep one story's JSON document as `json/<story_id>.json` (atomically)."""
        folder = self.outdir / "json"
        folder.mkdir(exist_ok=True)
        _atomic_write(folder / json_name(story_id), text.encode("utf-8"))

    def flush(self) -> None:
        """Write the buffered stories as one part and record them in the ledger."""
        if not self._pending:
            return
        part = f"part-{self.next_part:06d}.parquet"
        files = []
        for name, tables in self._buffers.items():
            if not tables:
                continue
            table = pa.concat_tables(tables)
            target = self.outdir / name / part
            tmp = target.with_name(f".{part}.tmp")
            pq.write_table(table, tmp, compression="zstd")
            _fsync_file(tmp)
            os.replace(tmp, target)
            files.append(f"{name}/{part}")
            self.rows_written += table.num_rows
        entry = {"part": self.next_part, "time": round(time.time(), 3), "files": files,
                 "stories": self._pending}
        self._ledger.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._ledger.flush()
        os.fsync(self._ledger.fileno())
        self.done.update(self._pending)
        self.next_part += 1
        self._buffers = {name: [] for name in TABLES}
        self._pending = []

    def close(self) -> None:
        """Flush what is buffered and release the output directory."""
        self.flush()
        self._ledger.close()
        self._lock.close()

    def _recover(self) -> tuple[set[str], int]:
        """The finished story ids and the next part number; stray files are removed."""
        ledger = self.meta / LEDGER
        done: set[str] = set()
        kept: set[str] = set()
        last = -1
        if ledger.exists():
            good_bytes = 0
            with ledger.open("rb") as handle:
                for raw in handle:
                    try:
                        if not raw.endswith(b"\n"):
                            raise ValueError("torn line")
                        entry = json.loads(raw)
                    except ValueError:
                        break  # a line torn by a kill: it and anything after it never happened
                    good_bytes += len(raw)
                    done.update(entry["stories"])
                    kept.update(entry["files"])
                    last = max(last, int(entry["part"]))
            if good_bytes != ledger.stat().st_size:
                with ledger.open("r+b") as handle:
                    handle.truncate(good_bytes)
        for name in TABLES:
            for path in (self.outdir / name).iterdir():
                rel = f"{name}/{path.name}"
                if path.name.endswith(".tmp") or (path.suffix == ".parquet" and rel not in kept):
                    path.unlink()
        return done, last + 1


def _lock(path: Path, outdir: Path) -> IO[str]:
    """Hold an exclusive lock on OUTDIR for this run (released when the process ends)."""
    handle = path.open("a+", encoding="utf-8")
    try:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # no fcntl (Windows): run unlocked
        return handle
    except OSError as exc:
        handle.close()
        raise InputError("another ficlens batch is writing to this directory",
                         str(outdir)) from exc
    return handle


def json_name(story_id: str) -> str:
    """The file name of a story's JSON: its id, or a cleaned id plus a hash when unsafe."""
    clean = "".join(c if c.isalnum() or c in "-_" else "_" for c in story_id)[:100]
    if clean == story_id:
        return f"{story_id}.json"
    return f"{clean}-{hashlib.sha1(story_id.encode('utf-8')).hexdigest()[:8]}.json"


def _atomic_write(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_ledger(outdir: Path) -> list[dict[str, Any]]:
    """The ledger's entries (one per part written), oldest first."""
    ledger = outdir / LEDGER_DIR / LEDGER
    if not ledger.exists():
        return []
    entries = []
    with ledger.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return entries
