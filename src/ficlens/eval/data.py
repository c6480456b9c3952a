"""Where the evaluation data lives, and the gold records every evaluator shares.

The data (`PDNC`, `LitBank`) is licensed for reading at run time only: it is found
on disk (`DIR`, `$FICLENS_DATA` or `../shared/data`) and never copied into ficlens.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ficlens.errors import InputError

ENV_VAR = "FICLENS_DATA"
_REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass
class GoldQuote:
    """One gold quotation: character spans into the document text and who said it to whom."""

    id: str
    spans: list[tuple[int, int]]
    speaker: str | None
    addressees: list[str] = field(default_factory=list)
    type: str | None = None  # PDNC: explicit / anaphoric / implicit (None when untyped)
    text: str = ""
    referring_expression: str | None = None
    #: PDNC: character mentions inside the quotation, as (start, end, text, [gold names]).
    mentions: list[tuple[int, int, str, list[str]]] = field(default_factory=list)

    @property
    def start(self) -> int:
        return min(s for s, _ in self.spans)

    @property
    def end(self) -> int:
        return max(e for _, e in self.spans)


@dataclass
class GoldDocument:
    """A gold document: the text file ficlens reads, its quotations and its characters.

    `characters` maps each gold character's main name to every name form it goes by
    (the main name included). `cast()` gives the same as a ficlens `--cast` dict.
    """

    dataset: str
    name: str
    path: Path
    text: str
    quotes: list[GoldQuote]
    characters: dict[str, set[str]]
    extra: dict = field(default_factory=dict)

    def cast(self) -> dict[str, list[str]]:
        """The gold cast as `{main name: [aliases]}` (the form `ficlens.analyze(cast=...)` takes)."""
        return {name: sorted(a for a in aliases if a != name) for name, aliases in self.characters.items()}


def candidates(explicit: str | os.PathLike[str] | None = None) -> list[Path]:
    """The places looked at for the data directory, in order."""
    if explicit is not None:
        return [Path(explicit)]
    found = []
    env = os.environ.get(ENV_VAR)
    if env:
        found.append(Path(env))
    found.append(Path.cwd() / ".." / "shared" / "data")
    found.append(_REPO_ROOT / ".." / "shared" / "data")
    return found


def find_dataset(name: str, explicit: str | os.PathLike[str] | None = None) -> Path:
    """The directory of dataset `name` (`pdnc` or `litbank`).

    `explicit` may be the data root (holding `pdnc/`, `litbank/`) or the dataset folder
    itself. Raises `InputError` naming where it looked when nothing is found.
    """
    looked = candidates(explicit)
    for root in looked:
        for path in (root / name, root):
            if _is_dataset(name, path):
                return path.resolve()
    where = ", ".join(str(p) for p in looked)
    if explicit is not None:
        raise InputError(f"no {name} data here (expected {name}/ or its files inside)", str(explicit))
    raise InputError(f"{name} data not found; looked in {where} (pass DIR or set ${ENV_VAR})")


def _is_dataset(name: str, path: Path) -> bool:
    if not path.is_dir():
        return False
    if name == "pdnc":
        return any(path.glob("*/quotation_info.csv"))
    if name == "litbank":
        return (path / "quotations" / "tsv").is_dir()
    return False


def normalize_name(name: str) -> str:
    """A name form reduced for comparison: lower case, no full stops, single spaces.

    `Mr. Darcy`, `mr darcy` and LitBank's tokenised `Mr . Darcy` all give `mr darcy`.
    """
    name = name.replace("\u2019", "'").replace("\u2018", "'").lower()
    name = re.sub(r"\s+'\s*s\b", "'s", name)
    name = name.replace(".", " ")
    return " ".join(name.split())


def select(names: list[str], wanted: str | None, limit: int | None, what: str) -> list[str]:
    """The document names to evaluate: `wanted` is a comma list (matched case-insensitively,
    by exact name or unique prefix), `limit` keeps the first N."""
    chosen = names
    if wanted:
        chosen = []
        lowered = {n.lower(): n for n in names}
        for raw in wanted.split(","):
            key = raw.strip().lower()
            if not key:
                continue
            if key in lowered:
                chosen.append(lowered[key])
                continue
            hits = [n for n in names if n.lower().startswith(key) or key in n.lower()]
            if len(hits) == 1:
                chosen.append(hits[0])
            elif not hits:
                raise InputError(f"no {what} called {raw.strip()!r}; known: {', '.join(names)}")
            else:
                raise InputError(f"{raw.strip()!r} matches several {what}s: {', '.join(hits)}")
    if limit is not None:
        chosen = chosen[:limit]
    return chosen
