"""The character network from a fixture with known edges, and its GraphML/GEXF export."""

from __future__ import annotations

import networkx as nx
import pytest
from references_helpers import story_with_cast

from ficlens.errors import FiclensError
from ficlens.stages.coref import resolve_mentions
from ficlens.stages.emotion import score_emotions
from ficlens.stages.network import build_network
from ficlens.writers.graph import write_graph


@pytest.fixture(scope="module")
def story():
    return build_network(score_emotions(resolve_mentions(story_with_cast())))


def edges(story, kind):
    return {(e["source"], e["target"]): e for e in story.network["edges"] if e["kind"] == kind}


def test_speaks_to_edges_are_directed_with_counts_words_and_valence(story):
    speaks = edges(story, "speaks_to")
    assert set(speaks) == {("C1", "C0"), ("C0", "C1"), ("C2", "C0")}
    assert speaks[("C1", "C0")]["quotes"] == 1
    assert speaks[("C1", "C0")]["words"] == len(story.quotes[0].text.split())
    assert speaks[("C0", "C1")]["valence"] == story.quotes[1].emotion["valence"]
    assert all(e["directed"] for e in speaks.values())


def test_co_occurs_edges_follow_scenes(story):
    co = edges(story, "co_occurs")
    # scene 1: Tom, Lucy; scene 2: Tom, Lucy, Finch; chapter 2: Lucy alone
    assert co[("C0", "C1")]["scenes"] == 2
    assert co[("C0", "C2")]["scenes"] == 1
    assert co[("C1", "C2")]["scenes"] == 1
    assert not any(e["directed"] for e in co.values())


def test_mentions_edges_are_names_said_in_dialogue(story):
    named = edges(story, "mentions")
    # Finch: "Tom, you are late again ... Lucy told me"
    assert named[("C2", "C0")]["count"] == 1
    assert named[("C2", "C1")]["count"] == 1
    assert ("C0", "C2") not in named


def test_nodes_have_counts_and_centrality(story):
    nodes = {n["id"]: n for n in story.network["nodes"]}
    assert set(nodes) == {"C0", "C1", "C2"}
    assert nodes["C0"]["mentions"] > 0
    assert nodes["C0"]["degree"] == 1.0
    assert abs(sum(n["pagerank"] for n in nodes.values()) - 1.0) < 0.01
    assert nodes["C2"]["pagerank"] < nodes["C0"]["pagerank"]


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_graph_files_read_back_with_networkx(story, tmp_path, suffix):
    path = write_graph(story, tmp_path / f"net{suffix}")
    graph = nx.read_graphml(path) if suffix == ".graphml" else nx.read_gexf(path)
    assert set(graph.nodes) == {"C0", "C1", "C2"}
    assert graph.number_of_edges() == len(story.network["edges"])
    kinds = {d["kind"] for _, _, d in graph.edges(data=True)}
    assert kinds == {"speaks_to", "co_occurs", "mentions"}


def test_unknown_graph_extension_is_a_clear_error(story, tmp_path):
    with pytest.raises(FiclensError, match="graphml or .gexf"):
        write_graph(story, tmp_path / "net.png")
