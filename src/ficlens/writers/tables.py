"""The story as tables: Arrow tables (and pandas frames) with the JSON document's field names.

One story becomes a few flat tables — `stories`, `characters`, `quotes`, `mentions`, `places`,
`edges`, `emotions`, `errors` — every row carrying the `story_id` it belongs to, so the tables
of many stories can be stacked (Parquet part files) and joined (DuckDB, pandas). Columns keep the
names of `ficlens.writers.json.story_to_dict`; the few that do not exist there (counts, `words`,
flattened emotion scores) are documented in `docs/tables.md`.

Every table has a fixed schema (`SCHEMAS`), whatever a story holds: a story without a network
gives an empty `edges` table of the same schema, so part files always stack.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    import pandas as pd

    from ficlens.model import Story

#: The eight basic emotions of issue 4, in the order the tables carry them.
EMOTIONS: tuple[str, ...] = (
    "anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust",
)
#: The emotion scores of a quotation, each in its own column.
SCORES: tuple[str, ...] = ("valence", *EMOTIONS)

_STR = pa.string()
_STRS = pa.list_(pa.string())
_I64 = pa.int64()
_F64 = pa.float64()
_SPAN = pa.list_(pa.int64())
_SCORE_FIELDS = [pa.field(name, _F64) for name in SCORES]

#: The schema of every table, by table name.
SCHEMAS: dict[str, pa.Schema] = {
    "stories": pa.schema([
        ("story_id", _STR), ("file", _STR), ("path", _STR), ("format", _STR),
        ("title", _STR), ("authors", _STRS), ("summary", _STR), ("notes", _STRS),
        ("fandoms", _STRS), ("relationships", _STRS), ("characters", _STRS), ("tags", _STRS),
        ("rating", _STR), ("warnings", _STRS), ("categories", _STRS), ("language", _STR),
        ("series", _STRS), ("published", _STR), ("updated", _STR), ("words", _I64),
        ("extra", _STR), ("chars", _I64), ("n_chapters", _I64), ("n_scenes", _I64),
        ("n_paragraphs", _I64), ("n_characters", _I64), ("n_quotes", _I64),
        ("n_mentions", _I64), ("n_places", _I64), ("ficlens_warnings", _STRS),
        ("seconds", _F64),
    ]),
    "characters": pa.schema([
        ("story_id", _STR), ("id", _STR), ("name", _STR), ("aliases", _STRS), ("gender", _STR),
        ("mentions", _I64), ("quotes", _I64), ("words_spoken", _I64), ("given", pa.bool_()),
        ("degree", _F64), ("betweenness", _F64), ("pagerank", _F64),
    ]),
    "quotes": pa.schema([
        ("story_id", _STR), ("id", _STR), ("start", _I64), ("end", _I64),
        ("spans", pa.list_(_SPAN)), ("text", _STR), ("words", _I64), ("speaker", _STR),
        ("addressees", _STRS), ("chapter", _I64), ("confidence", _F64), ("kind", _STR),
        ("speaker_mention", _SPAN), *_SCORE_FIELDS,
    ]),
    "mentions": pa.schema([
        ("story_id", _STR), ("start", _I64), ("end", _I64), ("text", _STR),
        ("character", _STR), ("kind", _STR),
    ]),
    "places": pa.schema([
        ("story_id", _STR), ("id", _STR), ("name", _STR), ("kind", _STR), ("count", _I64),
        ("mentions", pa.list_(_SPAN)), ("characters", _STRS),
    ]),
    "edges": pa.schema([
        ("story_id", _STR), ("source", _STR), ("target", _STR), ("kind", _STR),
        ("directed", pa.bool_()), ("weight", _F64), ("quotes", _I64), ("words", _I64),
        ("valence", _F64), ("scenes", _I64), ("count", _I64), ("attributes", _STR),
    ]),
    "emotions": pa.schema([
        ("story_id", _STR), ("scope", _STR), ("character", _STR), ("target", _STR),
        ("series", _STR), ("point", _I64), ("unit", _STR), ("time", _STR), ("chapter", _I64),
        ("start", _I64), ("end", _I64), ("count", _I64), ("valence", _F64), ("smoothed", _F64),
        *[pa.field(name, _F64) for name in EMOTIONS],
    ]),
    "errors": pa.schema([
        ("story_id", _STR), ("file", _STR), ("stage", _STR), ("message", _STR),
    ]),
}

#: Table names, in the order they are written.
TABLES: tuple[str, ...] = tuple(SCHEMAS)

_WORD = re.compile(r"\w+(?:['’]\w+)*")


def story_id_for(key: str) -> str:
    """A stable 16-hex-digit story id for a key (a relative path, a table id): its SHA-1 prefix."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def default_story_id(story: Story) -> str:
    """The story id used when none is given: from its path, else from its text."""
    return story_id_for(story.path if story.path else story.text)


def empty_table(name: str) -> pa.Table:
    """An empty table with the schema of table `name`."""
    return SCHEMAS[name].empty_table()


def story_tables(story: Story, story_id: str | None = None, *, file: str | None = None,
                 seconds: float | None = None) -> dict[str, pa.Table]:
    """Every table of one story, by name (`errors` is empty: a story that failed has no tables).

    `file` is the input the story came from (a relative path or a table's row id), `seconds` the
    time its analysis took; both only fill the `stories` table.
    """
    sid = story_id or default_story_id(story)
    rows = {
        "stories": [_story_row(story, sid, file, seconds)],
        "characters": _character_rows(story, sid),
        "quotes": _quote_rows(story, sid),
        "mentions": [
            {"story_id": sid, "start": m.start, "end": m.end, "text": m.text,
             "character": m.character, "kind": m.kind}
            for m in story.mentions
        ],
        "places": [
            {"story_id": sid, "id": p.id, "name": p.name, "kind": p.kind,
             "count": len(p.mentions), "mentions": [[s, e] for s, e in p.mentions],
             "characters": list(p.characters)}
            for p in story.places
        ],
        "edges": _edge_rows(story.network, sid),
        "emotions": _emotion_rows(story.emotions, sid),
        "errors": [],
    }
    return {name: _table(name, rows[name]) for name in TABLES}


def error_table(story_id: str, file: str | None, stage: str | None, message: str) -> pa.Table:
    """The one-row `errors` table of a story that failed."""
    return _table("errors", [{"story_id": story_id, "file": file, "stage": stage,
                              "message": message}])


def _table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = SCHEMAS[name]
    if not rows:
        return schema.empty_table()
    return pa.Table.from_pylist(rows, schema=schema)


# --- stories and characters -------------------------------------------------------------------

def _story_row(story: Story, sid: str, file: str | None, seconds: float | None) -> dict[str, Any]:
    meta = story.metadata
    return {
        "story_id": sid, "file": file, "path": story.path, "format": story.format,
        "title": meta.title, "authors": list(meta.authors), "summary": meta.summary,
        "notes": list(meta.notes), "fandoms": list(meta.fandoms),
        "relationships": list(meta.relationships), "characters": list(meta.characters),
        "tags": list(meta.tags), "rating": meta.rating, "warnings": list(meta.warnings),
        "categories": list(meta.categories), "language": meta.language,
        "series": list(meta.series), "published": meta.published, "updated": meta.updated,
        "words": int(meta.words), "extra": _json(meta.extra) if meta.extra else None,
        "chars": len(story.text), "n_chapters": len(story.chapters),
        "n_scenes": len(story.scenes), "n_paragraphs": len(story.paragraphs),
        "n_characters": len(story.characters), "n_quotes": len(story.quotes),
        "n_mentions": len(story.mentions), "n_places": len(story.places),
        "ficlens_warnings": list(story.warnings), "seconds": seconds,
    }


def _character_rows(story: Story, sid: str) -> list[dict[str, Any]]:
    nodes = _network_nodes(story.network)
    rows = []
    for c in story.characters:
        node = nodes.get(c.id, {})
        rows.append({
            "story_id": sid, "id": c.id, "name": c.name, "aliases": list(c.aliases),
            "gender": c.gender, "mentions": int(c.mentions), "quotes": int(c.quotes),
            "words_spoken": int(c.words_spoken), "given": bool(c.given),
            "degree": _float(node.get("degree")),
            "betweenness": _float(node.get("betweenness")),
            "pagerank": _float(node.get("pagerank")),
        })
    return rows


def _network_nodes(network: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    if not isinstance(network, Mapping):
        return {}
    return {str(node["id"]): node for node in network.get("nodes") or []
            if isinstance(node, Mapping) and node.get("id") is not None}


# --- quotes ---------------------------------------------------------------------------------

def _quote_rows(story: Story, sid: str) -> list[dict[str, Any]]:
    rows = []
    for q in story.quotes:
        emotion = q.emotion if isinstance(q.emotion, Mapping) else {}
        rows.append({
            "story_id": sid, "id": q.id, "start": q.start, "end": q.end,
            "spans": [[s, e] for s, e in q.spans], "text": q.text,
            "words": len(_WORD.findall(q.text)), "speaker": q.speaker,
            "addressees": list(q.addressees), "chapter": q.chapter,
            "confidence": round(float(q.confidence), 4), "kind": q.kind,
            "speaker_mention": list(q.speaker_mention) if q.speaker_mention else None,
            **{name: _float(emotion.get(name)) for name in SCORES},
        })
    return rows


# --- network edges --------------------------------------------------------------------------

_EDGE_COLUMNS = ("source", "target", "kind", "directed", "weight", "quotes", "words", "valence",
                 "scenes", "count")


def _edge_rows(network: Mapping[str, Any] | None, sid: str) -> list[dict[str, Any]]:
    """One row per network edge; keys the table has no column for go to `attributes`."""
    if not isinstance(network, Mapping):
        return []
    rows = []
    for edge in network.get("edges") or []:
        if not isinstance(edge, Mapping):
            continue
        extra = {k: v for k, v in edge.items() if k not in _EDGE_COLUMNS}
        directed = edge.get("directed")
        rows.append({
            "story_id": sid, "source": _str(edge.get("source")),
            "target": _str(edge.get("target")), "kind": _str(edge.get("kind")),
            "directed": None if directed is None else bool(directed),
            "weight": _float(edge.get("weight")), "quotes": _int(edge.get("quotes")),
            "words": _int(edge.get("words")), "valence": _float(edge.get("valence")),
            "scenes": _int(edge.get("scenes")), "count": _int(edge.get("count")),
            "attributes": _json(extra) if extra else None,
        })
    return rows


# --- emotion arcs -----------------------------------------------------------------------------

def _emotion_rows(emotions: Mapping[str, Any] | None, sid: str) -> list[dict[str, Any]]:
    """One row per time bin of every arc: a character's `speech` and `narration`, and each
    relationship's `speaks_to` (valence only). Bins with nothing in them and no smoothed
    value are left out."""
    if not isinstance(emotions, Mapping):
        return []
    axis = emotions.get("time_axis") if isinstance(emotions.get("time_axis"), Mapping) else {}
    unit = _str(axis.get("unit"))
    bins = [b for b in axis.get("bins") or [] if isinstance(b, Mapping)]
    rows: list[dict[str, Any]] = []
    characters = emotions.get("characters")
    if isinstance(characters, Mapping):
        for cid, arcs in characters.items():
            if not isinstance(arcs, Mapping):
                continue
            for series in ("speech", "narration"):
                rows.extend(_arc_rows(sid, "character", str(cid), None, series,
                                      arcs.get(series), unit, bins))
    for rel in emotions.get("relationships") or []:
        if isinstance(rel, Mapping):
            rows.extend(_arc_rows(sid, "relationship", _str(rel.get("source")),
                                  _str(rel.get("target")), "speaks_to", rel, unit, bins))
    return rows


def _arc_rows(sid: str, scope: str, character: str | None, target: str | None, series: str,
              arc: Any, unit: str | None, bins: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if not isinstance(arc, Mapping):
        return []
    valence = _list(arc.get("valence"))
    smoothed = _list(arc.get("smoothed"))
    counts = _list(arc.get("count"))
    emotions = arc.get("emotions") if isinstance(arc.get("emotions"), Mapping) else {}
    per_emotion = {name: _list(emotions.get(name)) for name in EMOTIONS}
    n = max(len(valence), len(smoothed), len(counts), len(bins))
    rows = []
    for i in range(n):
        count = _int(_at(counts, i))
        value, smooth = _float(_at(valence, i)), _float(_at(smoothed, i))
        if not count and value is None and smooth is None:
            continue
        info = bins[i] if i < len(bins) else {}
        rows.append({
            "story_id": sid, "scope": scope, "character": character, "target": target,
            "series": series, "point": i, "unit": unit, "time": _str(info.get("label")),
            "chapter": _int(info.get("chapter")), "start": _int(info.get("start")),
            "end": _int(info.get("end")), "count": count, "valence": value,
            "smoothed": smooth,
            **{name: _float(_at(values, i)) for name, values in per_emotion.items()},
        })
    return rows


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _at(values: list[Any], i: int) -> Any:
    return values[i] if i < len(values) else None


# --- small conversions ------------------------------------------------------------------------

def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# --- notebook helpers -------------------------------------------------------------------------

def story_frames(story: Story, story_id: str | None = None) -> dict[str, pd.DataFrame]:
    """Every table of one story as a pandas DataFrame, by name."""
    return {name: table.to_pandas() for name, table in story_tables(story, story_id).items()}


def _frame(name: str, story: Story, story_id: str | None) -> pd.DataFrame:
    return story_tables(story, story_id)[name].to_pandas()


def stories_frame(story: Story, story_id: str | None = None) -> pd.DataFrame:
    """The one-row `stories` table of a story as a pandas DataFrame."""
    return _frame("stories", story, story_id)


def characters_frame(story: Story, story_id: str | None = None) -> pd.DataFrame:
    """The story's cast, one row per character, as a pandas DataFrame."""
    return _frame("characters", story, story_id)


def quotes_frame(story: Story, story_id: str | None = None) -> pd.DataFrame:
    """The story's quotations, one row each, as a pandas DataFrame."""
    return _frame("quotes", story, story_id)


def mentions_frame(story: Story, story_id: str | None = None) -> pd.DataFrame:
    """The story's character mentions, one row each, as a pandas DataFrame."""
    return _frame("mentions", story, story_id)


def places_frame(story: Story, story_id: str | None = None) -> pd.DataFrame:
    """The story's places, one row each, as a pandas DataFrame."""
    return _frame("places", story, story_id)


def edges_frame(story: Story, story_id: str | None = None) -> pd.DataFrame:
    """The story's network edges, one row each, as a pandas DataFrame."""
    return _frame("edges", story, story_id)


def emotions_frame(story: Story, story_id: str | None = None) -> pd.DataFrame:
    """The story's emotion arcs, one row per point of each arc, as a pandas DataFrame."""
    return _frame("emotions", story, story_id)
