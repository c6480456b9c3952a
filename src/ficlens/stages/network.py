"""The character network: who speaks to whom, who shares scenes, who names whom.

Nodes are the characters with their mention and quote counts and three centralities
(degree, betweenness, PageRank) on the graph of all interactions. Edges come in three
kinds: `speaks_to` (directed: quotes, words, mean valence of what the source says to
the target), `co_occurs` (undirected: scenes in which both are mentioned or speak) and
`mentions` (directed: the source names the target in dialogue).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from typing import Any

from ficlens.model import Story


def build_network(story: Story) -> Story:
    """Pipeline stage: `story.network = {"nodes": [...], "edges": [...]}`."""
    speaks: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"quotes": 0, "words": 0, "valences": []})
    for quote in story.quotes:
        if not quote.speaker:
            continue
        words = len(quote.text.split())
        for target in dict.fromkeys(quote.addressees):
            if target and target != quote.speaker:
                edge = speaks[(quote.speaker, target)]
                edge["quotes"] += 1
                edge["words"] += words
                if quote.emotion and "valence" in quote.emotion:
                    edge["valences"].append(quote.emotion["valence"])
    edges: list[dict[str, Any]] = []
    for (src, dst), e in sorted(speaks.items()):
        vals = e["valences"]
        edges.append({"source": src, "target": dst, "kind": "speaks_to", "directed": True,
                      "weight": e["quotes"], "quotes": e["quotes"], "words": e["words"],
                      "valence": round(sum(vals) / len(vals), 4) if vals else None})
    for (a, b), n in sorted(_co_occurrences(story).items()):
        edges.append({"source": a, "target": b, "kind": "co_occurs", "directed": False,
                      "weight": n, "scenes": n})
    for (src, dst), n in sorted(_named_in_dialogue(story).items()):
        edges.append({"source": src, "target": dst, "kind": "mentions", "directed": True,
                      "weight": n, "count": n})
    story.network = {"nodes": _nodes(story, edges), "edges": edges}
    return story


def _scene_spans(story: Story) -> list[tuple[int, int]]:
    if story.scenes:
        return sorted((s.start, s.end) for s in story.scenes)
    if story.chapters:
        return sorted((c.start, c.end) for c in story.chapters)
    return [(0, len(story.text))]


def _co_occurrences(story: Story) -> Counter:
    """Scenes shared by each pair of characters (mentioned or speaking in the scene)."""
    scenes = _scene_spans(story)
    starts = [s for s, _ in scenes]
    present: dict[int, set[str]] = defaultdict(set)

    def add(offset: int, cid: str | None) -> None:
        i = bisect.bisect_right(starts, offset) - 1
        if cid and i >= 0 and offset < scenes[i][1]:
            present[i].add(cid)

    for mention in story.mentions:
        add(mention.start, mention.character)
    for quote in story.quotes:
        add(quote.start, quote.speaker)
    pairs: Counter = Counter()
    for cids in present.values():
        ordered = sorted(cids, key=_id_order)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                pairs[(a, b)] += 1
    return pairs


def _named_in_dialogue(story: Story) -> Counter:
    """(speaker, named character) -> how often the speaker names them in a quotation."""
    spans = sorted((s, e, q.speaker) for q in story.quotes for s, e in q.spans if q.speaker)
    starts = [s for s, _, _ in spans]
    out: Counter = Counter()
    for mention in story.mentions:
        if mention.kind != "name" or not mention.character:
            continue
        i = bisect.bisect_right(starts, mention.start) - 1
        if i >= 0 and spans[i][0] <= mention.start < spans[i][1]:
            speaker = spans[i][2]
            if speaker != mention.character:
                out[(speaker, mention.character)] += 1
    return out


def _id_order(cid: str) -> tuple[int, str]:
    digits = cid[1:]
    return (int(digits), cid) if digits.isdigit() else (10**9, cid)


def _nodes(story: Story, edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(c.id for c in story.characters)
    for edge in edges:
        a, b = edge["source"], edge["target"]
        if a == b or a not in graph or b not in graph:
            continue
        weight = graph[a][b]["weight"] + edge["weight"] if graph.has_edge(a, b) else edge["weight"]
        graph.add_edge(a, b, weight=weight, distance=1.0 / weight)
    degree = nx.degree_centrality(graph) if len(graph) > 1 else dict.fromkeys(graph, 0.0)
    if graph.number_of_edges():
        # exact betweenness is cubic; sample sources on a large cast
        k = None if len(graph) <= 100 else 100
        between = nx.betweenness_centrality(graph, weight="distance", k=k, seed=0)
        pagerank = nx.pagerank(graph, weight="weight")
    else:
        between = dict.fromkeys(graph, 0.0)
        pagerank = dict.fromkeys(graph, 1.0 / len(graph) if len(graph) else 0.0)
    return [{"id": c.id, "name": c.name, "gender": c.gender, "mentions": int(c.mentions),
             "quotes": int(c.quotes), "words_spoken": int(c.words_spoken),
             "degree": round(degree.get(c.id, 0.0), 4),
             "betweenness": round(between.get(c.id, 0.0), 4),
             "pagerank": round(pagerank.get(c.id, 0.0), 4)}
            for c in story.characters]
