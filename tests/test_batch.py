"""`ficlens batch`: real runs on Dask (as subprocesses), bad files, resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import storygen

from ficlens.corpus.store import PartStore, read_ledger
from ficlens.writers.tables import SCHEMAS, TABLES, error_table, story_id_for

FIXTURES = Path(__file__).parent / "fixtures"
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
#: The resume and cluster tests are about the batch machinery: the foundation stages suffice.
FAST = ("--stages", "parse,quotes")


def ficlens(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ficlens", *args], capture_output=True,
                          text=True, timeout=timeout, env=ENV, check=False)


def table(outdir: Path, name: str) -> pa.Table:
    parts = sorted((outdir / name).glob("part-*.parquet"))
    if not parts:
        return SCHEMAS[name].empty_table()
    return pa.concat_tables(pq.read_table(p) for p in parts)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    storygen.write_corpus(root / "lantern", 4, min_words=200)
    (root / "other").mkdir()
    (root / "other" / "essay.txt").write_bytes((FIXTURES / "archive_story.txt").read_bytes())
    # a UTF-32 byte-order mark on bytes that are not UTF-32: undecodable
    (root / "other" / "broken.txt").write_bytes(b"\xff\xfe\x00\x00Not really \xd8\x00 text")
    (root / ".hidden.txt").write_text("ignored: hidden files are not stories", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def batch_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("out") / "tables"
    result = ficlens("batch", str(corpus), "-o", str(out), "--workers", "2", "--json", *FAST)
    return out, result


def test_batch_writes_every_table_and_one_error_row(corpus: Path, batch_run) -> None:
    out, result = batch_run
    assert result.returncode == 0, result.stderr
    assert "5 stories analysed, 1 failed" in result.stderr
    files = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*")
                   if p.is_file() and not p.name.startswith(".") and p.name != "broken.txt")
    stories = table(out, "stories").to_pylist()
    assert sorted(r["file"] for r in stories) == files
    for row in stories:
        assert row["story_id"] == story_id_for(row["file"])
        assert row["n_quotes"] > 0 and row["words"] > 0
    errors = table(out, "errors").to_pylist()
    assert len(errors) == 1
    assert errors[0]["file"] == "other/broken.txt"
    assert errors[0]["story_id"] == story_id_for("other/broken.txt")
    assert errors[0]["stage"] == "read" and errors[0]["message"]
    for name in TABLES:
        assert table(out, name).schema.names == SCHEMAS[name].names


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("full")
    storygen.write_corpus(root / "corpus", 2, min_words=200)
    out = root / "out"
    result = ficlens("batch", str(root / "corpus"), "-o", str(out), "--workers", "1", "--json",
                     "--no-progress")
    return out, result


def test_full_pipeline_batch_tables_match_the_json_documents(full_run) -> None:
    """Every stage of the default pipeline, through Dask, into tables equal to the JSON."""
    from ficlens.writers.json import validate

    out, result = full_run
    assert result.returncode == 0, result.stderr
    assert table(out, "errors").to_pylist() == []
    quotes = table(out, "quotes").to_pylist()
    characters = table(out, "characters").to_pylist()
    mentions = table(out, "mentions")
    stories = table(out, "stories").to_pylist()
    assert len(stories) == 2
    assert len(list((out / "json").glob("*.json"))) == len(stories)
    for story in stories:
        sid = story["story_id"]
        doc = json.loads((out / "json" / f"{sid}.json").read_text(encoding="utf-8"))
        validate(doc)
        assert doc["metadata"]["title"] == story["title"]
        mine = [q for q in quotes if q["story_id"] == sid]
        assert [(q["id"], q["text"], q["speaker"]) for q in mine] == [
            (q["id"], q["text"], q["speaker"]) for q in doc["quotes"]]
        assert [q["spans"] for q in mine] == [q["spans"] for q in doc["quotes"]]
        assert sorted(c["id"] for c in characters if c["story_id"] == sid) == sorted(
            c["id"] for c in doc["characters"])
        assert mentions.filter(pa.compute.equal(mentions["story_id"], sid)).num_rows == len(
            doc.get("mentions", []))
        edges = [e for e in table(out, "edges").to_pylist() if e["story_id"] == sid]
        network = doc.get("network") or {"edges": []}
        assert sorted((e["source"], e["target"], e["kind"]) for e in edges) == sorted(
            (e["source"], e["target"], e["kind"]) for e in network["edges"])
        arcs = [e for e in table(out, "emotions").to_pylist() if e["story_id"] == sid]
        emotions = doc.get("emotions") or {}
        for cid in emotions.get("characters", {}):  # every character with an arc has rows
            assert any(a["scope"] == "character" and a["character"] == cid for a in arcs)


def test_rerun_skips_finished_stories(corpus: Path, batch_run) -> None:
    out, _ = batch_run
    before = table(out, "stories").num_rows
    again = ficlens("batch", str(corpus), "-o", str(out), "--workers", "1", *FAST)
    assert again.returncode == 0, again.stderr
    assert "already in" in again.stderr
    assert table(out, "stories").num_rows == before
    assert table(out, "errors").num_rows == 1


def test_table_of_stories_input(tmp_path: Path) -> None:
    source = storygen.write_jsonl(tmp_path / "stories.jsonl", 3, min_words=150)
    with source.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "empty-one", "text": "   "}) + "\n")
        handle.write(json.dumps({"id": "lc-00001", "text": "A duplicate id."}) + "\n")
        html = (FIXTURES / "ao3_oneshot.html").read_text(encoding="utf-8")
        handle.write(json.dumps({"id": "html-1", "text": html, "rating": "Mature",
                                 "kudos": 12}) + "\n")
    out = tmp_path / "out"
    result = ficlens("batch", str(source), "-o", str(out), "--workers", "1", "--no-progress",
                     *FAST)
    assert result.returncode == 0, result.stderr
    stories = {r["story_id"]: r for r in table(out, "stories").to_pylist()}
    assert sorted(stories) == ["html-1", "lc-00000", "lc-00001", "lc-00002"]
    assert stories["html-1"]["format"] == "ao3-html"  # a text column may hold AO3 HTML
    assert stories["html-1"]["rating"] == "Mature"
    assert json.loads(stories["html-1"]["extra"])["kudos"] == 12
    expected = storygen.make_story(1, 150)
    assert stories["lc-00001"]["relationships"] == expected["relationships"]
    assert stories["lc-00001"]["file"] == "stories.jsonl"
    errors = {r["story_id"]: r for r in table(out, "errors").to_pylist()}
    assert len(errors) == 2
    assert errors["empty-one"]["stage"] == "read"
    duplicate = [r for r in errors.values() if "duplicate id" in r["message"]]
    assert len(duplicate) == 1


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    result = ficlens("batch", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no such file or directory" in result.stderr and "Traceback" not in result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("name,body\na,b\n", encoding="utf-8")
    result = ficlens("batch", str(bad), "-o", str(tmp_path / "o"))
    assert result.returncode == 1 and "needs 'id' and 'text' columns" in result.stderr


def test_interrupted_batch_resumes_without_duplicates_or_losses(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    storygen.write_corpus(corpus, 40, min_words=150)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "ficlens", "batch", str(corpus), "-o", str(out),
            "--workers", "1", "--flush-every", "3", "--no-progress", *FAST]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=ENV, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while len(read_ledger(out)) < 2:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "no part written in 90 s"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole run: client, scheduler and workers
        proc.wait()
    first = {s for entry in read_ledger(out) for s in entry["stories"]}
    assert 0 < len(first) < 40

    result = ficlens("batch", str(corpus), "-o", str(out), "--workers", "1", "--no-progress",
                     *FAST)
    assert result.returncode == 0, result.stderr
    assert f"{len(first)} already done" in result.stderr

    expected = {story_id_for(p.name) for p in corpus.iterdir()}
    stories = table(out, "stories")
    ids = stories["story_id"].to_pylist()
    assert len(ids) == len(set(ids)) == 40
    assert set(ids) == expected
    assert table(out, "errors").num_rows == 0
    ledger_ids = [s for entry in read_ledger(out) for s in entry["stories"]]
    assert sorted(ledger_ids) == sorted(expected)
    quotes = table(out, "quotes").to_pylist()
    assert len({(q["story_id"], q["id"]) for q in quotes}) == len(quotes)
    per_story: dict[str, int] = {}
    for q in quotes:
        per_story[q["story_id"]] = per_story.get(q["story_id"], 0) + 1
    for row in stories.to_pylist():
        assert per_story.get(row["story_id"], 0) == row["n_quotes"]


def test_store_recovers_from_a_kill_between_part_and_ledger(tmp_path: Path) -> None:
    store = PartStore(tmp_path)
    store.add("a", {"errors": error_table("a", "a.txt", "read", "bad")})
    store.flush()
    store.add("b", {"errors": error_table("b", "b.txt", "read", "bad")})
    store.close()
    # a part renamed into place whose ledger line was never written, and a torn ledger line
    pq.write_table(error_table("c", "c.txt", "read", "bad"), tmp_path / "errors" / "part-000002.parquet")
    with (tmp_path / "_ficlens" / "ledger.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"part": 2, "files": ["errors/part-0000')
    reopened = PartStore(tmp_path)
    assert reopened.done == {"a", "b"}
    assert reopened.next_part == 2
    assert sorted(p.name for p in (tmp_path / "errors").iterdir()) == [
        "part-000000.parquet", "part-000001.parquet"]
    reopened.add("c", {"errors": error_table("c", "c.txt", "read", "bad")})
    reopened.close()
    assert table(tmp_path, "errors")["story_id"].to_pylist() == ["a", "b", "c"]
    assert [e["part"] for e in read_ledger(tmp_path)] == [0, 1, 2]


def test_second_batch_on_the_same_outdir_is_refused(tmp_path: Path) -> None:
    from ficlens.errors import InputError

    first = PartStore(tmp_path)
    try:
        with pytest.raises(InputError, match="another ficlens batch"):
            PartStore(tmp_path)
    finally:
        first.close()


def test_batch_on_a_separately_started_scheduler(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    storygen.write_corpus(corpus, 3, min_words=150)
    scheduler_file = tmp_path / "scheduler.json"
    started = []
    try:
        started.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", "0", "--no-dashboard", "--scheduler-file", str(scheduler_file)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV))
        deadline = time.monotonic() + 60
        address = None
        while address is None:
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
            try:  # the scheduler may still be writing the file
                address = json.loads(scheduler_file.read_text())["address"]
            except (FileNotFoundError, json.JSONDecodeError, KeyError):
                pass
        started.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
             "--nthreads", "1", "--no-dashboard", "--name", "ficlens-test-worker"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV))
        out = tmp_path / "out"
        result = ficlens("batch", str(corpus), "-o", str(out), "--scheduler", address,
                         "--no-progress", *FAST)
        assert result.returncode == 0, result.stderr
        assert "3 stories analysed, 0 failed" in result.stderr
        assert sorted(table(out, "stories")["file"].to_pylist()) == sorted(
            p.name for p in corpus.iterdir())
    finally:
        for proc in reversed(started):
            proc.terminate()
        for proc in reversed(started):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    storygen.write_corpus(corpus, 1, min_words=100)
    result = ficlens("batch", str(corpus), "-o", str(tmp_path / "out"), "--scheduler",
                     "tcp://127.0.0.1:9", timeout=60)
    assert result.returncode == 1
    assert "cannot reach the Dask scheduler" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigterm_stops_cleanly_keeping_finished_stories(tmp_path: Path) -> None:
    import re

    corpus = tmp_path / "corpus"
    storygen.write_corpus(corpus, 30, min_words=120)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ficlens", "batch", str(corpus), "-o", str(out), "--workers", "1",
         "--flush-every", "4", "--no-progress", *FAST],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    deadline = time.monotonic() + 90
    while not read_ledger(out):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.terminate()
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    done = int(re.search(r"interrupted after (\d+) stories", stderr).group(1))
    assert table(out, "stories").num_rows == done  # the buffered ones were written on the way out
    assert "Traceback" not in stderr


def test_a_story_over_the_time_limit_becomes_an_error_row_in_process() -> None:
    from ficlens.corpus.batch import analyze_task
    from ficlens.corpus.inputs import Task

    story = storygen.make_story(7, 3000)
    task = Task("slow-1", "slow.txt", "slow.txt", text=str(story["text"]))
    stopped = analyze_task(task, timeout=0.001)
    (row,) = stopped["tables"]["errors"].to_pylist()
    assert row["stage"] == "timeout" and "0.001 s" in row["message"]
    assert stopped["restart_worker"] is None  # not on a Dask worker: nothing to restart
    finished = analyze_task(task, stages=("parse", "quotes"), timeout=120)
    assert "failed" not in finished and finished["tables"]["stories"].num_rows == 1


def test_batch_timeout_stops_each_slow_story_and_finishes_the_corpus(tmp_path: Path) -> None:
    source = tmp_path / "stories"
    storygen.write_corpus(source, 2, min_words=3000)
    out = tmp_path / "out"
    result = ficlens("batch", str(source), "-o", str(out), "--workers", "1", "--no-progress",
                     "--timeout", "0.001", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "2 failed" in result.stderr and "Traceback" not in result.stderr
    errors = table(out, "errors").to_pylist()
    assert sorted(r["stage"] for r in errors) == ["timeout", "timeout"]
    assert table(out, "stories").num_rows == 0
