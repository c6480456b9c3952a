"""Reading a known cast (`--cast`): JSON `{"Name": ["alias", ...]}` or CSV `name,alias;alias`."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from ficlens.errors import CastError


def load_cast(path: str | os.PathLike[str]) -> dict[str, list[str]]:
    """The cast in a JSON or CSV file, as name -> aliases (the name itself not repeated)."""
    p = Path(path)
    name = str(path)
    if not p.is_file():
        raise CastError("cast file not found", name)
    try:
        raw = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CastError(f"cannot read cast file: {exc}", name) from exc
    if not raw.strip():
        raise CastError("cast file is empty", name)
    if raw.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CastError(f"cast file is not valid JSON: {exc}", name) from exc
        return parse_cast(data, name)
    cast: dict[str, list[str]] = {}
    for row in csv.reader(io.StringIO(raw)):
        if not row or not row[0].strip() or row[0].strip().lower() == "name":
            continue
        aliases = [a.strip() for cell in row[1:] for a in cell.split(";") if a.strip()]
        cast[row[0].strip()] = aliases
    if not cast:
        raise CastError("cast file lists no characters", name)
    return cast


def parse_cast(data: object, name: str | None = None) -> dict[str, list[str]]:
    """A cast from parsed JSON: a dict name -> aliases, or a list of names."""
    if isinstance(data, dict):
        cast = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CastError(f"aliases of {key!r} must be a list of strings", name)
            cast[str(key).strip()] = [v.strip() for v in value if v.strip()]
        return cast
    if isinstance(data, list) and all(isinstance(v, str) for v in data):
        return {v.strip(): [] for v in data if v.strip()}
    raise CastError('cast JSON must be an object {"Name": ["alias", ...]}', name)
