"""A small story with a known cast, speakers and addressees, for the reference stages' tests.

The cast and the dialogue attribution are set by hand, so these tests exercise only the
coreference, emotion, places and network stages.
"""

from __future__ import annotations

from pathlib import Path

from ficlens.model import Character, Story
from ficlens.pipeline import analyze
from ficlens.stages.places import find_place_mentions

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "references_story.txt"

CAST = [
    Character(id="C0", name="Tom Baxter", aliases=["Tom", "Baxter"], gender="male"),
    Character(id="C1", name="Lucy Morrow", aliases=["Lucy"], gender="female"),
    Character(id="C2", name="Mr. Finch", aliases=["Finch"], gender="male"),
]
#: quote index -> (speaker, addressees)
DIALOGUE = {0: ("C1", ["C0"]), 1: ("C0", ["C1"]), 2: ("C2", ["C0"]), 3: ("C1", [])}


def story_with_cast(text: str | Path = FIXTURE, cast: list[Character] | None = None,
                    dialogue: dict[int, tuple[str, list[str]]] | None = None) -> Story:
    """The text parsed, its quotes found, and the cast and dialogue set by hand."""
    story = analyze(str(text) if isinstance(text, Path) else text, stages=["parse", "quotes"])
    story.characters = [Character(c.id, c.name, list(c.aliases), c.gender) for c in (cast or CAST)]
    for index, (speaker, addressees) in (DIALOGUE if dialogue is None else dialogue).items():
        story.quotes[index].speaker = speaker
        story.quotes[index].addressees = list(addressees)
    return story


def mention_at(story: Story, text: str, occurrence: int = 0, kind: str | None = None):
    """The mention whose text is `text` (the n-th such in the story)."""
    found = [m for m in story.mentions if m.text == text and (kind is None or m.kind == kind)]
    assert len(found) > occurrence, f"no mention {text!r} #{occurrence}: {[m.text for m in story.mentions]}"
    return found[occurrence]


def place_texts(story: Story, model: dict | bool | None = True) -> set[str]:
    """The text of every place mention found (`model` as `find_place_mentions` takes it)."""
    return {story.text[s:e] for s, e, _, _ in find_place_mentions(story, model=model)}
