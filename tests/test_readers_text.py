"""Plain-text readers: archive layout, novels and Gutenberg files, encodings, offsets."""

from __future__ import annotations

import ast
import bisect
import codecs
import csv

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficlens.errors import EncodingError, InputError
from ficlens.model import Story
from ficlens.readers import read_story, read_story_bytes, story_from_text
from ficlens.readers.detect import decode
from ficlens.readers.text import chapter_heading, is_scene_break


def check_offsets(story: Story) -> None:
    """Chapters, scenes and paragraphs index the text, in order, never overlapping."""
    n = len(story.text)
    for group in (story.chapters, story.scenes, story.paragraphs):
        last = 0
        for item in group:
            assert 0 <= last <= item.start <= item.end <= n
            last = item.end
    for p in story.paragraphs:
        assert p.end > p.start
        chapter = next(c for c in story.chapters if c.index == p.chapter)
        assert chapter.start <= p.start and p.end <= chapter.end
        assert story.text[p.start:p.end] == story.text[p.start:p.end].strip()
    for s in story.scenes:
        chapter = next(c for c in story.chapters if c.index == s.chapter)
        assert chapter.start <= s.start and s.end <= chapter.end


# --------------------------------------------------------------------------- archive layout


ARCHIVE = (
    "Summary: Two rivals share a boat.\n"
    "Disclaimer: I own nothing.\n"
    "A/N: Written for a friend.\n"
    "\n"
    "Crossing\n"
    "\n"
    "Chapter 1: Fog\n"
    "\n"
    "The fog lay thick on the river.\n"
    "\n"
    "\"Row,\" said Ada.\n"
    "\n"
    "oOo\n"
    "\n"
    "Later the fog lifted.\n"
    "\n"
    "Ch. 2\n"
    "\n"
    "A/N: Sorry for the wait!\n"
    "\n"
    "\"There,\" Ben said. \"Land.\"\n"
    "\n"
    "xXx\n"
    "\n"
    "They landed at noon.\n"
    "\n"
    "A/N: Thanks for reading.\n"
)


def test_archive_header_and_notes_are_metadata_outside_chapters():
    story = story_from_text(ARCHIVE, "a.txt")
    assert story.format == "archive-text"
    assert story.text == ARCHIVE
    meta = story.metadata
    assert meta.title == "Crossing"
    assert meta.summary == "Two rivals share a boat."
    assert meta.disclaimer == "I own nothing."
    assert "Written for a friend." in " ".join(meta.notes)
    assert [c.title for c in story.chapters] == ["Fog", None]
    assert len(story.chapters[1].notes) == 2
    for marker in ("Summary:", "Disclaimer:", "A/N:", "Crossing\n"):
        offset = ARCHIVE.index(marker)
        assert story.chapter_at(offset) is None
    notes_at = [ARCHIVE.index("A/N: Sorry"), ARCHIVE.index("A/N: Thanks")]
    assert all(story.chapter_at(o) is None for o in notes_at)
    assert all(not (p.start <= o < p.end) for p in story.paragraphs for o in notes_at)
    assert len(story.scenes) == 4
    assert ARCHIVE[story.scenes[1].start:].startswith("Later the fog lifted.")
    check_offsets(story)


@pytest.mark.parametrize("line", ["*", "* * *", "~", "-", "#", "oOo", "o0o", "xXx", "...",
                                  "~~~~", "-----", "***", "* * * * *", "=-=-="])
def test_scene_break_lines(line):
    assert is_scene_break(line)


@pytest.mark.parametrize("line", ["Hello.", "I", "A", "...and then?", "oh no", "xXx hi"])
def test_not_scene_breaks(line):
    assert not is_scene_break(line)


@pytest.mark.parametrize("line,title", [
    ("Chapter 3", None), ("Chapter 3: The Lake", "The Lake"), ("Ch. 3", None),
    ("CHAPTER I.", None), ("Chapter XII", None), ("Chapter Twenty-One", None),
    ("CHAPTER IV. The Storm", "The Storm"), ("chapter 7 - Home", "Home"),
    ("Prologue", "Prologue"), ("Epilogue", "Epilogue"),
])
def test_chapter_headings(line, title):
    found = chapter_heading(line)
    assert found is not None and found[0] == "chapter" and found[1] == title


@pytest.mark.parametrize("line", ["BOOK II", "PART I: MOSQUE", "Part Two", "VOLUME III"])
def test_division_headings(line):
    found = chapter_heading(line)
    assert found is not None and found[0] == "division"


@pytest.mark.parametrize("line", [
    "child, and he had only a life-interest in it.", "Chapter one of the book was dull.",
    "chapel bells rang", "Chapters were read aloud.", "ch ild", "Church ended late.",
])
def test_prose_is_not_a_heading(line):
    assert chapter_heading(line) is None


# --------------------------------------------------------------------------- novels


def _novel(headings: list[str], words: int = 40) -> str:
    body = " ".join(["word"] * words)
    parts = []
    for n, heading in enumerate(headings):
        parts.append(f"{heading}\n\n\"Line {n}?\" she asked. {body}.\n\nHe nodded. {body}.\n\n")
    return "".join(parts)


def test_gutenberg_licence_is_metadata_outside_chapters():
    header = ("The Project Gutenberg eBook of A Tale, by An Author\n\n"
              "Title: A Tale\n\nAuthor: An Author\n\nLanguage: English\n\n"
              "*** START OF THE PROJECT GUTENBERG EBOOK A TALE ***\n\n\n")
    footer = ("\n\n*** END OF THE PROJECT GUTENBERG EBOOK A TALE ***\n\n"
              "Updated editions will replace the previous one. \"Project Gutenberg\" is a mark.\n")
    text = header + _novel(["CHAPTER I.", "CHAPTER II.", "CHAPTER III."]) + footer
    story = story_from_text(text, "g.txt")
    assert story.format == "novel-text" and story.text == text
    assert story.metadata.title == "A Tale" and story.metadata.authors == ["An Author"]
    assert story.metadata.language == "English"
    assert len(story.chapters) == 3
    assert story.chapters[0].start > len(header) - 5
    assert story.chapters[-1].end <= text.index("*** END")
    assert all(story.chapter_at(o) is None for o in (0, text.index("Updated editions")))
    check_offsets(story)


@pytest.mark.parametrize("headings", [
    ["CHAPTER I.", "CHAPTER II.", "CHAPTER III.", "CHAPTER IV."],
    ["Chapter I", "Chapter II", "Chapter XII"],
    ["BOOK I", "BOOK II", "BOOK III"],
    ["PART I: MOSQUE", "PART II: CAVES", "PART III: TEMPLE"],
    ["I.", "II.", "III.", "IV.", "V."],
    ["1", "2", "3"],
    ["CHAPTER\n1", "CHAPTER\n2", "CHAPTER\n3"],
])
def test_novel_headings_make_chapters(headings):
    text = "A Novel\n\n" + _novel(headings)
    story = story_from_text(text, "n.txt")
    assert len(story.chapters) == len(headings)
    for chapter in story.chapters:
        assert story.text[chapter.start:].startswith('"Line')
    check_offsets(story)


def test_bare_numerals_need_a_sequence():
    # Two stray numerals are not chapters: the whole text stays one chapter.
    text = "Story\n\n" + _novel(["7", "XL"])
    assert len(story_from_text(text).chapters) == 1


def test_title_line_under_a_bare_heading():
    text = "CHAPTER I.\nTHE ARRIVAL\n\nIt rained.\n\nCHAPTER II.\nTHE DEPARTURE\n\nIt snowed.\n"
    story = story_from_text(text)
    assert [c.title for c in story.chapters] == ["THE ARRIVAL", "THE DEPARTURE"]
    assert story.text[story.chapters[0].start:story.chapters[0].end] == "It rained."


# --------------------------------------------------------------------------- encodings


SAMPLE = "Zo\u00eb said, \u201cCaf\u00e9?\u201d \u2014 na\u00efve.\n\n\u2018Yes,\u2019 he said.\n"


@pytest.mark.parametrize("data,encoding", [
    (SAMPLE.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8-sig"),
    (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16-le-sig"),
    (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16-be-sig"),
    (SAMPLE.encode("cp1252"), "cp1252"),
    (SAMPLE.encode("utf-16-le"), "utf-16-le"),
])
def test_encodings_decode_exactly(data, encoding):
    text, used = decode(data, "s.txt")
    assert text == SAMPLE and used == encoding


def test_latin1_and_short_windows_1252():
    latin = "Se\u00f1or Mu\u00f1oz, \u00abbonjour\u00bb, dit-il, tr\u00e8s content.\n"
    assert decode(latin.encode("latin-1"))[0] == latin
    assert decode("He said \u201chi\u201d.".encode("cp1252"))[0] == "He said \u201chi\u201d."
    assert decode("Die Gr\u00f6\u00dfe der Stra\u00dfe.".encode("cp1252"))[0] == (
        "Die Gr\u00f6\u00dfe der Stra\u00dfe.")


def test_undecidable_encodings_are_errors():
    with pytest.raises(EncodingError):
        decode(bytes(range(0x80, 0x100)) * 20, "x.txt")
    mixed = "Caf\u00e9 \u201cx\u201d ".encode() + "Caf\u00e9 \u201cx\u201d ".encode("cp1252")
    with pytest.raises(EncodingError, match="mixes UTF-8"):
        decode(mixed, "x.txt")


@pytest.mark.parametrize("bom,codec", [(b"", "utf-8"), (codecs.BOM_UTF8, "utf-8"),
                                       (codecs.BOM_UTF16_LE, "utf-16-le"), (b"", "cp1252")])
def test_plain_text_is_the_file_content_exactly(bom, codec, tmp_path):
    # mixed line endings: \r\n, \r and \n in one file
    text = "T\u00eete\r\n\r\nChapter 1\r\n\r\n\u201cHi,\u201d said Ann.\r\rShe went.\n\nOut.\n"
    path = tmp_path / "s.txt"
    path.write_bytes(bom + text.encode(codec))
    story = read_story(path)
    assert story.text == text
    assert [story.text[p.start:p.end] for p in story.paragraphs] == [
        "\u201cHi,\u201d said Ann.", "She went.", "Out."]
    check_offsets(story)


def test_bytes_and_text_readers_agree():
    data = ARCHIVE.replace("\n", "\r\n").encode("utf-8")
    story = read_story_bytes(data, "a.txt")
    assert story.text == ARCHIVE.replace("\n", "\r\n")
    assert len(story.chapters) == 2 and len(story.scenes) == 4


# --------------------------------------------------------------------------- properties


_words = st.lists(st.sampled_from(["the", "rain", "Ann", "said", "\u201cno,\u201d", "\"yes\"",
                                   "and", "went", "home.", "caf\u00e9", "--", "I"]),
                  min_size=1, max_size=12).map(" ".join)
# a paragraph opens with words, not a scene-break mark (`--` alone is a break, and a story
# whose chapters hold only breaks is rightly refused as having no story text)
_paragraph = st.lists(_words, min_size=1, max_size=3).filter(
    lambda lines: not is_scene_break(lines[0])).map("\n".join)
_break = st.sampled_from(["* * *", "~", "oOo", "xXx", "#", "-", "..."])
_heading = st.sampled_from(["Chapter {n}", "Chapter {n}: Title", "Ch. {n}", "CHAPTER {n}"])
_newline = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def archive_texts(draw) -> str:
    """Archive-style stories: optional header lines, chapters, scene breaks, notes."""
    nl = draw(_newline)
    blocks: list[str] = []
    if draw(st.booleans()):
        blocks.append("Summary: " + draw(_words))
    if draw(st.booleans()):
        blocks.append("A/N: " + draw(_words))
    blocks.append(draw(st.sampled_from(["Title", "A Story", "Rain"])))
    for n in range(1, draw(st.integers(1, 4)) + 1):
        blocks.append(draw(_heading).format(n=n))
        blocks.append(draw(_paragraph))
        for _ in range(draw(st.integers(0, 4))):
            blocks.append(draw(_break) if draw(st.integers(0, 5)) == 0 else draw(_paragraph))
        if draw(st.integers(0, 3)) == 0:
            blocks.append("A/N: " + draw(_words))
    separator = nl + nl * draw(st.integers(1, 2))
    return separator.join(b.replace("\n", nl) for b in blocks) + nl


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(archive_texts())
def test_property_archive_offsets(text):
    story = story_from_text(text, "gen.txt")
    assert story.text == text
    check_offsets(story)
    assert story.paragraphs
    for p in story.paragraphs:
        body = story.text[p.start:p.end]
        assert not is_scene_break(body.splitlines()[0])
        assert not body.startswith(("A/N:", "Summary:"))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=400))
def test_property_any_text_keeps_offsets_valid(text):
    if not text.strip():
        return
    try:
        story = story_from_text(text, "any.txt")
    except InputError:  # the documented error for text with no story in it
        return
    assert story.text == text.removeprefix("\ufeff")
    check_offsets(story)


# --------------------------------------------------------------------------- PDNC novels


def test_pdnc_novels_chapters_and_quote_coverage(data_dir):
    """On the PDNC novels: sensible chapters, and every gold quotation inside the paragraphs."""
    csv.field_size_limit(10**9)
    novels = sorted(p for p in (data_dir / "pdnc").iterdir() if (p / "novel_text.txt").exists())
    assert novels
    total = covered = 0
    for folder in novels:
        story = read_story(folder / "novel_text.txt")
        check_offsets(story)
        longest = max(c.end - c.start for c in story.chapters)
        assert len(story.chapters) >= 2 and longest < 0.7 * len(story.text), folder.name
        starts = [p.start for p in story.paragraphs]
        with (folder / "quotation_info.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for start, end in ast.literal_eval(row["quoteByteSpans"]):
                    total += 1
                    position, inside = start, True
                    while position < end:  # every non-space character lies in a paragraph
                        if story.text[position].isspace():
                            position += 1
                            continue
                        k = bisect.bisect_right(starts, position) - 1
                        if k < 0 or position >= story.paragraphs[k].end:
                            inside = False
                            break
                        position = story.paragraphs[k].end
                    covered += inside
    assert covered / total >= 0.999, f"{covered}/{total} gold quotation spans inside paragraphs"


def test_novel_title_page_gives_title_and_author():
    text = "Rain Over Harbour\n\nby\n\nJ. Marlow\n\n\n" + _novel(["CHAPTER I.", "CHAPTER II."])
    story = story_from_text(text)
    assert story.metadata.title == "Rain Over Harbour" and story.metadata.authors == ["J. Marlow"]
    assert story.chapter_at(text.index("J. Marlow")) is None


def test_table_of_contents_entries_are_not_chapters():
    body = " ".join(["word"] * 30)
    text = ("The Project Gutenberg eBook of Tale, by A. Writer\n\n"
            "*** START OF THE PROJECT GUTENBERG EBOOK TALE ***\n\nProduced by volunteers\n\n"
            "CONTENTS\n\n CHAPTER I.     The Start\n CHAPTER II.    The End\n\n\n")
    for n, numeral in enumerate(["I", "II"]):
        text += f"CHAPTER {numeral}.\nThe Turn {n}\n\n\"Hi,\" she said. {body}.\n\n"
    story = story_from_text(text + "*** END OF THE PROJECT GUTENBERG EBOOK TALE ***\n")
    assert story.metadata.title == "Tale" and story.metadata.authors == ["A. Writer"]
    assert [(c.index, c.title) for c in story.chapters] == [(1, "The Turn 0"), (2, "The Turn 1")]
    assert story.chapter_at(text.index("The Start")) is None
    check_offsets(story)


def test_archive_first_sentence_is_not_taken_for_a_title():
    text = "Summary: A short one.\n\nIt was raining when she left.\n\n\"Bye,\" she said.\n"
    story = story_from_text(text)
    assert story.metadata.title is None
    assert story.text[story.paragraphs[0].start:].startswith("It was raining")


@pytest.mark.parametrize("byline", ["by inkwell_fox", "By: inkwell_fox"])
def test_archive_title_with_a_byline_under_it(byline):
    text = (f"The Long Way Round\n{byline}\n\nSummary: Stuck together.\n"
            "Disclaimer: Not mine.\n\nChapter 1\n\nThe dungeon was cold.\n")
    story = story_from_text(text)
    assert story.metadata.title == "The Long Way Round"
    assert story.metadata.authors == ["inkwell_fox"]
    assert story.metadata.summary == "Stuck together."
    assert story.text[story.paragraphs[0].start:].startswith("The dungeon was cold.")
    check_offsets(story)


def test_a_first_line_beginning_with_by_is_no_byline():
    text = "Summary: A short one.\n\nRain fell all day.\nBy noon she had gone.\n\nIt ended.\n"
    story = story_from_text(text)
    assert story.metadata.title is None and story.metadata.authors == []


def test_per_chapter_disclaimers_are_notes():
    text = ("Title\n\nChapter 1\n\nDisclaimer: not mine.\n\nDisclaimers aside, it rained.\n\n"
            "Chapter 2\n\nDisclaimer: still not mine.\nA/N: hi\n\nSun.\n")
    story = story_from_text(text)
    assert [text[p.start:p.end] for p in story.paragraphs] == ["Disclaimers aside, it rained.", "Sun."]
    assert story.chapters[0].notes == ["Disclaimer: not mine."]
