"""Every row of the bad-input list, through the real CLI: one clear line, exit 1, no traceback."""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import pytest

from ficlens.writers.json import validate

FIXTURES = Path(__file__).parent / "fixtures"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
       b"\x00\x00IEND\xaeB`\x82")
GOOD = "Title\n\nChapter 1\n\n\"Hello,\" said Ann.\n\nShe left.\n"


def assert_one_line_error(result, path: Path, *words: str) -> None:
    """Exit 1, one `ficlens: error:` line naming the file and the problem, no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    errors = [ln for ln in result.stderr.splitlines() if "error" in ln]
    assert len(errors) == 1, result.stderr
    line = errors[0]
    assert line.startswith("ficlens: error: ") and str(path) in line
    for word in words:
        assert word.lower() in line.lower(), line
    assert result.stdout == ""


def test_missing_file(cli, tmp_path):
    path = tmp_path / "nope.txt"
    assert_one_line_error(cli("analyze", str(path)), path, "no such file")


def test_directory_given_as_file(cli, tmp_path):
    path = tmp_path / "stories"
    path.mkdir()
    assert_one_line_error(cli("analyze", str(path)), path, "directory")


def test_empty_file(cli, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert_one_line_error(cli("analyze", str(path)), path, "empty")


def test_whitespace_only_file(cli, tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\n\t  \r\n   \n", encoding="utf-8")
    assert_one_line_error(cli("analyze", str(path)), path, "whitespace")


def test_binary_file_renamed_txt(cli, tmp_path):
    path = tmp_path / "picture.txt"
    path.write_bytes(PNG)
    assert_one_line_error(cli("analyze", str(path)), path, "PNG")


def test_undecidable_encoding(cli, tmp_path):
    path = tmp_path / "garbled.txt"
    rng = random.Random(7)
    path.write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(4000)))
    assert_one_line_error(cli("analyze", str(path)), path, "encoding")


def test_mixed_encodings_are_not_garbled_silently(cli, tmp_path):
    path = tmp_path / "mixed.txt"
    line = "\u201cCaf\u00e9?\u201d asked Zo\u00eb.\n\n"
    path.write_bytes((line.encode("utf-8") + line.encode("cp1252")) * 10)
    assert_one_line_error(cli("analyze", str(path)), path, "encoding")


def test_truncated_html_is_parsed_with_a_warning(cli, tmp_path):
    html = (FIXTURES / "ao3_multichapter.html").read_text(encoding="utf-8")
    path = tmp_path / "cut.html"
    path.write_text(html[: html.index("They rowed out together") + 20], encoding="utf-8")
    result = cli("analyze", str(path))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    warnings = [ln for ln in result.stderr.splitlines() if "warning" in ln]
    assert len(warnings) == 1
    assert str(path) in warnings[0] and "truncated" in warnings[0]
    document = json.loads(result.stdout)
    validate(document)
    assert len(document["chapters"]) == 2 and "They rowed out" in document["text"]


def test_malformed_html_without_story(cli, tmp_path):
    path = tmp_path / "broken.html"
    path.write_text("<html><body><div id='preface'><dl><dt>Rating:</dt><dd>Gen", encoding="utf-8")
    assert_one_line_error(cli("analyze", str(path)), path, "no chapter text")


def test_epub_that_is_not_a_zip(cli, tmp_path):
    path = tmp_path / "book.epub"
    path.write_text("this was never an epub", encoding="utf-8")
    assert_one_line_error(cli("analyze", str(path)), path, "EPUB")


def test_epub_without_chapters(cli, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", (
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf"/></rootfiles></container>'))
        archive.writestr("content.opf", (
            '<package xmlns="http://www.idpf.org/2007/opf"><metadata/><manifest/><spine/></package>'))
    path = tmp_path / "hollow.epub"
    path.write_bytes(buffer.getvalue())
    assert_one_line_error(cli("analyze", str(path)), path, "no chapter")


def test_file_over_the_default_size_limit(cli, tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: costs no disk, and is never read
        handle.truncate(60 * 1024 * 1024)
    assert_one_line_error(cli("analyze", str(path)), path, "limit")


def test_size_limit_is_configurable(cli, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(GOOD * 100, encoding="utf-8")
    assert_one_line_error(cli("analyze", "--max-size", "1k", str(path)), path, "limit")
    assert cli("analyze", "--max-size", "1MB", str(path)).returncode == 0


def test_size_limit_checked_before_reading(tmp_path, monkeypatch):
    from ficlens.errors import InputError
    from ficlens.readers.detect import read_bytes

    path = tmp_path / "sparse.txt"
    with path.open("wb") as handle:
        handle.truncate(10 * 1024**3)  # 10 GB sparse file: reading it would take minutes
    with pytest.raises(InputError, match="limit"):
        read_bytes(path, max_bytes=50 * 1024 * 1024)


def test_story_without_quotes_is_not_an_error(cli, tmp_path):
    path = tmp_path / "quiet.txt"
    path.write_text("The Quiet\n\nChapter 1\n\nThe snow fell all night. Nobody spoke.\n\n"
                    "In the morning the fields were white.\n", encoding="utf-8")
    result = cli("analyze", str(path))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    validate(document)
    assert document["quotes"] == []


def test_good_inputs_still_written_beside_bad_ones(cli, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.png"
    bad.write_bytes(PNG)
    missing = tmp_path / "missing.txt"
    out = tmp_path / "outdir"
    result = cli("analyze", str(good), str(bad), str(missing), "-o", str(out) + "/")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("ficlens: error:")]
    assert len(errors) == 2
    assert str(bad) in errors[0] and str(missing) in errors[1]
    document = json.loads((out / "good.json").read_text(encoding="utf-8"))
    validate(document)
    assert document["quotes"][0]["text"].startswith("Hello")
    assert not (out / "bad.json").exists()


def test_png_renamed_epub(cli, tmp_path):
    path = tmp_path / "cover.epub"
    path.write_bytes(PNG)
    assert_one_line_error(cli("analyze", str(path)), path, "PNG")
