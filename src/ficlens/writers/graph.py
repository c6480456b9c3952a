"""The character network as a file Gephi and Cytoscape open: GraphML or GEXF, via networkx."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ficlens.errors import FiclensError
from ficlens.model import Story

FORMATS = {".graphml": "graphml", ".gexf": "gexf"}


def to_networkx(story: Story) -> Any:
    """The network as a networkx `MultiDiGraph` (undirected `co_occurs` edges appear once,
    with `directed=False`)."""
    import networkx as nx

    if story.network is None:
        from ficlens.stages.network import build_network

        build_network(story)
    network = story.network or {"nodes": [], "edges": []}
    graph = nx.MultiDiGraph(name=story.metadata.title or (Path(story.path).stem if story.path else "story"))
    for node in network["nodes"]:
        graph.add_node(node["id"], **_clean({k: v for k, v in node.items() if k != "id"}, label=node["name"]))
    for n, edge in enumerate(network["edges"]):
        attrs = _clean({k: v for k, v in edge.items() if k not in ("source", "target")})
        graph.add_edge(edge["source"], edge["target"], key=f"e{n}", **attrs)
    return graph


def _clean(attrs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """GraphML/GEXF take no None values: leave them out."""
    out = {k: v for k, v in attrs.items() if v is not None}
    out.update(extra)
    return out


def write_graph(story: Story, path: str | os.PathLike[str]) -> Path:
    """Write the character network to `path` (`.graphml` or `.gexf`) and return the path."""
    import networkx as nx

    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise FiclensError(f"unknown graph format {target.suffix or '(none)'!r}: use .graphml or .gexf",
                           str(target))
    graph = to_networkx(story)
    try:
        if kind == "graphml":
            nx.write_graphml(graph, target)
        else:
            nx.write_gexf(graph, target)
    except OSError as exc:
        raise FiclensError(f"cannot write graph: {exc.strerror or exc}", str(target)) from exc
    return target
