"""Places: where a place phrase starts and ends (hyphenated words, a place phrase that
opens the sentence, `there` after a place, a dash, `at Klein's`)."""

from __future__ import annotations

import pytest
from references_helpers import story_with_cast

from ficlens.model import Character
from ficlens.stages.coref import resolve_mentions
from ficlens.stages.places import find_place_mentions

TEXT = """Chapter 1

Mara pushed through the over-grown old garden and past the well-walled orchards. The \
lilies-of-the-valley were out. She came at last to the post-road.

In the kitchen she heard a sound at regular intervals. On Sundays she went to the church \
she liked.

After the play they dined at Klein's. They never went back to Klein's.

She lived in a high room in Beck Hall -- a quiet girl with books.

"You will find the old mill there," said the man. They stood looking at that city there.
"""


@pytest.fixture(scope="module")
def spans():
    """{mention text: [kinds]} of every place mention in TEXT."""
    story = story_with_cast(TEXT, [Character(id="C0", name="Mara", gender="female")], {})
    story = resolve_mentions(story)
    out: dict[str, list[str]] = {}
    for start, end, kind, _name in find_place_mentions(story):
        out.setdefault(story.text[start:end], []).append(kind)
    return out


def test_a_phrase_never_cuts_a_hyphenated_word(spans):
    assert "the over-grown old garden" in spans and "grown old garden" not in spans
    assert "the well-walled orchards" in spans
    assert "the post-road" in spans and "road" not in spans
    # a word built around a place word is no place
    assert not any("valley" in text for text in spans)


def test_a_place_phrase_that_opens_the_sentence_takes_no_clause(spans):
    # spaCy reads `In the kitchen she heard ...` as `the kitchen [that] she heard ...`
    assert "the kitchen" in spans
    assert not any(text.startswith("the kitchen ") for text in spans)
    # a real relative clause without `that` stays
    assert "the church she liked" in spans


def test_an_elliptical_possessive_is_the_place(spans):
    assert spans.get("Klein's") == ["named", "named"]
    assert "Klein" not in spans


def test_a_dash_ends_the_phrase(spans):
    assert "a high room in Beck Hall" in spans
    assert not any("quiet girl" in text for text in spans)


def test_there_after_a_place_is_a_mention_of_its_own(spans):
    assert "that city" in spans and "that city there" not in spans
    assert spans.get("there", []).count("deictic") >= 1


def test_a_home_of_someone_does_not_make_a_place_of_them():
    text = ("Chapter 1\n\nThe girls were often at the house of Agnes. Agnes smiled at them. "
            "They went to the house of Agnes on Sundays, and sometimes to the house of Agnes "
            "on Mondays too. Later they walked the streets of Manchester.\n")
    story = story_with_cast(text, [Character(id="C0", name="Mara", gender="female")], {})
    found = {story.text[s:e]: kind for s, e, kind, _ in find_place_mentions(resolve_mentions(story))}
    assert "Agnes" not in found
    assert "the house of Agnes" in found
    assert found.get("Manchester") == "named"


def test_a_family_named_after_a_titled_man_is_no_place():
    text = ("Chapter 1\n\nMr. Wilcox came in and sat down. Helen had stayed at the Wilcoxes all "
            "summer, and she was going back to the Wilcoxes in June.\n")
    story = story_with_cast(text, [Character(id="C0", name="Helen", gender="female")], {})
    found = {story.text[s:e] for s, e, _, _ in find_place_mentions(resolve_mentions(story))}
    assert not any("Wilcox" in text for text in found)
