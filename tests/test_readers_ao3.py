"""AO3 HTML and EPUB downloads: metadata, chapters, notes, scenes, text, italics."""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pytest

from ficlens.errors import FormatError
from ficlens.model import Story
from ficlens.readers import read_story, read_story_bytes
from ficlens.readers.ao3_html import read_ao3_html
from ficlens.readers.epub import read_epub
from ficlens.writers.json import validate

FIXTURES = Path(__file__).parent / "fixtures"
MULTI = FIXTURES / "ao3_multichapter.html"
ONESHOT = FIXTURES / "ao3_oneshot.html"


def _make_epub_module():
    spec = importlib.util.spec_from_file_location("make_epub", FIXTURES / "make_epub.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_epub = _make_epub_module()


def assert_offsets_consistent(story: Story) -> None:
    """Every offset indexes the text, in order, without overlaps, inside its chapter."""
    n = len(story.text)
    last = 0
    for p in story.paragraphs:
        assert 0 <= last <= p.start < p.end <= n
        assert story.text[p.start:p.end].strip() == story.text[p.start:p.end]
        chapter = story.chapters[p.chapter - 1]
        assert chapter.index == p.chapter and chapter.start <= p.start and p.end <= chapter.end
        last = p.end
    for a, b in zip(story.chapters, story.chapters[1:], strict=False):
        assert a.end <= b.start
    for a, b in zip(story.scenes, story.scenes[1:], strict=False):
        assert a.end <= b.start
    for scene in story.scenes:
        chapter = story.chapters[scene.chapter - 1]
        assert chapter.start <= scene.start < scene.end <= chapter.end


# --------------------------------------------------------------------------- HTML


def test_multichapter_preface_metadata():
    story = read_story(MULTI)
    meta = story.metadata
    assert story.format == "ao3-html"
    assert meta.title == "The Lighthouse Keeper's Daughter"
    assert meta.authors == ["quillandember", "saltwind"]
    assert meta.rating == "Teen And Up Audiences"
    assert meta.warnings == ["No Archive Warnings Apply"]
    assert meta.categories == ["F/M", "Gen"]
    assert meta.fandoms == ["Original Work"]
    assert meta.relationships == ["Mara Quill/Tobias Wren"]
    assert meta.characters == ["Mara Quill", "Tobias Wren", "Old Hester"]
    assert meta.tags == ["Slow Burn", "Storms", "Hurt/Comfort"]
    assert meta.language == "English"
    assert meta.series == ["Part 2 of Tales of the Grey Coast"]
    assert meta.published == "2021-03-04" and meta.updated == "2021-04-18"
    assert meta.words == 1234
    assert meta.extra["chapters"] == "2/3" and meta.extra["completed"] is False
    assert meta.summary == "Mara keeps the light. Tobias keeps secrets.\n\nA storm is coming."
    assert meta.notes == ["Written for a prompt about lighthouses.",
                          "Thank you for reading! Comments make my day."]
    assert story.warnings == []


def test_multichapter_chapters_notes_and_scenes():
    story = read_story(MULTI)
    assert [c.title for c in story.chapters] == ["The Lamp Room", None]
    first, second = story.chapters
    assert first.notes == ["Summary: Mara meets a stranger on the stairs.",
                           "Thanks to my beta for the help!",
                           "End notes: Next chapter: the storm arrives."]
    assert second.notes == []
    assert story.text[first.start:].startswith("The wind had been rising since noon")
    assert story.text[first.start:first.end].endswith('"Storm by morning," Hester announced. "Mark me, girl."')
    assert story.text[second.start:].startswith("The storm came before dawn.")
    assert story.text.endswith('"Hold the line, Tobias!" Mara shouted over the waves.')
    # `<p>* * *</p>` and `<hr />` break scenes; neither is story text
    assert len(story.scenes) == 4
    assert [s.chapter for s in story.scenes] == [1, 1, 2, 2]
    assert story.text[story.scenes[1].start:].startswith("Later, when the lamp")
    assert story.text[story.scenes[3].start:].startswith("They rowed out together")
    assert "* * *" not in story.text
    assert_offsets_consistent(story)


def test_notes_and_boilerplate_stay_out_of_text():
    text = read_story(MULTI).text
    for outside in ("Thanks to my beta", "Next chapter: the storm", "prompt about lighthouses",
                    "Comments make my day", "See the end of the", "Chapter 1", "Rating",
                    "Posted originally", "drop by the Archive", "Mara meets a stranger"):
        assert outside not in text


def test_paragraphs_separated_by_blank_lines():
    story = read_story(MULTI)
    assert len(story.paragraphs) == 12
    for a, b in zip(story.paragraphs, story.paragraphs[1:], strict=False):
        assert story.text[a.end:b.start] == "\n\n"


def test_italics_recorded_as_offsets():
    story = read_story(MULTI)
    spans = story.metadata.extra["italics"]
    assert [story.text[a:b] for a, b in spans] == ["Of course she does"]
    oneshot = read_story(ONESHOT)
    assert [oneshot.text[a:b] for a, b in oneshot.metadata.extra["italics"]] == ["twice"]


def test_oneshot_has_one_untitled_chapter():
    story = read_story(ONESHOT)
    assert story.metadata.title == "Paper Cranes"
    assert story.metadata.authors == ["foldedwing"]
    assert story.metadata.characters == ["Nell", "Grandfather Ash"]
    assert story.metadata.published == "2022-11-02" and story.metadata.updated is None
    assert len(story.chapters) == 1 and story.chapters[0].title is None
    assert story.text.startswith("Nell folded the last crane")
    assert "Paper Cranes" not in story.text
    assert len(story.paragraphs) == 4
    assert_offsets_consistent(story)


def test_br_breaks_and_scene_break_lines():
    html = ("<html><body><div id='chapters' class='userstuff'><div class='userstuff'>"
            "<p>One line<br/>second line</p><p>First<br/><br/>Second</p>"
            "<p>~</p><p>oOo</p><p>After the break.</p></div></div></body></html>")
    story = read_ao3_html(html, "t.html")
    assert [story.text[p.start:p.end] for p in story.paragraphs] == [
        "One line\nsecond line", "First", "Second", "After the break."]
    assert len(story.scenes) == 2


def test_truncated_html_is_read_with_a_warning():
    html = MULTI.read_text(encoding="utf-8")
    cut = html[: html.index("Mara woke to the tower shaking") + 40]
    story = read_ao3_html(cut, "cut.html")
    assert story.chapters and story.text.startswith("The wind had been rising")
    assert "Mara woke to the tower" in story.text
    assert any(w.startswith("HTML looks truncated") for w in story.warnings)


def test_html_without_chapter_text_is_a_format_error():
    with pytest.raises(FormatError, match="no chapter text"):
        read_ao3_html("<html><body><div id='preface'><h1>T</h1></div></body></html>", "x.html")


def test_generic_html_chapters_from_headings():
    html = ("<html><head><title>Plain</title></head><body><h1>A Plain Story</h1>"
            "<p>Opening words here.</p><h2>Chapter 2: Later</h2><p>More words.</p></body></html>")
    story = read_ao3_html(html, "plain.html")
    assert [c.title for c in story.chapters] == ["A Plain Story", "Later"]
    assert story.text == "Opening words here.\n\nMore words."


# --------------------------------------------------------------------------- EPUB


@pytest.mark.parametrize("calibre_classes", [False, True])
def test_ao3_epub_matches_the_html_download(calibre_classes):
    html_story = read_story(MULTI)
    data = make_epub.ao3_epub_bytes(MULTI, calibre_classes=calibre_classes)
    story = read_story_bytes(data, "work.epub")
    assert story.format == "ao3-epub"
    assert story.text == html_story.text
    assert dataclasses.asdict(story.metadata) == dataclasses.asdict(html_story.metadata)
    assert [(c.title, c.notes, c.start, c.end) for c in story.chapters] == [
        (c.title, c.notes, c.start, c.end) for c in html_story.chapters]
    assert [(s.start, s.end) for s in story.scenes] == [(s.start, s.end) for s in html_story.scenes]
    assert_offsets_consistent(story)


def test_ao3_epub_detected_by_content_not_extension(tmp_path):
    target = tmp_path / "download.bin"
    target.write_bytes(make_epub.ao3_epub_bytes(ONESHOT))
    story = read_story(target)
    assert story.format == "ao3-epub" and story.metadata.title == "Paper Cranes"
    assert len(story.chapters) == 1


def test_generic_epub_chapters_from_spine():
    story = read_epub(make_epub.generic_epub_bytes(), "book.epub")
    assert story.metadata.title == "Orchard Days" and story.metadata.authors == ["R. Vale"]
    assert [c.title for c in story.chapters] == ["The Orchard", "The River"]
    assert story.text.startswith("Ivy walked between the apple trees")
    assert len(story.scenes) == 3
    assert_offsets_consistent(story)


def test_epub_errors():
    with pytest.raises(FormatError, match="not a valid EPUB"):
        read_epub(b"PK\x03\x04 this is not really a zip", "bad.epub")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(FormatError, match="not an EPUB"):
        read_epub(buffer.getvalue(), "other.zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
    with pytest.raises(FormatError, match="no chapter documents"):
        read_epub(buffer.getvalue(), "empty.epub")


# --------------------------------------------------------------------------- CLI


def _analyze(cli, path: Path) -> dict:
    result = cli("analyze", str(path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    validate(document)
    return document


def test_cli_ao3_html_writes_valid_json(cli):
    document = _analyze(cli, MULTI)
    assert document["source"]["format"] == "ao3-html"
    assert document["metadata"]["title"] == "The Lighthouse Keeper's Daughter"
    assert document["metadata"]["relationships"] == ["Mara Quill/Tobias Wren"]
    assert [c["title"] for c in document["chapters"]] == ["The Lamp Room", None]
    assert len(document["scenes"]) == 4
    text = document["text"]
    quotes = document["quotes"]
    assert len(quotes) >= 7
    # italic thoughts (AO3 marks them with <em>) have no quotation marks; speech does
    assert any(q.get("thought") for q in quotes)
    for quote in quotes:
        if quote.get("thought"):
            continue
        for start, end in quote["spans"]:
            assert text[start] in "\"\u201c" and text[end - 1] in "\"\u201d"
    assert any(q["text"].startswith("Hold the line, Tobias!") and q["chapter"] == 2 for q in quotes)


def test_cli_ao3_epub_writes_valid_json(cli, tmp_path):
    target = tmp_path / "work.epub"
    target.write_bytes(make_epub.ao3_epub_bytes(MULTI))
    document = _analyze(cli, target)
    assert document["source"]["format"] == "ao3-epub"
    assert document["metadata"]["authors"] == ["quillandember", "saltwind"]
    assert document["metadata"]["characters"] == ["Mara Quill", "Tobias Wren", "Old Hester"]
    assert len(document["chapters"]) == 2 and len(document["scenes"]) == 4
    assert any(q["text"].startswith("There's a boat") for q in document["quotes"])


def test_ebooklib_epub_skips_the_nav_document(tmp_path):
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("lanterns-1")
    book.set_title("Lanterns")
    book.set_language("en")
    book.add_author("K. Moss")
    first = epub.EpubHtml(title="One", file_name="c1.xhtml", lang="en")
    first.content = "<h1>Chapter One</h1><p>\u201cHello,\u201d said Pip.</p><p>It was dark.</p>"
    second = epub.EpubHtml(title="Two", file_name="c2.xhtml", lang="en")
    second.content = "<h2>Chapter Two: Dawn</h2><p>Morning came.</p><hr/><p>Then noon.</p>"
    for item in (first, second, epub.EpubNcx(), epub.EpubNav()):
        book.add_item(item)
    book.toc = (first, second)
    book.spine = ["nav", first, second]
    target = tmp_path / "lanterns.epub"
    epub.write_epub(str(target), book)
    story = read_story(target)
    assert story.metadata.title == "Lanterns" and story.metadata.authors == ["K. Moss"]
    assert [c.title for c in story.chapters] == [None, "Dawn"]
    assert story.text == "\u201cHello,\u201d said Pip.\n\nIt was dark.\n\nMorning came.\n\nThen noon."
    assert len(story.scenes) == 3
    assert_offsets_consistent(story)


def test_series_collections_and_anonymous_byline():
    html = MULTI.read_text(encoding="utf-8")
    html = html.replace(
        '<dd>Part 2 of\n<a href="https://archiveofourown.org/series/000002">Tales of the Grey Coast</a></dd>',
        '<dd>Part 2 of\n<a href="#">Tales of the Grey Coast</a>, Part 1 of\n<a href="#">Salt, Sea</a></dd>'
        '\n<dt>Collections:</dt>\n<dd><a href="#">Lighthouse Week</a></dd>')
    start = html.index('<div class="byline">')
    end = html.index("</div>", start) + len("</div>")
    html = html[:start] + '<div class="byline">by Anonymous</div>' + html[end:]
    meta = read_ao3_html(html, "anon.html").metadata
    assert meta.series == ["Part 2 of Tales of the Grey Coast", "Part 1 of Salt, Sea"]
    assert meta.extra["collections"] == ["Lighthouse Week"]
    assert meta.authors == ["Anonymous"]
