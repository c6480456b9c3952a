"""Emotion arcs for the report, read from `emotions` or, failing that, from the quotes.

The emotion stage's document is read tolerantly (series as lists per emotion, or as lists
of points); when it is missing, arcs are averaged from each quotation's own `emotion`
scores over chapters (or ten equal segments for a one-chapter story).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from typing import Any

#: Emotion names in the order the report offers them.
EMOTION_ORDER = ("valence", "joy", "trust", "anticipation", "surprise", "fear", "sadness",
                 "anger", "disgust")
#: Keys under which a stage may nest the series a reader wants most (first found wins).
#: The sources of a character's arc: what they say, and the narration about them.
SOURCES = ("speech", "narration")
PREFERRED_KEYS = ("smoothed", "combined", "all", "overall", "total", "arc", "series", "values",
                  "speech", "said", "quotes", "dialogue", "narration")
_SEGMENTS = 10


class Arcs(dict):
    """`labels` (one per time step), `unit`, `characters` {id: {source: {emotion: [v|None]}}}
    with source "both", "speech" or "narration", `relationships` [{source, target, quotes,
    series: {emotion: [...]}}], and `derived` (True when averaged from quotations here)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _clean(values: list[Any]) -> list[float | None]:
    return [round(float(v), 4) if _is_number(v) else None for v in values]


def series_of(obj: Any) -> dict[str, list[float | None]]:
    """Emotion name -> values over time, from whatever shape a stage wrote."""
    if isinstance(obj, list):
        if obj and all(_is_number(v) or v is None for v in obj):
            return {"valence": _clean(obj)}
        if obj and all(isinstance(p, Mapping) for p in obj):
            return _transpose(obj)
        return {}
    if not isinstance(obj, Mapping):
        return {}
    direct = {str(k): _clean(v) for k, v in obj.items()
              if isinstance(v, list) and v and all(_is_number(x) or x is None for x in v)}
    emotional = {k: v for k, v in direct.items() if k in EMOTION_ORDER}
    if emotional:
        return emotional
    for key in PREFERRED_KEYS:
        if key in obj:
            found = series_of(obj[key])
            if found:
                return found
    for key in ("emotions", "emotion"):
        if key in obj:
            found = series_of(obj[key])
            if found:
                return found
    return {}


def arc_series(obj: Any) -> dict[str, list[float | None]]:
    """Like `series_of`, preferring smoothed values (`smoothed`, `emotions_smoothed`) and
    reading the emotions nested under `emotions`."""
    if not isinstance(obj, Mapping):
        return series_of(obj)
    out: dict[str, list[float | None]] = {}
    for key in ("smoothed", "valence"):
        if _numbers(obj.get(key)):
            out["valence"] = _clean(obj[key])
            break
    for key in ("emotions_smoothed", "emotions"):
        nested = obj.get(key)
        if isinstance(nested, Mapping) and any(_numbers(v) for v in nested.values()):
            out.update({str(k): _clean(v) for k, v in nested.items()
                        if k in EMOTION_ORDER and _numbers(v)})
            break
    return out or series_of(obj)


def _numbers(value: Any) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(_is_number(v) or v is None for v in value))


def character_sources(obj: Any) -> dict[str, dict[str, list[float | None]]]:
    """source ("both", "speech", "narration") -> emotion -> values, for one character."""
    if isinstance(obj, Mapping) and any(isinstance(obj.get(k), Mapping) for k in SOURCES):
        parts = {k: arc_series(obj[k]) for k in SOURCES if isinstance(obj.get(k), Mapping)}
        parts = {k: v for k, v in parts.items() if v}
        if len(parts) == 2:
            weights = {k: _count(obj[k]) or 1.0 for k in parts}
            return {"both": _combine(parts, weights), **parts}
        return {"both": next(iter(parts.values())), **parts} if parts else {}
    series = arc_series(obj)
    return {"both": series} if series else {}


def _combine(parts: dict[str, dict[str, list[float | None]]],
             weights: dict[str, float]) -> dict[str, list[float | None]]:
    """The weighted mean of several sources' series, skipping missing values."""
    out: dict[str, list[float | None]] = {}
    names = [e for e in EMOTION_ORDER if any(e in p for p in parts.values())]
    for name in names:
        length = max(len(p.get(name) or []) for p in parts.values())
        values: list[float | None] = []
        for i in range(length):
            total = weight = 0.0
            for source, series in parts.items():
                row = series.get(name) or []
                if i < len(row) and row[i] is not None:
                    total += weights[source] * row[i]
                    weight += weights[source]
            values.append(round(total / weight, 4) if weight else None)
        out[name] = values
    return out


def _transpose(points: list[Mapping[str, Any]]) -> dict[str, list[float | None]]:
    flat: list[dict[str, Any]] = []
    for point in points:
        row: dict[str, Any] = {}
        for key, value in point.items():
            if isinstance(value, Mapping) and key in ("emotion", "emotions", "scores"):
                row.update(value)
            else:
                row[key] = value
        flat.append(row)
    names = [e for e in EMOTION_ORDER if any(_is_number(r.get(e)) for r in flat)]
    return {e: _clean([r.get(e) for r in flat]) for e in names}


def _axis_labels(axis: Any, length: int) -> tuple[list[str], str]:
    unit = "segment"
    labels: list[Any] = []
    if isinstance(axis, Mapping):
        unit = str(axis.get("unit") or axis.get("kind") or axis.get("type") or unit)
        for key in ("labels", "bins", "points", "ticks", "steps", "segments", "chapters", "values"):
            if isinstance(axis.get(key), list):
                labels = axis[key]
                break
    elif isinstance(axis, list):
        labels = axis
    elif isinstance(axis, str):
        unit = axis
    out = []
    for i, label in enumerate(labels):
        if isinstance(label, Mapping):
            text = label.get("label") or label.get("title") or label.get("name")
            if text is None:
                number = label.get("chapter", label.get("index", i + 1))
                text = f"{unit} {number}"
            out.append(str(text))
        else:
            out.append(str(label) if not _is_number(label) or unit in ("", None) else f"{unit} {label}")
    if len(out) < length:
        out += [f"{unit} {i + 1}" for i in range(len(out), length)]
    return out[:length] if length else out, unit


def _pair(rel: Mapping[str, Any]) -> tuple[Any, Any]:
    if isinstance(rel.get("pair"), list) and len(rel["pair"]) == 2:
        return rel["pair"][0], rel["pair"][1]
    for a, b in (("source", "target"), ("from", "to"), ("speaker", "addressee")):
        if a in rel and b in rel:
            return rel[a], rel[b]
    return None, None


def _count(obj: Mapping[str, Any], keys: tuple[str, ...] = ("quotes", "count", "n", "weight")) -> float:
    for key in keys:
        value = obj.get(key)
        if _is_number(value):
            return float(value)
        if _numbers(value):
            return float(sum(v for v in value if v is not None))
    return 0.0


def arcs_from_emotions(doc: Mapping[str, Any]) -> Arcs | None:
    """Arcs from the emotion stage's `emotions` document, or None if it holds none."""
    emotions = doc.get("emotions")
    if not isinstance(emotions, Mapping):
        return None
    characters: dict[str, dict[str, list[float | None]]] = {}
    raw_chars = emotions.get("characters") or {}
    if isinstance(raw_chars, list):  # [{"id"/"character": ..., ...}]
        raw_chars = {str(c.get("id") or c.get("character")): c for c in raw_chars
                     if isinstance(c, Mapping)}
    for cid, obj in raw_chars.items():
        sources = character_sources(obj)
        if sources:
            characters[str(cid)] = sources
    relationships = []
    for rel in emotions.get("relationships") or []:
        if not isinstance(rel, Mapping):
            continue
        source, target = _pair(rel)
        series = arc_series(rel)
        if source is None or not series:
            continue
        relationships.append({"source": str(source), "target": str(target),
                              "quotes": _count(rel), "series": series})
    if not characters and not relationships:
        return None
    every = [*(s for c in characters.values() for s in c.values()),
             *(r["series"] for r in relationships)]
    length = max((len(v) for s in every for v in s.values()), default=0)
    labels, unit = _axis_labels(emotions.get("time_axis"), length)
    return Arcs(labels=labels, unit=unit, characters=characters, relationships=relationships,
                derived=False)


def arcs_from_quotes(doc: Mapping[str, Any]) -> Arcs | None:
    """Arcs averaged from per-quotation emotion scores, or None if quotes carry none."""
    quotes = [q for q in doc.get("quotes") or [] if isinstance(q.get("emotion"), Mapping)]
    if not quotes:
        return None
    chapters = sorted(int(c["index"]) for c in doc.get("chapters") or [] if c.get("index") is not None)
    if len(chapters) > 1:
        slot = {ch: i for i, ch in enumerate(chapters)}
        labels, unit = [f"chapter {c}" for c in chapters], "chapter"

        def bin_of(q: Mapping[str, Any]) -> int | None:
            return slot.get(q.get("chapter"))
    else:
        text_length = len(doc.get("text") or "") or max(q["spans"][-1][1] for q in quotes) + 1
        edges = [text_length * (i + 1) / _SEGMENTS for i in range(_SEGMENTS)]
        labels, unit = [f"segment {i + 1}" for i in range(_SEGMENTS)], "segment"

        def bin_of(q: Mapping[str, Any]) -> int | None:
            return min(bisect.bisect_right(edges, q["spans"][0][0]), _SEGMENTS - 1)

    n = len(labels)
    sums: dict[tuple[str, str], dict[str, list[float]]] = {}

    def add(key: tuple[str, str], b: int, emotion: Mapping[str, Any]) -> None:
        table = sums.setdefault(key, {})
        for name, value in emotion.items():
            if _is_number(value):
                cell = table.setdefault(name, [0.0] * (2 * n))
                cell[2 * b] += float(value)
                cell[2 * b + 1] += 1

    pair_counts: dict[tuple[str, str], int] = {}
    for q in quotes:
        b = bin_of(q)
        if b is None or not q.get("speaker"):
            continue
        add((str(q["speaker"]), ""), b, q["emotion"])
        for a in q.get("addressees") or []:
            add((str(q["speaker"]), str(a)), b, q["emotion"])
            pair_counts[(str(q["speaker"]), str(a))] = pair_counts.get((str(q["speaker"]), str(a)), 0) + 1

    def means(table: dict[str, list[float]]) -> dict[str, list[float | None]]:
        return {name: [round(cell[2 * i] / cell[2 * i + 1], 4) if cell[2 * i + 1] else None
                       for i in range(n)]
                for name, cell in table.items() if name in EMOTION_ORDER}

    characters = {s: {"both": means(t), "speech": means(t)} for (s, a), t in sums.items() if not a}
    relationships = [{"source": s, "target": a, "quotes": float(pair_counts[(s, a)]), "series": means(t)}
                     for (s, a), t in sums.items() if a]
    characters = {k: v for k, v in characters.items() if v["both"]}
    if not characters:
        return None
    return Arcs(labels=labels, unit=unit, characters=characters, relationships=relationships,
                derived=True)


def story_arcs(doc: Mapping[str, Any]) -> Arcs | None:
    """The story's emotion arcs: the stage's own, else derived from quotes, else None."""
    return arcs_from_emotions(doc) or arcs_from_quotes(doc)
