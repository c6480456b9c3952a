"""The reference stages' output in the ficlens/1 document, and `analyze --graph`."""

from __future__ import annotations

import json

import networkx as nx
from conftest import run_cli
from references_helpers import FIXTURE, story_with_cast

from ficlens.stages.coref import resolve_mentions
from ficlens.stages.emotion import score_emotions
from ficlens.stages.network import build_network
from ficlens.stages.places import find_places
from ficlens.writers.json import story_to_dict, validate


def test_document_with_mentions_emotions_network_places_validates():
    story = build_network(find_places(score_emotions(resolve_mentions(story_with_cast()))))
    document = json.loads(json.dumps(story_to_dict(story)))
    validate(document)
    assert document["mentions"] and document["places"] and document["network"]["edges"]
    assert document["emotions"]["time_axis"]["unit"] == "chapter"
    assert document["scenes"][0]["location"] == "library"
    assert all("emotion" in q for q in document["quotes"])


def test_cli_graph_option_writes_a_file_networkx_reads(tmp_path):
    out = tmp_path / "story.json"
    graph = tmp_path / "story.graphml"
    result = run_cli("analyze", str(FIXTURE), "-o", str(out), "--graph", str(graph))
    assert result.returncode == 0, result.stderr
    read = nx.read_graphml(graph)
    document = json.loads(out.read_text())
    assert set(read.nodes) == {c["id"] for c in document["characters"]}
    assert read.number_of_edges() == len(document["network"]["edges"])


def test_cli_graph_with_an_unknown_extension_is_one_clear_line(tmp_path):
    result = run_cli("analyze", str(FIXTURE), "-o", str(tmp_path / "s.json"),
                     "--graph", str(tmp_path / "g.svg"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "unknown graph format '.svg'" in result.stderr
