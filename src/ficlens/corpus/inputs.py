"""Finding the stories of a corpus: a directory tree, a glob, or tables of stories.

Every story gets a stable `story_id`:
- a story file: the SHA-1 prefix (16 hex digits) of its path relative to the input root (the
  directory given, the fixed part of a glob, or the folder of a single file), written with `/`;
  the same tree analysed again from the same root gives the same ids;
- a row of a table of stories (Parquet, JSONL or CSV with `id` and `text` columns): its `id`,
  as a string.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ficlens.errors import FiclensError, InputError
from ficlens.readers.detect import DEFAULT_MAX_BYTES, read_bytes
from ficlens.writers.tables import story_id_for

#: File endings read as tables of stories (one story per row) rather than as one story.
TABLE_SUFFIXES = (".parquet", ".jsonl", ".ndjson", ".csv")

#: Metadata fields a table's columns can fill, and which of them are lists.
LIST_FIELDS = ("authors", "notes", "fandoms", "relationships", "characters", "tags",
               "warnings", "categories", "series")
TEXT_FIELDS = ("title", "summary", "rating", "language", "published", "updated")


@dataclass
class Task:
    """One story to analyse: where it came from and its content (bytes or text)."""

    story_id: str
    file: str
    name: str
    data: bytes | None = None
    text: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    row: int | None = None
    error: tuple[str, str] | None = None  # (stage, message) when it failed before analysis


class Corpus:
    """The stories named by an INPUT argument, listed lazily in a stable order."""

    def __init__(self, spec: str, exclude: Path | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.spec = spec
        self.max_bytes = max_bytes
        self.exclude = exclude.resolve() if exclude is not None else None
        path = Path(spec)
        if path.is_dir():
            self.root = path
            self._paths = lambda: _walk(path, self.exclude)
        elif path.is_file():
            self.root = path.parent
            self._paths = lambda: iter([path])
        elif glob.has_magic(spec):
            self.root = _glob_root(spec)
            self._paths = lambda: _glob(spec, self.exclude)
            if next(self._paths(), None) is None:
                raise InputError("the pattern matches no files", spec)
        else:
            raise InputError("no such file or directory", spec)
        for table in (p for p in self._paths() if _is_table(p)):
            _check_table(table)

    def is_empty(self) -> bool:
        """True when the input names no file at all."""
        return next(self._paths(), None) is None

    def count(self, skip: set[str] | frozenset[str] = frozenset()) -> tuple[int, int]:
        """(stories in the input, stories not in `skip`), from the names and ids alone."""
        total = todo = 0
        for path in self._paths():
            rel = _relative(path, self.root)
            ids = _table_ids(path) if _is_table(path) else iter([story_id_for(rel)])
            for story_id in ids:
                total += 1
                todo += story_id not in skip
        return total, todo

    def tasks(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[Task]:
        """Each story not in `skip`, read into memory only when it is reached."""
        seen: set[str] = set()
        for path in self._paths():
            rel = _relative(path, self.root)
            if _is_table(path):
                for task in _table_tasks(path, rel):
                    if task.story_id in seen:
                        # a repeated id gets an error row of its own, keyed by its row number
                        message = f"duplicate id {task.story_id!r} in {rel}"
                        task = Task(story_id_for(f"{rel}#row{task.row}"), rel, task.name,
                                    row=task.row, error=("input", message))
                    seen.add(task.story_id)
                    if task.story_id not in skip:
                        yield task
                continue
            story_id = story_id_for(rel)
            if story_id in skip:
                continue
            name = str(path)
            try:
                data = read_bytes(path, max_bytes=self.max_bytes)
            except FiclensError as exc:
                yield Task(story_id, rel, name, error=("read", exc.message))
                continue
            yield Task(story_id, rel, name, data=data)


def _is_table(path: Path) -> bool:
    return path.name.lower().endswith(TABLE_SUFFIXES)


def _walk(root: Path, exclude: Path | None) -> Iterator[Path]:
    """Regular files under `root`, sorted, hidden files and folders (`.name`) left out."""
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not (exclude is not None and (here / d).resolve() == exclude))
        for name in sorted(filenames):
            if not name.startswith(".") and (here / name).is_file():
                yield here / name


def _glob_root(spec: str) -> Path:
    parts: list[str] = []
    for part in Path(spec).parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _glob(spec: str, exclude: Path | None) -> Iterator[Path]:
    for name in sorted(glob.iglob(spec, recursive=True)):
        path = Path(name)
        if path.is_file() and not (exclude is not None
                                   and path.resolve().is_relative_to(exclude)):
            yield path


def _relative(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = path
    return rel.as_posix()


# --- tables of stories ------------------------------------------------------------------------

def _check_table(path: Path) -> None:
    """Raise InputError unless the table can be read and has `id` and `text` columns."""
    try:
        columns = _columns(path)
    except FiclensError:
        raise
    except Exception as exc:
        raise InputError(f"cannot read the table: {type(exc).__name__}: {exc}", str(path)) from exc
    missing = [c for c in ("id", "text") if c not in columns]
    if missing:
        raise InputError(f"a table of stories needs 'id' and 'text' columns; missing "
                         f"{', '.join(missing)} (has: {', '.join(columns) or 'none'})", str(path))


def _columns(path: Path) -> list[str]:
    kind = path.suffix.lower()
    if kind == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)
    if kind == ".csv":
        import csv

        with path.open(encoding="utf-8", newline="") as handle:
            return next(csv.reader(handle), [])
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"line {number} is not JSON: {exc.msg}", str(path)) from exc
                return list(row) if isinstance(row, dict) else []
    return []


def _table_ids(path: Path) -> Iterator[str | None]:
    """The `id` of each row of a table of stories, read without the texts."""
    kind = path.suffix.lower()
    if kind == ".parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=65536, columns=["id"]):
            for value in batch.column(0).to_pylist():
                yield None if value is None else str(value)
    elif kind == ".csv":
        for batch in _csv_batches(path, ["id"]):
            yield from batch.column(0).to_pylist()
    else:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:
                        yield None
                        continue
                    value = row.get("id") if isinstance(row, dict) else None
                    yield None if value is None else str(value)


def _csv_batches(path: Path, columns: list[str] | None = None) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = _columns(path)
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=1 << 22),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                              include_columns=columns),
    )
    yield from reader


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(row number, row) of a table; a row that cannot be parsed comes as an error message."""
    kind = path.suffix.lower()
    if kind == ".parquet":
        import pyarrow.parquet as pq

        number = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=64):
            for row in batch.to_pylist():
                number += 1
                yield number, row
    elif kind == ".csv":
        number = 0
        for batch in _csv_batches(path):
            for row in batch.to_pylist():
                number += 1
                yield number, row
    else:
        with path.open(encoding="utf-8", errors="replace") as handle:
            number = 0
            for line in handle:
                if not line.strip():
                    continue
                number += 1
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, f"row {number} is not JSON: {exc.msg}"
                    continue
                yield number, row if isinstance(row, dict) else f"row {number} is not an object"


def _table_tasks(path: Path, rel: str) -> Iterator[Task]:
    for number, row in _rows(path):
        if isinstance(row, str):
            yield Task(story_id_for(f"{rel}#row{number}"), rel, f"{path} row {number}",
                       row=number, error=("input", row))
            continue
        raw_id = row.get("id")
        if raw_id is None or str(raw_id).strip() == "":
            yield Task(story_id_for(f"{rel}#row{number}"), rel, f"{path} row {number}",
                       row=number, error=("input", f"row {number} has no id"))
            continue
        story_id = str(raw_id)
        name = f"{path} id {story_id}"
        text = row.get("text")
        metadata = {k: v for k, v in row.items() if k not in ("id", "text") and v is not None}
        if isinstance(text, bytes):
            yield Task(story_id, rel, name, data=text, metadata=metadata, row=number)
        elif text is None:
            yield Task(story_id, rel, name, row=number, error=("read", "the text is empty"))
        else:
            yield Task(story_id, rel, name, text=str(text), metadata=metadata, row=number)


def apply_metadata(metadata: Any, values: dict[str, Any]) -> None:
    """Fill a story's `Metadata` from a table row's other columns (they win over the text's).

    Columns named like a metadata field set it (list fields take a list, a JSON list, or a
    comma-separated string); any other column goes to `metadata.extra`.
    """
    for key, value in values.items():
        if key in LIST_FIELDS:
            items = _as_list(value)
            if items:
                setattr(metadata, key, items)
        elif key in TEXT_FIELDS:
            if str(value).strip():
                setattr(metadata, key, str(value))
        else:
            metadata.extra[key] = value if isinstance(value, str | int | float | bool) else str(value)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None and str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return [str(v) for v in parsed if v is not None and str(v).strip()]
    return [part.strip() for part in text.split(",") if part.strip()]
