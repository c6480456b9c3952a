"""The HTML report without a browser: offline, escaped, complete, fast on a long story."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from report_stories import HOSTILE, big_story, sample_story

from ficlens.writers.json import story_to_dict
from ficlens.writers.report import render_report, write_report
from ficlens.writers.report.emotions import arcs_from_quotes, series_of, story_arcs
from ficlens.writers.report.plots import network_figure, ptext
from ficlens.writers.report.render import PAGE_SIZE, script_json
from ficlens.writers.report.view import cast_view, script_view

FIXTURES = Path(__file__).parent / "fixtures"


class Page(HTMLParser):
    """Every tag with its attributes, the text of each element id, and the scripts' bodies."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self._script: dict[str, str | None] | None = None
        self._buffer: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script, self._buffer = attributes, []
        elif tag not in ("meta", "link", "br", "input", "img"):
            self._open.append((tag, attributes.get("id")))
            if attributes.get("id"):
                self.text_by_id[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._buffer)))
            self._script = None
        elif self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._script is not None:
            self._buffer.append(data)
            return
        for _, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data

    def data(self) -> dict:
        for attributes, body in self.scripts:
            if attributes.get("id") == "ficlens-data":
                return json.loads(body)
        raise AssertionError("no embedded data")


@pytest.fixture(scope="module")
def sample_html() -> str:
    return render_report(sample_story())


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_report(sample_story(hostile=True))


def test_page_loads_nothing_from_anywhere(sample_html):
    page = Page(sample_html)
    for tag, attributes in page.tags:
        for name in ("src", "href", "action", "data", "poster", "srcset", "formaction"):
            value = (attributes.get(name) or "").strip()
            if value:
                assert value.startswith(("#", "data:")), f"<{tag} {name}={value!r}> loads something"
        if tag == "link":
            assert attributes.get("rel") == "icon" and attributes.get("href") == "data:,"
    # Plotly's library names web addresses it never visits here (map tiles, its logo link,
    # switched off); the markup, the styles, the page's own script and its data name none.
    plotly_js, app_js = [body for a, body in page.scripts if a.get("type") is None]
    markup = sample_html.replace(plotly_js, "")
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", markup, re.IGNORECASE)
    assert not re.search(r"https?:|//[a-z]", app_js + page.scripts[0][1], re.IGNORECASE)
    assert "@import" not in markup and "url(" not in markup
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp


def test_content_security_policy_allows_exactly_the_page_scripts(sample_html):
    page = Page(sample_html)
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv"))
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    executable = [body for attributes, body in page.scripts if attributes.get("type") is None]
    assert len(executable) == 2  # Plotly, then the page's own script
    for body in executable:
        assert base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() in allowed
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


def test_header_cast_and_data_are_complete(sample_html):
    page = Page(sample_html)
    assert page.text_by_id["story-title"] == "Three Nights of Oil"
    cast_text = page.text_by_id["cast"]
    for name in ("Mara Quill", "Tobias Fenn", "Edda", "Toby", "female", "male"):
        assert name in cast_text
    for label in ("Original Work", "Friendship", "General Audiences", "lamplighter"):
        assert label in page.text_by_id["header"]
    data = page.data()
    assert [c["name"] for c in data["cast"]] == ["Mara Quill", "Tobias Fenn", "Edda"]
    items = data["script"]["items"]
    assert len(items) == 9
    assert [it["s"] for it in items] == [0, 1, 0, 2, 1, -1, 2, 0, 1]
    assert items[3]["a"] == [0, 1]
    assert items[0]["n"].startswith("Rain hammered")
    assert items[-1]["m"] == "They walked home along the sea wall."
    assert items[0]["p"] == [[1, "\u201cWe have enough oil for three nights\u201d"]]
    assert data["network"] and data["arcs"] and data["places"]


def test_hostile_metadata_and_text_stay_text(hostile_html):
    page = Page(hostile_html)
    assert page.text_by_id["story-title"] == HOSTILE
    names = {tag for tag, _ in page.tags}
    assert not names & {"img", "svg", "iframe", "object", "embed", "form", "base"}
    links = [a.get("href") for tag, a in page.tags if tag == "a"]
    assert links == ["#cast", "#script", "#network", "#arcs", "#places"]
    for tag, attributes in page.tags:
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
    assert len([1 for tag, _ in page.tags if tag == "script"]) == 3
    data_body = next(body for a, body in page.scripts if a.get("id") == "ficlens-data")
    assert "<" not in data_body and ">" not in data_body and "\u2028" not in data_body
    data = page.data()
    assert data["cast"][0]["name"] == f"Mara Quill {HOSTILE}"
    assert "\u2028" in page.text_by_id["summary"]
    assert "<script>alert(3)</script>" in page.text_by_id["header"]
    # Plotly shows its label markup; story strings must reach it as entities.
    labels = json.dumps([t.get("text") for t in data["network"]["data"]])
    assert "<img" not in labels and "&lt;img" in labels


def test_script_json_escapes_everything_that_could_end_a_script():
    value = {"a": "</script><!-- & \u2028\u2029 >", "n": float("nan")}
    text = script_json(value)
    for bad in ("<", ">", "&", "\u2028", "\u2029", "NaN"):
        assert bad not in text
    assert json.loads(text) == {"a": value["a"], "n": None}


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=12))
def test_script_json_round_trips_anything_without_markup(value):
    text = script_json(value)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == value


def test_ptext_makes_plotly_markup_literal():
    assert ptext("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"


def test_render_is_deterministic_and_reads_the_json_dict():
    story = sample_story()
    assert render_report(story) == render_report(story_to_dict(story))


def test_network_counted_from_quotes_when_the_stage_is_absent():
    story = sample_story()
    story.network = None
    doc = story_to_dict(story)
    network = network_figure(doc, cast_view(doc))
    assert network["source"] == "counted from quotations"
    assert network["nodes"] == 3 and network["edges"] == 3
    hover = next(t for t in network["figure"]["data"] if t.get("name") == "exchanges")["hovertext"]
    assert "Mara Quill → Tobias Fenn: 2 quotes<br>Tobias Fenn → Mara Quill: 2 quotes" in " ".join(hover)
    nodes = next(t for t in network["figure"]["data"] if t.get("name") == "characters")
    assert nodes["marker"]["size"][0] == nodes["marker"]["size"][1] > nodes["marker"]["size"][2]


def test_network_read_from_the_network_stage():
    story = sample_story()
    story.network = {"nodes": [{"id": "C0", "degree_centrality": 1.0}], "edges": [
        {"source": "C0", "target": "C2", "type": "speaks_to", "quotes": 7, "valence": -0.8},
        {"source": "C0", "target": "C1", "type": "co_occurs", "weight": 3},
    ]}
    doc = story_to_dict(story)
    network = network_figure(doc, cast_view(doc))
    assert network["source"] == "network stage" and network["edges"] == 1
    lines = [t for t in network["figure"]["data"] if t.get("mode") == "lines"]
    assert len(lines) == 1 and lines[0]["line"]["color"] == "rgb(192,57,43)"
    nodes = next(t for t in network["figure"]["data"] if t.get("name") == "characters")
    assert "degree centrality: 1" in nodes["hovertext"][0]


def test_without_emotion_data_the_page_says_so():
    html = render_report(sample_story(with_emotions=False))
    page = Page(html)
    assert "No emotion data" in page.text_by_id["arcs"]
    assert page.data()["arcs"] is None
    assert page.data()["network"] is not None
    assert "No emotion data: edges are grey." in page.text_by_id["network"]


def test_arcs_derived_from_quote_emotions():
    story = sample_story()
    story.emotions = None
    arcs = story_arcs(story_to_dict(story))
    assert arcs["derived"] and arcs["unit"] == "chapter" and len(arcs["labels"]) == 2
    # Mara says +0.1 and -0.5 in chapter 1, +0.5 in chapter 2.
    assert arcs["characters"]["C0"]["both"]["valence"] == [pytest.approx(-0.2), pytest.approx(0.5)]
    rel = {(r["source"], r["target"]): r for r in arcs["relationships"]}
    assert rel[("C2", "C0")]["series"]["valence"] == [0.6, 0.7]
    assert arcs_from_quotes({"quotes": [{"spans": [[0, 1]], "speaker": "C0"}]}) is None


@pytest.mark.parametrize("shape", [
    {"valence": [0.1, None, 0.3], "joy": [0, 0, 1]},
    {"speech": {"valence": [0.1, None, 0.3], "joy": [0, 0, 1]}, "narration": {"valence": [9, 9, 9]}},
    [{"t": 0, "valence": 0.1, "joy": 0}, {"t": 1, "joy": 0}, {"t": 2, "valence": 0.3, "joy": 1}],
    [{"emotions": {"valence": 0.1, "joy": 0}}, {"emotions": {"joy": 0}},
     {"emotions": {"valence": 0.3, "joy": 1}}],
])
def test_emotion_series_read_in_any_reasonable_shape(shape):
    series = series_of(shape)
    assert series["valence"] == [0.1, None, 0.3]
    assert series["joy"] == [0, 0, 1]


def test_arcs_read_from_the_emotion_stage():
    arcs = story_arcs(story_to_dict(sample_story()))
    assert not arcs["derived"] and arcs["unit"] == "chapter"
    assert arcs["labels"] == ["The Lighthouse", "The Boat"]
    mara = arcs["characters"]["C0"]
    assert mara["speech"]["valence"] == [-0.1, 0.4]  # smoothed values are preferred
    assert mara["narration"]["joy"] == [0.0, 0.1]
    # speech and narration weighed by how much each holds (3 quotes, 2 sentences)
    assert mara["both"]["valence"] == [pytest.approx(-0.04), pytest.approx(0.3)]
    assert arcs["characters"]["C1"]["both"] == arcs["characters"]["C1"]["speech"]
    rel = {(r["source"], r["target"]): r for r in arcs["relationships"]}
    assert rel[("C0", "C1")]["series"]["valence"] == [-0.2, -0.2]
    assert rel[("C0", "C1")]["quotes"] == 2


def test_script_items_cover_multi_span_quotes_and_chapters():
    text = 'Chapter 1\n\nHe came in. "Go," she said, "now." The end.\n\nChapter 2\n\n"Hi." Bye.'
    a = text.index('"Go')
    b = text.index('"now')
    c = text.index('"Hi')
    doc = {
        "text": text,
        "chapters": [{"index": 1, "start": 11, "end": text.index("Chapter 2") - 2},
                     {"index": 2, "start": text.index("Chapter 2") + 11, "end": len(text)}],
        "characters": [{"id": "C0", "name": "Ann"}],
        "quotes": [{"id": "Q0", "spans": [[a, a + 5], [b, b + 6]], "chapter": 1, "speaker": "C0",
                    "addressees": ["C9"], "confidence": 0.7},
                   {"id": "Q1", "spans": [[c, c + 5]], "chapter": 2, "speaker": None}],
    }
    items = script_view(doc)["items"]
    assert items[0]["p"] == [[1, '"Go,"'], [0, "she said,"], [1, '"now."']]
    assert items[0]["n"] == "He came in." and items[0]["m"] == "The end."
    assert items[0]["a"] == []  # unknown addressee ids are dropped, not shown as garbage
    assert "n" not in items[1] and items[1]["m"] == "Bye." and items[1]["s"] == -1


def test_story_with_nothing_found_still_renders():
    from ficlens.readers import story_from_text

    story = story_from_text("Just one quiet paragraph with no one speaking.\n")
    page = Page(render_report(story))
    assert "No characters were found" in page.text_by_id["cast"]
    assert "No dialogue was found" in page.text_by_id["script"]
    assert page.data()["script"]["items"] == []


def test_a_500k_word_story_renders_fast_and_small():
    story = big_story(500_000)
    started = time.perf_counter()
    html = render_report(story)
    elapsed = time.perf_counter() - started
    assert elapsed < 15, f"render took {elapsed:.1f}s"
    size = len(html.encode("utf-8"))
    assert size < 25_000_000, f"page is {size / 1e6:.1f} MB"
    page = Page(html)
    assert len(page.data()["script"]["items"]) == len(story.quotes) > 5000
    # The dialogue is data, drawn one page at a time: the markup itself stays small.
    assert len(page.tags) < len(story.quotes) / 3
    assert 'class="line' not in html
    assert PAGE_SIZE <= 100


def test_write_report_creates_parent_directories(tmp_path):
    target = write_report(sample_story(), tmp_path / "deep" / "dir" / "story.html")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_write_report_to_an_unwritable_place_is_a_one_line_error(tmp_path):
    from ficlens.errors import FiclensError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(FiclensError, match="cannot write the report"):
        write_report(sample_story(), blocker / "story.html")


@pytest.mark.parametrize("name", ["archive_story.txt", "novel_story.txt", "ao3_multichapter.html",
                                  "ao3_multichapter.epub"])
def test_report_from_every_input_format(tmp_path, name):
    from ficlens import analyze

    path = FIXTURES / name
    if name.endswith(".epub"):
        spec = importlib.util.spec_from_file_location("make_epub", FIXTURES / "make_epub.py")
        make_epub = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(make_epub)
        path = tmp_path / name
        path.write_bytes(make_epub.ao3_epub_bytes(FIXTURES / "ao3_multichapter.html"))
    story = analyze(path)
    page = Page(render_report(story))
    assert page.text_by_id["story-title"].strip() == (story.metadata.title or path.stem)
    data = page.data()
    assert len(data["script"]["items"]) == len(story.quotes) > 0
    assert [c["name"] for c in data["cast"]] == [c.name for c in story.characters]


def test_cli_report_writes_the_page(cli, tmp_path):
    out = tmp_path / "essay.html"
    result = cli("report", str(FIXTURES / "archive_story.txt"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 100_000
    assert "The Essay" in Page(out.read_text(encoding="utf-8")).text_by_id["story-title"]
    assert str(out) in result.stderr


def test_cli_report_default_output_and_known_cast(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ficlens.cli import main

    cast = tmp_path / "cast.json"
    cast.write_text(json.dumps({"Lily Evans": ["Lily", "Evans"], "Severus Snape": ["Severus", "Sev"]}))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", str(FIXTURES / "archive_story.txt"), "--cast", str(cast)])
    assert result.exit_code == 0, result.output
    page = Page((tmp_path / "archive_story.html").read_text(encoding="utf-8"))
    names = [c["name"] for c in page.data()["cast"]]
    assert "Lily Evans" in names and "Severus Snape" in names


def test_cli_report_from_an_analyze_json_document(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from ficlens.cli import main
    from ficlens.writers.json import dumps

    story = sample_story()
    (tmp_path / "story.json").write_text(dumps(story), encoding="utf-8")
    (tmp_path / "other.json").write_text('{"a": 1}', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["report", "story.json", "-o", "out.html"])
    assert result.exit_code == 0, result.output
    assert Page((tmp_path / "out.html").read_text(encoding="utf-8")).data()["cast"][2]["name"] == "Edda"
    result = runner.invoke(main, ["report", "other.json"])
    assert result.exit_code == 1
    assert "other.json: not a ficlens/1 JSON document" in result.output


@pytest.mark.parametrize("make", [
    lambda d: d / "missing.txt",
    lambda d: (d / "empty.txt", (d / "empty.txt").write_text(""))[0],
    lambda d: (d / "bin.txt", (d / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)))[0],
])
def test_cli_report_bad_input_is_one_line(cli, tmp_path, make):
    path = make(tmp_path)
    result = cli("report", str(path), "-o", str(tmp_path / "out.html"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ficlens: error:") and str(path) in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out.html").exists()


def test_cli_analyze_html_option(cli, tmp_path):
    out = tmp_path / "a.html"
    result = cli("analyze", str(FIXTURES / "archive_story.txt"), "--html", str(out),
                 "-o", str(tmp_path / "a.json"))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").count('id="ficlens-data"') == 1
