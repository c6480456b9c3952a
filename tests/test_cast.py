"""The cast stage: discovered characters, name clustering, non-characters, a known cast."""

from __future__ import annotations

import pytest

import ficlens

STAGES = ["parse", "quotes", "cast"]


def cast_of(text: str, cast=None) -> ficlens.Story:
    return ficlens.analyze(text, cast=cast, stages=STAGES)


def by_name(story: ficlens.Story) -> dict[str, ficlens.Character]:
    return {c.name: c for c in story.characters}


def owner(story: ficlens.Story, form: str) -> str | None:
    """The character whose name or aliases include this form."""
    for c in story.characters:
        if form == c.name or form in c.aliases:
            return c.id
    return None


@pytest.fixture(scope="module")
def hogwarts() -> ficlens.Story:
    return cast_of(
        "Severus Snape swept into the room. Snape looked at the class.\n\n"
        '"Sit down," Severus said. "Today we brew."\n\n'
        '"Yes, sir," said Lily Evans. Lily sat beside Remus Lupin.\n\n'
        '"Merlin! This is hard," Lily whispered. "Sev, help me."\n\n'
        "Remus laughed and Lupin opened his book. The Muggles outside knew nothing.\n\n"
        "Later, in the Slytherin common room, Snape thought about her. Lily was kind. "
        "Severus knew it. He had met her in London in May.\n\n"
        '"Oh God," Remus muttered. Lily smiled at Remus.\n'
    )


def test_variants_cluster_into_one_character(hogwarts):
    assert owner(hogwarts, "Snape") == owner(hogwarts, "Severus Snape") == owner(hogwarts, "Severus")
    assert owner(hogwarts, "Sev") == owner(hogwarts, "Snape")  # nickname from a vocative
    assert owner(hogwarts, "Lupin") == owner(hogwarts, "Remus")
    assert owner(hogwarts, "Lily") != owner(hogwarts, "Snape")


def test_non_characters_stay_out(hogwarts):
    forms = {f for c in hogwarts.characters for f in [c.name, *c.aliases]}
    for word in ("Merlin", "God", "Muggles", "Slytherin", "London", "May"):
        assert word not in forms


def test_gender_from_pronouns_and_names(hogwarts):
    assert hogwarts.character(owner(hogwarts, "Snape")).gender == "male"
    assert hogwarts.character(owner(hogwarts, "Lily")).gender == "female"


def test_ids_follow_prominence_and_mentions_are_recorded(hogwarts):
    counts = [c.mentions for c in hogwarts.characters]
    assert counts == sorted(counts, reverse=True)
    assert [c.id for c in hogwarts.characters] == [f"C{i}" for i in range(len(counts))]
    names = [m for m in hogwarts.mentions if m.kind == "name"]
    assert names and all(hogwarts.text[m.start:m.end] == m.text for m in names)
    snape = owner(hogwarts, "Snape")
    assert sum(m.character == snape for m in names) == hogwarts.character(snape).mentions


def test_shared_surname_stays_four_people():
    story = cast_of(
        "Mr. Bennet read his paper. Mrs. Bennet talked of the ball. Jane Bennet smiled, "
        "and Elizabeth Bennet laughed at her mother.\n\n"
        '"My dear Mr. Bennet," said Mrs. Bennet, "have you heard?"\n\n'
        '"I have not," said Mr. Bennet.\n\n'
        '"Jane, come here," said Elizabeth. Jane came. Elizabeth took her hand.\n\n'
        "Mr. Darcy stood by the window. Fitzwilliam Darcy was proud, and Darcy knew it.\n"
    )
    ids = {owner(story, f) for f in ("Mr. Bennet", "Mrs. Bennet", "Jane Bennet", "Elizabeth Bennet")}
    assert len(ids) == 4 and None not in ids
    assert owner(story, "Elizabeth") == owner(story, "Elizabeth Bennet")
    assert owner(story, "Darcy") == owner(story, "Mr. Darcy") == owner(story, "Fitzwilliam Darcy")
    assert story.character(owner(story, "Mrs. Bennet")).gender == "female"
    assert story.character(owner(story, "Mr. Bennet")).gender == "male"


def test_known_cast_is_the_only_cast():
    story = cast_of(
        '"Where is it?" asked Sev. Snape frowned. Lily and Potter laughed.\n',
        cast={"Severus Snape": ["Snape", "Sev"], "Lily Evans": ["Lily"]},
    )
    names = by_name(story)
    assert set(names) == {"Severus Snape", "Lily Evans"}
    assert all(c.given for c in story.characters)
    assert names["Severus Snape"].mentions == 2
    assert names["Lily Evans"].mentions == 1


def test_known_cast_also_resolves_unambiguous_parts_of_full_names():
    story = cast_of("Severus came in. Then Lily came in.\n",
                    cast={"Severus Snape": [], "Lily Evans": []})
    names = by_name(story)
    assert names["Severus Snape"].mentions == 1
    assert names["Lily Evans"].mentions == 1


def test_title_without_full_stop_matches_a_cast_alias():
    story = cast_of("Mrs Weston smiled.\n", cast={"Mrs. Weston": [], "Mr. Weston": ["Weston"]})
    assert by_name(story)["Mrs. Weston"].mentions == 1
    assert by_name(story)["Mr. Weston"].mentions == 0


def test_ao3_character_tags_are_a_prior():
    story = ficlens.analyze("Draco sneered. Malfoy left. Hermione sighed.\n", stages=["parse", "quotes"])
    story.metadata.characters = ["Draco Malfoy", "Hermione Granger", "Harry Potter"]
    story = ficlens.analyze(story, stages=["cast"])
    assert owner(story, "Draco") == owner(story, "Malfoy") is not None
    assert owner(story, "Hermione") is not None
    assert owner(story, "Harry Potter") is None  # a tag is a prior, not a character by itself


def test_no_names_no_characters():
    story = cast_of('"Hello," he said.\n\n"Hi," she said.\n')
    assert story.characters == []
