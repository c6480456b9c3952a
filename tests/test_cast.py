"""The cast stage: discovered characters, name clustering, non-characters, a known cast."""

from __future__ import annotations

import pytest
from cast_helpers import cast_of, forms_of, owner

import ficlens


def by_name(story: ficlens.Story) -> dict[str, ficlens.Character]:
    return {c.name: c for c in story.characters}


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


@pytest.fixture(scope="module")
def manor() -> ficlens.Story:
    return cast_of(
        "Chapter One: Miss Lucy Honeychurch Drive Out in Carriages\n\n"
        "Miss Lucy Honeychurch lived at Kellynch Hall with her brother Freddy Honeychurch. "
        "Kellynch Hall was old. Lucy loved Kellynch Hall, and the Kellynch gardens, and "
        "Kellynch itself.\n\n"
        '"Freddy, come here," said Lucy. "We must go to Tunbridge Wells."\n\n'
        '"Not to Tunbridge Wells again," said Freddy. Freddy hated Tunbridge Wells.\n\n'
        "Mr. Hall, the old gardener, came in. \"Miss Honeychurch,\" said Mr. Hall, "
        '"the carriage is ready." Hall bowed to Miss Honeychurch.\n\n'
        "They drove down St. James Street and through Somersetshire. Lest Freddy should sulk, Lucy sang. "
        "Freddy laughed at Lucy. Lucy smiled at Freddy.\n\n"
        "The Curlew lay at anchor in the bay. Lucy watched the Curlew. The Curlew was "
        "Freddy's boat, and the Curlew needed paint.\n"
    )


def test_place_names_are_not_characters(manor):
    forms = forms_of(manor)
    for place in ("Kellynch Hall", "Kellynch", "Tunbridge Wells", "Somersetshire", "Curlew",
                  "St. James Street",
                  "Drive", "Miss Lucy Honeychurch Drive"):
        assert place not in forms, place
    assert owner(manor, "Mr. Hall") is not None  # a person named like a place noun stays


def test_place_noun_after_a_full_name_ends_the_name(manor):
    assert owner(manor, "Miss Lucy Honeychurch") == owner(manor, "Lucy") is not None


def test_sentence_opener_is_not_part_of_a_name(manor):
    assert "Lest Freddy" not in forms_of(manor)
    assert owner(manor, "Freddy") == owner(manor, "Freddy Honeychurch")


def test_nickname_gender_keeps_miss_apart_from_her_brother(manor):
    # "Freddy" is a short form of a man's name: "Miss Honeychurch" is not him
    assert owner(manor, "Miss Honeychurch") != owner(manor, "Freddy Honeychurch")
    assert manor.character(owner(manor, "Freddy")).gender == "male"


def test_word_before_a_given_name_is_not_a_first_name():
    story = cast_of(
        "Tony Last walked in the park. Tony looked at the trees. On Thursday Tony went to "
        "town.\n\n"
        '"Tony, wait," said Brenda. Tony waited. Tony smiled at Brenda.\n'
    )
    assert "Thursday Tony" not in forms_of(story)
    assert owner(story, "Tony") == owner(story, "Tony Last") is not None


def test_titled_long_surname_joins_the_one_full_name():
    story = cast_of(
        "Jenny Abdul Akbar came to tea. Princess Abdul Akbar was late, as always.\n\n"
        '"My dear," said Princess Abdul Akbar, "how nice." Jenny Abdul Akbar laughed.\n'
    )
    assert owner(story, "Princess Abdul Akbar") == owner(story, "Jenny Abdul Akbar") is not None


def test_one_letter_spelling_variant_of_a_first_name():
    story = cast_of(
        "Miss Catherine Alan sat by the fire. Miss Catharine Alan knitted.\n\n"
        '"Dear me," said Miss Catherine Alan. Miss Alan sighed.\n'
    )
    assert owner(story, "Miss Catherine Alan") == owner(story, "Miss Catharine Alan") is not None


def test_nickname_of_a_full_name_with_the_same_surname():
    story = cast_of(
        "Lawrence Lefferts came in late. Larry Lefferts always came in late.\n\n"
        '"Evening," said Lawrence Lefferts. Lefferts sat down.\n'
    )
    assert owner(story, "Larry Lefferts") == owner(story, "Lawrence Lefferts") is not None


def test_a_rank_is_not_mister():
    story = cast_of(
        "Sir Walter Elliot admired himself in the glass. Sir Walter was vain.\n\n"
        '"Mr. Elliot is coming," said Anne. William Elliot came in. Mr. Elliot bowed.\n\n'
        "Sir Walter Elliot smiled at Mr. Elliot. Sir Walter Elliot sat down.\n"
    )
    assert owner(story, "Mr. Elliot") != owner(story, "Sir Walter Elliot")
    assert owner(story, "Mr. Elliot") is not None


def test_interjections_opening_speech_are_not_characters():
    story = cast_of(
        "Nora dropped her bag on the bench.\n\n"
        '"Language, Tibbs," Aldous said from the doorway.\n\n'
        '"Oi, Aldous. Leave her alone," Tibbs said.\n\n'
        '"Whatever." Nora turned a page. "Tibbs, help me."\n'
    )
    forms = forms_of(story)
    for word in ("Language", "Oi", "Whatever"):
        assert word not in forms
    for name in ("Nora", "Tibbs", "Aldous"):
        assert name in forms


def test_clipped_and_pet_forms_join_the_name():
    story = cast_of(
        "Castiel stood between the beds. Sam Winchester closed the laptop. Castiel waited.\n\n"
        '"Cas, you are dripping on the carpet," said Sam.\n\n'
        '"Something is wrong, Sammy," said Castiel. Castiel looked at the radio.\n'
    )
    assert owner(story, "Cas") == owner(story, "Castiel") is not None
    assert owner(story, "Sammy") == owner(story, "Sam") is not None
    assert owner(story, "Sam") != owner(story, "Castiel")
