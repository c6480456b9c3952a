"""`ficlens query`: SQL over a batch's Parquet tables, and the tables of one story."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import storygen
from click.testing import CliRunner

from ficlens.cli import main
from ficlens.corpus.query import run_query
from ficlens.corpus.store import PartStore
from ficlens.pipeline import analyze
from ficlens.readers import story_from_text
from ficlens.writers.tables import SCHEMAS, TABLES, error_table, quotes_frame, story_tables

#: The foundation stages only: these tests are about the tables and SQL, not the analysis.
STAGES = ("parse", "quotes")


@pytest.fixture(scope="module")
def analysed() -> list:
    stories = []
    for seed in range(3):
        made = storygen.make_story(seed, 150)
        story = story_from_text(str(made["text"]), f"{made['id']}.txt")
        stories.append((str(made["id"]), analyze(story, stages=STAGES)))
    return stories


@pytest.fixture(scope="module")
def outdir(analysed, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("query") / "out"
    store = PartStore(out)
    for n, (sid, story) in enumerate(analysed):
        store.add(sid, story_tables(story, sid, file=f"{sid}.txt"))
        if n == 0:
            store.flush()  # two parts, so the views read several files
    store.add("bad", {"errors": error_table("bad", "bad.txt", "read", "not a story")})
    store.close()
    return out


def query(*args: str):
    return CliRunner().invoke(main, ["query", *args])


def test_views_answer_sql_with_the_story_tables(outdir: Path, analysed) -> None:
    result = run_query(outdir, "SELECT story_id, count(*) AS n FROM quotes "
                               "GROUP BY story_id ORDER BY story_id")
    expected = sorted((sid, len(story.quotes)) for sid, story in analysed)
    assert list(zip(result["story_id"].to_pylist(), result["n"].to_pylist())) == expected
    joined = run_query(outdir, "SELECT s.title, count(q.id) AS n FROM stories s "
                               "JOIN quotes q USING (story_id) GROUP BY s.title")
    assert sorted(joined["title"].to_pylist()) == sorted(s.metadata.title for _, s in analysed)


def test_every_table_is_a_view_even_when_empty(outdir: Path) -> None:
    for name in TABLES:
        result = run_query(outdir, f"SELECT * FROM {name} LIMIT 0")
        assert result.column_names == SCHEMAS[name].names
    assert run_query(outdir, "SELECT count(*) AS n FROM errors")["n"].to_pylist() == [1]


def test_table_output(outdir: Path) -> None:
    result = query(str(outdir), "SELECT story_id, title FROM stories ORDER BY story_id")
    assert result.exit_code == 0, result.output
    assert "lc-00000" in result.stdout and "story_id" in result.stdout
    assert "(3 rows)" in result.stderr


def test_csv_and_json_output(outdir: Path, analysed) -> None:
    sql = "SELECT story_id, n_quotes, relationships FROM stories ORDER BY story_id"
    as_csv = query(str(outdir), sql, "--csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["story_id"] for r in rows] == [sid for sid, _ in analysed]
    assert [int(r["n_quotes"]) for r in rows] == [len(s.quotes) for _, s in analysed]
    as_json = query(str(outdir), sql, "--json")
    assert as_json.exit_code == 0, as_json.output
    records = json.loads(as_json.stdout)
    assert records[0]["relationships"] == analysed[0][1].metadata.relationships


def test_bad_sql_is_one_line_and_exit_1(outdir: Path) -> None:
    for sql in ("SELEC nonsense", "SELECT no_such_column FROM quotes", "SELECT * FROM nope"):
        result = query(str(outdir), sql)
        assert result.exit_code == 1
        assert result.stderr.startswith("ficlens: error: SQL: ")
        assert result.stderr.strip().count("\n") == 0


def test_query_on_a_directory_that_is_not_a_batch(tmp_path: Path) -> None:
    result = query(str(tmp_path / "missing"), "SELECT 1")
    assert result.exit_code == 1 and "no such directory" in result.stderr
    result = query(str(tmp_path), "SELECT 1")
    assert result.exit_code == 1 and "not the output of `ficlens batch`" in result.stderr


def test_quotes_frame_follows_the_json_fields(analysed) -> None:
    from ficlens.writers.json import story_to_dict

    sid, story = analysed[0]
    frame = quotes_frame(story, sid)
    doc = story_to_dict(story)
    assert list(frame["id"]) == [q["id"] for q in doc["quotes"]]
    assert list(frame["text"]) == [q["text"] for q in doc["quotes"]]
    assert [list(map(list, s)) for s in frame["spans"]] == [q["spans"] for q in doc["quotes"]]
    assert set(frame["story_id"]) == {sid}
    assert all(n > 0 for n in frame["words"])


def test_tables_flatten_network_and_emotion_arcs() -> None:
    """The `network` and `emotions` fields of the JSON, one row per edge and per arc point."""
    from ficlens.model import Character

    story = story_from_text("Title: Two\n\n\u201cHello,\u201d said Ann.\n\n\u201cHi,\u201d Ben said.\n")
    story.characters = [Character("C0", "Ann"), Character("C1", "Ben")]
    story.network = {
        "nodes": [{"id": "C0", "degree": 1.0, "betweenness": 0.0, "pagerank": 0.6},
                  {"id": "C1", "degree": 1.0, "betweenness": 0.0, "pagerank": 0.4}],
        "edges": [
            {"source": "C0", "target": "C1", "kind": "speaks_to", "directed": True,
             "weight": 2, "quotes": 2, "words": 7, "valence": 0.5},
            {"source": "C0", "target": "C1", "kind": "co_occurs", "directed": False,
             "weight": 1, "scenes": 1, "new_measure": "x"},
        ],
    }
    axis = {"unit": "segment", "bins": [{"index": 0, "label": "1/2", "start": 0, "end": 10},
                                        {"index": 1, "label": "2/2", "start": 10, "end": 20}]}
    arc = {"count": [1, 0], "valence": [0.25, None], "smoothed": [0.25, 0.2],
           "emotions": {"joy": [1.0, None], "fear": [0.0, None]}}
    story.emotions = {
        "time_axis": axis,
        "characters": {"C0": {"name": "Ann", "speech": arc,
                              "narration": {"count": [0, 0], "valence": [None, None],
                                            "smoothed": [None, None]}}},
        "relationships": [{"source": "C0", "target": "C1", "count": [0, 2],
                           "valence": [None, -0.5], "smoothed": [None, -0.5]}],
    }
    tables = story_tables(story, "s1")
    characters = tables["characters"].to_pylist()
    assert [(c["id"], c["pagerank"]) for c in characters] == [("C0", 0.6), ("C1", 0.4)]
    edges = tables["edges"].to_pylist()
    assert edges[0]["kind"] == "speaks_to" and edges[0]["words"] == 7
    assert edges[0]["valence"] == 0.5 and edges[0]["attributes"] is None
    assert edges[1]["scenes"] == 1 and json.loads(edges[1]["attributes"]) == {"new_measure": "x"}
    arcs = tables["emotions"].to_pylist()
    speech = [a for a in arcs if a["series"] == "speech"]
    assert [(a["point"], a["time"], a["count"], a["valence"], a["smoothed"], a["joy"])
            for a in speech] == [(0, "1/2", 1, 0.25, 0.25, 1.0), (1, "2/2", 0, None, 0.2, None)]
    assert not [a for a in arcs if a["series"] == "narration"]  # nothing there at all
    (rel,) = [a for a in arcs if a["scope"] == "relationship"]
    assert (rel["character"], rel["target"], rel["point"], rel["valence"]) == ("C0", "C1", 1, -0.5)
    assert all(a["story_id"] == "s1" and a["unit"] == "segment" for a in arcs)


def test_a_story_without_network_or_emotions_has_empty_tables_of_the_same_schema() -> None:
    story = story_from_text("Title: Plain\n\nNothing is said here at all.\n")
    tables = story_tables(story, "plain")
    for name in TABLES:
        assert tables[name].schema == SCHEMAS[name]
    assert tables["stories"].num_rows == 1
    assert tables["edges"].num_rows == tables["emotions"].num_rows == 0
