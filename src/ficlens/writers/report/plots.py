"""Plotly figures (as plain `{"data", "layout"}` dicts) for the network, arcs and places.

Plotly renders a small HTML subset in labels and hover text, so every string that comes
from the story goes through `ptext` first: it then shows as typed, never as markup.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from typing import Any

from ficlens.writers.report.emotions import EMOTION_ORDER, Arcs, _count, _is_number
from ficlens.writers.report.view import UNKNOWN_COLOUR, colour_for

#: At most this many characters are drawn in the network (the most talkative ones).
MAX_NODES = 30
#: At most this many relationships are offered in the arcs.
MAX_RELATIONSHIPS = 12
#: At most this many locations get their own row in the places chart.
MAX_LOCATIONS = 30
#: At most this many characters can be picked in the arcs (the most talkative ones).
MAX_ARC_CHARACTERS = 40
#: Characters whose arcs are shown before the user picks others.
DEFAULT_ARC_CHARACTERS = 5

#: The smallest valence range the network's edge colours span (VADER compound means).
VALENCE_FLOOR = 0.3
NEGATIVE, NEUTRAL, POSITIVE = (192, 57, 43), (170, 170, 170), (30, 132, 73)
VALENCE_SCALE = [[0.0, "rgb(192,57,43)"], [0.5, "rgb(170,170,170)"], [1.0, "rgb(30,132,73)"]]


def ptext(value: Any) -> str:
    """A story string made safe for Plotly's label markup (shown literally)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def valence_colour(value: float | None, scale: float) -> str:
    """Red (negative) through grey to green (positive); grey when there is no valence."""
    if value is None:
        return "rgb(190,190,190)"
    t = max(-1.0, min(1.0, value / scale if scale else 0.0))
    end = POSITIVE if t >= 0 else NEGATIVE
    a = abs(t)
    r, g, b = (round(n + (e - n) * a) for n, e in zip(NEUTRAL, end, strict=True))
    return f"rgb({r},{g},{b})"


def _base_layout(height: int) -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 40, "r": 20, "t": 20, "b": 40},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12},
        "hoverlabel": {"namelength": -1},
    }


# --- network -------------------------------------------------------------------------------

def _edge_type(edge: Mapping[str, Any]) -> str:
    return str(edge.get("type") or edge.get("kind") or edge.get("relation") or "speaks_to")


def _edge_valence(edge: Mapping[str, Any]) -> float | None:
    for key in ("valence", "mean_valence", "avg_valence"):
        if _is_number(edge.get(key)):
            return float(edge[key])
    emotion = edge.get("emotion")
    if isinstance(emotion, Mapping) and _is_number(emotion.get("valence")):
        return float(emotion["valence"])
    return None


def speech_edges(doc: Mapping[str, Any]) -> tuple[dict[tuple[str, str], list[float]], bool]:
    """Directed (speaker, addressee) -> [quotes, valence sum, valence count]; and whether
    they came from the network stage (True) or were counted from the quotes (False)."""
    network = doc.get("network")
    edges: dict[tuple[str, str], list[float]] = {}
    if isinstance(network, Mapping) and isinstance(network.get("edges"), list):
        for edge in network["edges"]:
            if not isinstance(edge, Mapping) or _edge_type(edge) != "speaks_to":
                continue
            source, target = edge.get("source", edge.get("from")), edge.get("target", edge.get("to"))
            if source is None or target is None:
                continue
            n = _count(edge, ("quotes", "count", "weight", "n"))
            valence = _edge_valence(edge)
            cell = edges.setdefault((str(source), str(target)), [0.0, 0.0, 0.0])
            cell[0] += n
            if valence is not None:
                cell[1] += valence * max(n, 1.0)
                cell[2] += max(n, 1.0)
        if edges:
            return edges, True
    for q in doc.get("quotes") or []:
        speaker = q.get("speaker")
        if not speaker:
            continue
        emotion = q.get("emotion")
        valence = emotion.get("valence") if isinstance(emotion, Mapping) else None
        for addressee in q.get("addressees") or []:
            if addressee == speaker:
                continue
            cell = edges.setdefault((str(speaker), str(addressee)), [0.0, 0.0, 0.0])
            cell[0] += 1
            if _is_number(valence):
                cell[1] += float(valence)
                cell[2] += 1
    return edges, False


def _layout(graph: Any) -> dict[str, tuple[float, float]]:
    """Spring layout of the characters who talk; the silent ones in a row underneath
    (a force layout would fling them to the edges and squash the rest)."""
    import networkx as nx

    linked = [n for n in graph if graph.degree(n)]
    alone = [n for n in graph if not graph.degree(n)]
    positions: dict[str, tuple[float, float]] = {}
    if len(linked) == 1:
        positions[linked[0]] = (0.0, 0.0)
    elif linked:
        core = graph.subgraph(linked)
        raw = nx.spring_layout(core, seed=7, weight="weight", k=1.6 / math.sqrt(len(core)))
        positions.update({n: (float(x), float(y)) for n, (x, y) in raw.items()})
    bottom = min((y for _, y in positions.values()), default=0.0) - 0.45
    for i, node in enumerate(alone):
        x = -1.0 + 2.0 * (i + 0.5) / len(alone) if len(alone) > 1 else 0.0
        positions[node] = (x, bottom - 0.25 * (i % 2))
    return positions


def network_figure(doc: Mapping[str, Any], cast: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The character network: node size = quotes, edge width = quotes exchanged,
    edge colour = mean valence. None when the story has no characters."""
    import networkx as nx

    if not cast:
        return None
    by_id = {c["id"]: c for c in cast}
    spoken: dict[str, int] = {}
    for q in doc.get("quotes") or []:
        if q.get("speaker") in by_id:
            spoken[q["speaker"]] = spoken.get(q["speaker"], 0) + 1
    node_info: dict[str, Mapping[str, Any]] = {}
    network = doc.get("network")
    if isinstance(network, Mapping):
        for node in network.get("nodes") or []:
            if isinstance(node, Mapping) and node.get("id") is not None:
                node_info[str(node["id"])] = node

    def quotes_of(cid: str) -> int:
        return by_id[cid]["quotes"] or spoken.get(cid, 0)

    directed, from_stage = speech_edges(doc)
    pairs: dict[tuple[str, str], dict[str, float]] = {}
    for (s, t), (n, vsum, vn) in directed.items():
        if s not in by_id or t not in by_id or n <= 0:
            continue
        key = (s, t) if by_id[s]["index"] <= by_id[t]["index"] else (t, s)
        cell = pairs.setdefault(key, {"ab": 0.0, "ba": 0.0, "vsum": 0.0, "vn": 0.0})
        cell["ab" if key == (s, t) else "ba"] += n
        cell["vsum"] += vsum
        cell["vn"] += vn
    in_edges = {cid for pair in pairs for cid in pair}
    ranked = sorted((c for c in cast if quotes_of(c["id"]) or c["id"] in in_edges or c["mentions"]),
                    key=lambda c: (-quotes_of(c["id"]), -c["mentions"], c["index"]))
    chosen = {c["id"] for c in ranked[:MAX_NODES]}
    if not chosen:
        return None
    pairs = {k: v for k, v in pairs.items() if k[0] in chosen and k[1] in chosen}

    graph = nx.Graph()
    graph.add_nodes_from(sorted(chosen, key=lambda cid: by_id[cid]["index"]))
    for (a, b), cell in pairs.items():
        graph.add_edge(a, b, weight=1.0 + math.log1p(cell["ab"] + cell["ba"]))
    positions = _layout(graph)

    valences = [cell["vsum"] / cell["vn"] for cell in pairs.values() if cell["vn"]]
    # Mean valences sit near zero; a floor keeps a faint lean from looking like a strong one.
    scale = max([VALENCE_FLOOR, *(abs(v) for v in valences)]) if valences else 1.0
    max_pair = max((c["ab"] + c["ba"] for c in pairs.values()), default=1.0)
    data: list[dict[str, Any]] = []
    mids_x, mids_y, mids_text = [], [], []
    for (a, b), cell in sorted(pairs.items(), key=lambda kv: kv[1]["ab"] + kv[1]["ba"]):
        (x0, y0), (x1, y1) = positions[a], positions[b]
        total = cell["ab"] + cell["ba"]
        valence = cell["vsum"] / cell["vn"] if cell["vn"] else None
        data.append({
            "type": "scatter", "mode": "lines", "x": [x0, x1], "y": [y0, y1],
            "line": {"width": round(1 + 9 * math.sqrt(total / max_pair), 2),
                     "color": valence_colour(valence, scale)},
            "hoverinfo": "skip", "showlegend": False,
        })
        name_a, name_b = ptext(by_id[a]["name"]), ptext(by_id[b]["name"])
        mids_x.append((x0 + x1) / 2)
        mids_y.append((y0 + y1) / 2)
        mids_text.append(
            f"{name_a} → {name_b}: {cell['ab']:g} quotes<br>{name_b} → {name_a}: {cell['ba']:g} quotes"
            + (f"<br>mean valence: {valence:+.2f}" if valence is not None else "<br>no emotion data"))
    if mids_x:
        data.append({"type": "scatter", "mode": "markers", "x": mids_x, "y": mids_y,
                     "hovertext": mids_text, "hoverinfo": "text", "showlegend": False,
                     "name": "exchanges", "marker": {"size": 14, "color": "rgba(0,0,0,0)"}})
    if valences:
        data.append({
            "type": "scatter", "mode": "markers", "x": [None], "y": [None], "showlegend": False,
            "hoverinfo": "skip",
            "marker": {"color": [0], "colorscale": VALENCE_SCALE, "cmin": -scale, "cmax": scale,
                       "showscale": True,
                       "colorbar": {"title": {"text": "mean valence"}, "thickness": 12, "len": 0.6}},
        })
    nodes = sorted(chosen, key=lambda cid: by_id[cid]["index"])
    max_quotes = max((quotes_of(cid) for cid in nodes), default=0) or 1
    hover = []
    for cid in nodes:
        c = by_id[cid]
        line = (f"<b>{ptext(c['name'])}</b><br>quotes: {quotes_of(cid)}<br>mentions: {c['mentions']}"
                f"<br>words spoken: {c['words_spoken']}")
        info = node_info.get(cid, {})
        for key in ("degree_centrality", "betweenness", "centrality", "pagerank", "degree"):
            if _is_number(info.get(key)):
                line += f"<br>{key.replace('_', ' ')}: {float(info[key]):.3g}"
        hover.append(line)
    data.append({
        "type": "scatter", "mode": "markers+text", "name": "characters",
        "x": [positions[cid][0] for cid in nodes], "y": [positions[cid][1] for cid in nodes],
        "text": [ptext(by_id[cid]["name"]) for cid in nodes], "textposition": "top center",
        "hovertext": hover, "hoverinfo": "text", "showlegend": False,
        "customdata": [by_id[cid]["index"] for cid in nodes],
        "marker": {"size": [round(10 + 40 * math.sqrt(quotes_of(cid) / max_quotes), 1) for cid in nodes],
                   "color": [by_id[cid]["colour"] for cid in nodes],
                   "line": {"width": 1, "color": "white"}},
    })
    layout = _base_layout(560)
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    layout.update({"xaxis": hidden, "yaxis": dict(hidden), "hovermode": "closest",
                   "margin": {"l": 10, "r": 10, "t": 30, "b": 10}})
    if not pairs:
        note = "No exchanges between characters were found (no addressees)."
    elif not valences:
        note = "No emotion data: edges are grey."
    else:
        note = None
    source = "network stage" if from_stage else "counted from quotations"
    return {"figure": {"data": data, "layout": layout}, "note": note, "source": source,
            "nodes": len(nodes), "edges": len(pairs), "hidden": max(0, len(ranked) - len(nodes))}


# --- arcs ----------------------------------------------------------------------------------

def arcs_figures(arcs: Arcs | None, cast: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The arcs as data the page draws for the characters the user picks: per character,
    source ("both", "speech", "narration") and emotion a series; the main relationships'
    valence; the layouts. None without emotion data."""
    if not arcs:
        return None
    by_id = {c["id"]: c for c in cast}
    labels = arcs["labels"]
    characters = [cid for cid in arcs["characters"] if cid in by_id]
    characters.sort(key=lambda cid: (-by_id[cid]["quotes"], -by_id[cid]["mentions"], by_id[cid]["index"]))
    characters = characters[:MAX_ARC_CHARACTERS]
    emotions = [e for e in EMOTION_ORDER
                if any(e in series for cid in characters for series in arcs["characters"][cid].values())]
    sources = [s for s in ("both", "speech", "narration")
               if any(s in arcs["characters"][cid] for cid in characters)]
    relationships = [r for r in arcs["relationships"] if r["source"] in by_id and r["target"] in by_id
                     and r["source"] != r["target"] and r["series"]]
    relationships.sort(key=lambda r: -r["quotes"])
    relationships = relationships[:MAX_RELATIONSHIPS]
    if not characters and not relationships:
        return None

    def layout(title: str) -> dict[str, Any]:
        lay = _base_layout(380)
        xs = list(range(1, len(labels) + 1))
        step = max(1, math.ceil(len(labels) / 20))
        lay.update({
            "xaxis": {"title": {"text": arcs["unit"]}, "tickmode": "array", "tickvals": xs[::step],
                      "ticktext": [str(x) for x in xs[::step]], "gridcolor": "#eee",
                      "range": [0.8, len(xs) + 0.2]},
            "yaxis": {"title": {"text": title}, "gridcolor": "#eee", "zerolinecolor": "#bbb"},
            "legend": {"orientation": "h", "y": -0.22},
            "hovermode": "closest",
            "margin": {"l": 55, "r": 20, "t": 20, "b": 60},
        })
        return lay

    return {
        "labels": [ptext(label) for label in labels],
        "unit": arcs["unit"],
        "emotions": emotions,
        "sources": sources,
        "characters": [{"i": by_id[cid]["index"], "series": arcs["characters"][cid]}
                       for cid in characters],
        "relationships": [{"a": by_id[r["source"]]["index"], "b": by_id[r["target"]]["index"],
                           "quotes": r["quotes"],
                           "valence": r["series"].get("valence") or next(iter(r["series"].values()))}
                          for r in relationships],
        "default": [by_id[cid]["index"] for cid in characters[:DEFAULT_ARC_CHARACTERS]],
        "derived": bool(arcs.get("derived")),
        "layout": layout("valence"),
        "relationship_layout": layout("valence"),
    }


# --- places --------------------------------------------------------------------------------

def scenes_view(doc: Mapping[str, Any], cast: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every scene, in order, with its position in the story (%), location and speakers."""
    text_length = len(doc.get("text") or "")
    scenes = sorted(doc.get("scenes") or [], key=lambda s: s["start"])
    if not text_length:
        text_length = max((s["end"] for s in scenes), default=0) or 1
    quotes = sorted((q["spans"][0][0], q.get("speaker")) for q in doc.get("quotes") or []
                    if q.get("spans") and q.get("speaker"))
    starts = [s for s, _ in quotes]
    names = {c["id"]: c for c in cast}
    rows = []
    for n, scene in enumerate(scenes, 1):
        lo, hi = bisect.bisect_left(starts, scene["start"]), bisect.bisect_left(starts, scene["end"])
        counts: dict[str, int] = {}
        for _, speaker in quotes[lo:hi]:
            if speaker in names:
                counts[speaker] = counts.get(speaker, 0) + 1
        speakers = sorted(counts, key=lambda cid: -counts[cid])
        rows.append({
            "number": n, "chapter": scene.get("chapter"), "location": scene.get("location"),
            "start": round(100 * scene["start"] / text_length, 2),
            "end": round(100 * scene["end"] / text_length, 2),
            "speakers": [names[cid]["name"] for cid in speakers[:6]],
        })
    return rows


def places_figure(doc: Mapping[str, Any], scenes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Scenes as bars along the story on a row per location (or, without scene locations,
    place mentions along the story). None when the story names no place."""
    located = [s for s in scenes if s["location"]]
    layout = _base_layout(0)
    if located:
        counts: dict[str, int] = {}
        for s in located:
            counts[s["location"]] = counts.get(s["location"], 0) + 1
        top = sorted(counts, key=lambda k: (-counts[k], k))[:MAX_LOCATIONS]
        colours = {loc: colour_for(i) for i, loc in enumerate(top)}
        other, unknown = "(other places)", "(no location)"
        rows = list(reversed(top))
        ys, bases, widths, bar_colours, hover = [], [], [], [], []
        for s in scenes:
            loc = s["location"]
            row = loc if loc in colours else (other if loc else unknown)
            ys.append(ptext(row))
            bases.append(s["start"])
            widths.append(max(s["end"] - s["start"], 0.15))
            bar_colours.append(colours.get(loc, UNKNOWN_COLOUR if loc else "#dddddd"))
            hover.append(f"scene {s['number']} (chapter {s['chapter']})<br>"
                         f"{ptext(loc) if loc else 'no location'}<br>{s['start']:.1f}%–{s['end']:.1f}%"
                         + (f"<br>speakers: {ptext(', '.join(s['speakers']))}" if s["speakers"] else ""))
        categories = [ptext(r) for r in ([unknown] if len(located) < len(scenes) else [])
                      + ([other] if len(counts) > len(top) else []) + rows]
        data = [{"type": "bar", "orientation": "h", "y": ys, "x": widths, "base": bases,
                 "marker": {"color": bar_colours}, "hovertext": hover, "hoverinfo": "text",
                 "showlegend": False, "name": "scenes"}]
        layout.update({"height": 120 + 26 * len(categories),
                       "yaxis": {"type": "category", "categoryorder": "array",
                                 "categoryarray": categories, "automargin": True},
                       "xaxis": {"title": {"text": "position in the story (%)"}, "range": [0, 100],
                                 "gridcolor": "#eee"},
                       "bargap": 0.25, "margin": {"l": 10, "r": 20, "t": 20, "b": 45}})
        return {"data": data, "layout": layout}
    text_length = len(doc.get("text") or "") or 1
    places = [p for p in doc.get("places") or [] if p.get("mentions")]
    if not places:
        return None
    places.sort(key=lambda p: -len(p["mentions"]))
    places = places[:MAX_LOCATIONS]
    data = []
    for i, p in enumerate(places):
        xs = [round(100 * s / text_length, 2) for s, _ in p["mentions"]]
        data.append({"type": "scatter", "mode": "markers", "x": xs, "y": [ptext(p["name"])] * len(xs),
                     "marker": {"color": colour_for(i), "size": 8, "symbol": "line-ns-open",
                                "line": {"width": 2}},
                     "hovertemplate": "%{y}<br>%{x:.1f}%<extra></extra>", "showlegend": False,
                     "name": ptext(p["name"])})
    layout.update({"height": 120 + 26 * len(places),
                   "yaxis": {"type": "category", "automargin": True},
                   "xaxis": {"title": {"text": "position in the story (%)"}, "range": [0, 100],
                             "gridcolor": "#eee"},
                   "margin": {"l": 10, "r": 20, "t": 20, "b": 45}})
    return {"data": data, "layout": layout}
