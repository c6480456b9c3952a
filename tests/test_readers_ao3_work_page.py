"""AO3 work pages saved from the browser (not the "Download" files): the same story data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ficlens.errors import FormatError
from ficlens.readers import read_story
from ficlens.readers.ao3_html import read_ao3_html
from ficlens.writers.json import story_to_dict, validate

PAGE = Path(__file__).parent / "fixtures" / "ao3_work_page.html"


@pytest.fixture(scope="module")
def page_html() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_work_page_metadata_comes_from_the_work_not_the_site(page_html: str) -> None:
    story = read_ao3_html(page_html, str(PAGE))
    meta = story.metadata
    assert story.format == "ao3-html"
    assert meta.title == "The Lantern Keeper"  # not the site banner's h1
    assert meta.authors == ["wren_ink"]
    assert meta.summary == "Two friends mend a lantern before the first frost."
    assert meta.notes == ["Written for a winter exchange.", "Thank you for reading."]
    assert meta.fandoms == ["Harry Potter - J. K. Rowling"]
    assert meta.relationships == ["Lily Evans/Severus Snape"]
    assert meta.characters == ["Lily Evans", "Severus Snape"]
    assert meta.tags == ["Friendship", "Lanterns"]
    assert meta.rating == "Teen And Up Audiences"
    assert (meta.published, meta.updated, meta.words) == ("2021-03-04", "2021-04-01", 312)
    assert meta.extra["completed"] is True and meta.extra["chapters"] == "2/2"


def test_work_page_chapters_hold_story_text_only(page_html: str) -> None:
    story = read_ao3_html(page_html, str(PAGE))
    assert [c.title for c in story.chapters] == ["The Cracked Glass", "First Frost"]
    assert story.chapters[0].notes == ["The first half.", "End notes: More soon."]
    first = story.text[story.chapters[0].start:story.chapters[0].end]
    assert first.startswith("The lantern had hung")
    for chrome in ("Chapter Text", "Notes:", "Kudos", "kudos", "Comments", "Lovely little",
                   "Site Map", "Archive of Our Own", "Entire Work", "The first half"):
        assert chrome not in story.text
    assert len(story.paragraphs) == 7
    assert story.text[story.paragraphs[-1].start:story.paragraphs[-1].end] == (
        'Lily laughed. "Don\'t be grim, Sev."')
    (start, end), = story.metadata.extra["italics"]
    assert story.text[start:end] == "He always says tonight,"


def test_one_chapter_work_page(page_html: str) -> None:
    # a one-chapter work: `#chapters` holds the landmark heading and the userstuff alone
    body = ('<div id="chapters" role="article"><h3 class="landmark heading" id="work">'
            'Work Text:</h3><div class="userstuff"><p>"Hello," said Ada.</p>'
            '<p>Nobody answered.</p></div></div>')
    single = re.sub(r'<div id="chapters".*?(?=<div class="afterword)', body, page_html,
                    flags=re.DOTALL)
    story = read_ao3_html(single, "one.html")
    assert len(story.chapters) == 1 and story.chapters[0].title is None
    assert story.text == '"Hello," said Ada.\n\nNobody answered.'


def test_work_page_without_story_text_is_a_clear_error(page_html: str) -> None:
    empty = re.sub(r'<div class="userstuff module".*?</div>', "", page_html, flags=re.DOTALL)
    with pytest.raises(FormatError, match="no chapter text"):
        read_ao3_html(empty, "empty.html")


def test_work_page_analyses_to_schema_valid_json() -> None:
    import ficlens

    story = ficlens.analyze(PAGE)
    validate(story_to_dict(story))
    assert {c.name for c in story.characters} >= {"Lily", "Severus"}
    assert read_story(PAGE).metadata.title == "The Lantern Keeper"


def test_truncated_work_page_is_read_as_far_as_it_goes() -> None:
    page = ('<html><body><div id="workskin"><div class="preface group"><h2 class="title heading">'
            'Cut Short</h2></div><div id="chapters"><p>"Wait," said Ada. <b>Then the page')
    story = read_ao3_html(page, "cut.html")
    assert story.metadata.title == "Cut Short"
    assert story.text == '"Wait," said Ada. Then the page'
    assert any("truncated" in w for w in story.warnings)
