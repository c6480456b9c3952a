"""The `ficlens analyze` command: real subprocess runs, JSON contract, conventions."""

from __future__ import annotations

import json

from ficlens.writers.json import validate


def test_help_and_version(cli):
    result = cli("--help")
    assert result.returncode == 0
    assert "analyze" in result.stdout
    result = cli("--version")
    assert result.returncode == 0 and "0.1.0" in result.stdout
    result = cli("analyze", "--help")
    assert result.returncode == 0 and "--cast" in result.stdout


def test_usage_error_exits_2(cli):
    result = cli("analyze")
    assert result.returncode == 2
    result = cli("no-such-command")
    assert result.returncode == 2


def test_analyze_archive_story_prints_valid_json(cli, fixtures):
    result = cli("analyze", str(fixtures / "archive_story.txt"))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    validate(document)
    assert document["schema"] == "ficlens/1"
    assert document["source"]["format"] == "archive-text"
    meta = document["metadata"]
    assert meta["title"] == "The Essay"
    assert meta["summary"].startswith("Lily and Severus argue")
    assert any("My first fic" in note for note in meta["notes"])
    assert [c["title"] for c in document["chapters"]] == ["The Library", "The Lake"]
    text = document["text"]
    # header and notes lie outside every chapter
    summary_at = text.index("Summary:")
    note_at = text.index("A/N: Thanks")
    for chapter in document["chapters"]:
        assert not chapter["start"] <= summary_at < chapter["end"]
        assert not chapter["start"] <= note_at < chapter["end"]
    assert len(document["scenes"]) == 3
    quotes = document["quotes"]
    assert len(quotes) == 9
    for quote in quotes:
        for start, end in quote["spans"]:
            assert text[start] in "\"\u201c" and text[end - 1] in "\"\u201d"
    # "I'm not late," said Lily. "You're early, Sev." is one quote in two spans
    assert len(quotes[1]["spans"]) == 2


def test_explicit_speakers_are_named(cli, fixtures):
    result = cli("analyze", str(fixtures / "archive_story.txt"))
    document = json.loads(result.stdout)
    names = {c["id"]: c["name"] for c in document["characters"]}
    by_text = {q["text"]: names.get(q["speaker"]) for q in document["quotes"]}
    assert "Severus" in (by_text["You're late,"] or "")
    assert "Lily" in (by_text["I'm not late, You're early, Sev."] or "")
    assert "James" in (by_text["Evans! Coming to the match?"] or "")
    cast_names = " ".join(names.values())
    assert "Muggles" not in cast_names and "Merlin" not in cast_names


def test_output_file_and_directory(cli, fixtures, tmp_path):
    single = tmp_path / "one.json"
    result = cli("analyze", str(fixtures / "archive_story.txt"), "-o", str(single))
    assert result.returncode == 0, result.stderr
    validate(json.loads(single.read_text(encoding="utf-8")))
    assert result.stdout == ""
    out_dir = tmp_path / "out"
    result = cli("analyze", str(fixtures / "archive_story.txt"), str(fixtures / "novel_story.txt"),
                 "-o", str(out_dir) + "/")
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in out_dir.iterdir())
    assert written == ["archive_story.json", "novel_story.json"]


def test_cast_file_names_characters_exactly(cli, fixtures, tmp_path):
    cast = tmp_path / "cast.json"
    cast.write_text(json.dumps({"Severus Snape": ["Severus", "Snape", "Sev"],
                                "Lily Evans": ["Lily", "Evans"], "James Potter": ["James", "Potter"]}))
    result = cli("analyze", str(fixtures / "archive_story.txt"), "--cast", str(cast))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    validate(document)
    names = {c["name"] for c in document["characters"]}
    assert {"Severus Snape", "Lily Evans", "James Potter"} <= names
    csv_cast = tmp_path / "cast.csv"
    csv_cast.write_text("name,aliases\nSeverus Snape,Severus;Snape;Sev\nLily Evans,Lily;Evans\n")
    result = cli("analyze", str(fixtures / "archive_story.txt"), "--cast", str(csv_cast))
    assert result.returncode == 0, result.stderr
    names = {c["name"] for c in json.loads(result.stdout)["characters"]}
    assert {"Severus Snape", "Lily Evans"} <= names


def test_bad_cast_file_is_a_clear_error(cli, fixtures, tmp_path):
    cast = tmp_path / "cast.json"
    cast.write_text("{not json")
    result = cli("analyze", str(fixtures / "archive_story.txt"), "--cast", str(cast))
    assert result.returncode == 1
    assert "cast.json" in result.stderr and "Traceback" not in result.stderr


def test_summary_prints_cast_and_dialogue(cli, fixtures):
    result = cli("analyze", str(fixtures / "archive_story.txt"), "--summary")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("The Essay (archive-text)")
    assert "Lily Evans" in result.stdout and "Severus Snape" in result.stdout
    assert "\u201cYou're late,\u201d" in result.stdout
