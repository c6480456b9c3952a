"""The cast stage, joining names by what the text shows and keeping families apart.

Each fixture is written for the rule it checks: married names, a wife's own given name,
names linked by who answers to them, nicknames, and the cases that must stay apart
(a mother and her daughter, two people talking to each other, a father and his son).
"""

from __future__ import annotations

from cast_helpers import cast_of, forms_of, owner

from ficlens.stages.names import first_names


def test_the_one_wife_of_a_surname_is_mrs_surname():
    story = cast_of(
        "Edna Pontellier sat on the porch. Mrs. Pontellier looked at the sea.\n\n"
        '"It is hot," said Mrs. Pontellier. Léonce Pontellier read his paper.\n\n'
        "Mrs. Pontellier sighed. Mrs. Pontellier went in. Edna slept.\n\n"
        "Later Mrs. Pontellier walked on the beach, and Mrs. Pontellier swam.\n"
    )
    assert owner(story, "Mrs. Pontellier") == owner(story, "Edna Pontellier") is not None


def test_a_miss_of_the_name_makes_mrs_her_mother():
    story = cast_of(
        "Sibyl Vane sang at the theatre. Miss Vane was seventeen.\n\n"
        '"Mother, I love him," said Sibyl. Mrs. Vane sighed.\n\n'
        '"Be careful, child," said Mrs. Vane. Mrs. Vane counted the money. Mrs. Vane '
        "wept. Mrs. Vane slept.\n"
    )
    assert owner(story, "Mrs. Vane") != owner(story, "Sibyl Vane")
    assert owner(story, "Mrs. Vane") is not None and owner(story, "Sibyl Vane") is not None


def test_mrs_with_her_own_given_name_is_mrs_surname():
    story = cast_of(
        "Mrs. Rachel Lynde lived at the hollow. Mrs. Lynde saw everything.\n\n"
        '"Well, Marilla," said Mrs. Lynde. Rachel knew all the news.\n\n'
        "Mrs. Rachel Lynde went home. Mrs. Rachel Lynde knitted. Mrs. Lynde talked. "
        "Mrs. Lynde talked again. Mrs. Lynde sighed. Mrs. Lynde slept.\n"
    )
    ids = {owner(story, f) for f in ("Mrs. Rachel Lynde", "Mrs. Lynde", "Rachel")}
    assert len(ids) == 1 and None not in ids


def test_mrs_with_her_husbands_given_name_is_not_him():
    story = cast_of(
        "Mr. John Knightley came to dinner with Mrs. John Knightley.\n\n"
        '"Good evening," said Mr. John Knightley. Mrs. John Knightley smiled.\n'
    )
    assert owner(story, "Mrs. John Knightley") != owner(story, "Mr. John Knightley")


def test_full_title_then_short_title_is_one_man():
    story = cast_of(
        "Mr. Thomas Marvel sat by the road. Mr. Thomas Marvel wore boots. Mr. Thomas "
        "Marvel was a tramp.\n\n"
        '"Boots," said Mr. Marvel. Mr. Marvel looked at them. Mr. Marvel sighed. Mr. '
        "Marvel walked. Mr. Marvel sat. Mr. Marvel stood. Mr. Marvel ran. Mr. Marvel slept. "
        "Mr. Marvel woke. Mr. Marvel ate. Mr. Marvel drank.\n"
    )
    assert owner(story, "Mr. Marvel") == owner(story, "Mr. Thomas Marvel") is not None


def test_brothers_called_by_their_first_name_stay_two():
    story = cast_of(
        "Mr. John Knightley came with his wife. Mr. John Knightley was tired. Mr. John "
        "Knightley sat down. John was a lawyer. John liked his home. John was cross. "
        "Mr. John was silent.\n\n"
        + "Mr. Knightley laughed. " * 25
        + "\n"
    )
    assert owner(story, "Mr. Knightley") != owner(story, "Mr. John Knightley")


def test_title_comrade_joins_the_full_name():
    story = cast_of(
        "Lucian Gregory was a poet. Comrade Gregory spoke at the meeting.\n\n"
        '"Comrades," said Comrade Gregory. Gregory sat down.\n'
    )
    assert owner(story, "Comrade Gregory") == owner(story, "Lucian Gregory") is not None


def _conversation(called: str, answer: str, other: str) -> str:
    """`other` calls someone `called`; `answer` replies, twice over, in two scenes."""
    scene = (
        f'"Are you coming to tea, {called}?" asked {other}.\n\n'
        f'"I am," said {answer}.\n\n'
        f'"I agree with you, {called}," said {other}.\n\n'
        f'"Thank you," said {answer}.\n\n'
        f"{other} left the room. {answer} stayed.\n\n"
    )
    return scene * 2


def test_a_name_answered_by_another_name_is_one_character():
    story = cast_of(
        "Cecil read a book in the garden. Mr. Beebe came up the path. Cecil looked up.\n\n"
        + _conversation("Mr. Vyse", "Cecil", "Mr. Beebe")
        + "Mr. Vyse was a tease. Cecil was proud. Mr. Beebe was kind.\n"
    )
    assert owner(story, "Mr. Vyse") == owner(story, "Cecil") is not None
    assert owner(story, "Mr. Beebe") != owner(story, "Cecil")


def test_names_answered_by_each_other_stay_two():
    # Lucy calls Mr. Beebe by name, but Cecil and Mr. Beebe answer each other in turn
    story = cast_of(
        "Cecil and Mr. Beebe sat in the garden with Lucy.\n\n"
        '"Will you play, Mr. Beebe?" asked Lucy.\n\n'
        '"Not today," said Cecil.\n\n'
        '"Nor I," said Mr. Beebe.\n\n'
        '"Why not?" said Cecil.\n\n'
        '"I am tired," said Mr. Beebe.\n\n'
        '"Come, Mr. Beebe," said Lucy.\n\n'
        '"He is tired," said Cecil.\n\n'
        '"Quite," said Mr. Beebe.\n'
    )
    assert owner(story, "Mr. Beebe") != owner(story, "Cecil")
    assert None not in (owner(story, "Mr. Beebe"), owner(story, "Cecil"))


def test_a_nickname_joins_the_name_it_shortens():
    story = cast_of(
        "Nancy came in. Nancy sat by the fire. Nancy sang. Nancy laughed. Nancy cried. "
        "Nancy slept.\n\n"
        '"Nance, my dear," said Bill. Nancy smiled at Bill.\n'
    )
    assert owner(story, "Nance") == owner(story, "Nancy") is not None


def test_a_given_name_outweighs_a_few_pronouns_of_the_other_sex():
    story = cast_of(
        "Anne walked to school. Gilbert waited at the gate. She did not look at him.\n\n"
        "Gilbert called out. She walked on.\n\n"
        "Gilbert laughed. She turned red.\n\n"
        "Anne sat down. She was cross.\n"
    )
    gilbert = owner(story, "Gilbert")
    assert gilbert is not None and story.character(gilbert).gender == "male"


def test_a_tokeniser_slip_is_not_a_name():
    story = cast_of(
        "Mr. Knightley came in. Knightley sat down. It was Knightley!--How odd. "
        "Mr. Knightley laughed.\n"
    )
    assert not [f for f in forms_of(story) if "--" in f or "!" in f]


def test_common_word_after_a_name_is_dropped():
    story = cast_of(
        "Mr. Fielding taught at the college. Mr. Fielding was kind. Mr. Fielding smiled. "
        "Mr. Fielding laughed. Mr. Fielding read. Mr. Fielding wrote.\n\n"
        "They named it the Mr. Fielding High School. The high wall, the high gate, the "
        "high roof, the high tower and the high window were new.\n"
    )
    assert "High" not in forms_of(story)
    assert not [f for f in forms_of(story) if f.endswith("High")]


def test_given_name_list_covers_common_names_with_gender():
    names = first_names()
    assert len(names) > 1000
    for name, gender in (("Gino", "male"), ("Cecil", "male"), ("Edna", "female"),
                         ("Frances", "female"), ("Francis", "male"), ("Marilla", "female")):
        assert names[name] == gender, name
    assert names["Leslie"] is None  # borne by both


def test_a_role_set_beside_one_name_is_that_person():
    story = cast_of(
        "They knew who it was: the Collector, Mr. Turton, with whom they had dined.\n\n"
        '"Good evening," said the Collector. The Collector bowed. The Collector sat down. '
        "The Collector smiled.\n\n"
        '"Evening," said Mr. Turton. Mr. Turton left.\n'
    )
    assert owner(story, "Collector") == owner(story, "Mr. Turton") is not None


def test_a_role_beside_two_names_joins_neither():
    story = cast_of(
        "The Captain, Mr. Harville, came in. Later the Captain, Mr. Benwick, came in.\n\n"
        "The Captain laughed. The Captain sat. Mr. Harville smiled. Mr. Benwick read.\n"
    )
    assert owner(story, "Mr. Harville") != owner(story, "Mr. Benwick")


def test_given_name_before_a_titled_surname_makes_a_full_name():
    # "Fielding" alone is often read as a verb; the one "Cyril Fielding" joins both names
    story = cast_of(
        "Mr. Fielding ran the college. Mr. Fielding was kind. Mr. Fielding laughed.\n\n"
        '"You can trust me, Cyril," said Aziz. Cyril smiled. Cyril nodded.\n\n'
        '"I see Cyril Fielding is a nice chap," said Hamidullah.\n'
    )
    assert owner(story, "Cyril") == owner(story, "Mr. Fielding") is not None


def test_miss_surname_is_the_elder_sister_of_miss_firstname():
    story = cast_of(
        "Miss Pinkerton kept a school. Miss Pinkerton was stern. Miss Pinkerton wrote "
        "letters. Miss Pinkerton rang the bell. Miss Pinkerton frowned.\n\n"
        "Miss Jemima Pinkerton was her sister. Miss Jemima was kind. Miss Jemima smiled. "
        "Jemima cried.\n\n"
        '"Sister," said Miss Jemima. "Yes?" said Miss Pinkerton.\n'
    )
    assert owner(story, "Miss Pinkerton") != owner(story, "Miss Jemima Pinkerton")
    assert owner(story, "Miss Jemima") == owner(story, "Miss Jemima Pinkerton") is not None


def test_miss_firstname_from_a_servant_does_not_split_her():
    story = cast_of(
        "Rose Maylie sat at the window. Rose sewed. Rose sang. Rose smiled. Rose read. "
        "Rose walked. Rose slept. Rose woke.\n\n"
        '"Miss Rose, tea is ready," said Brittles. "Thank you," said Miss Maylie.\n\n'
        '"Miss Rose is kind," said Giles. Rose laughed.\n'
    )
    assert owner(story, "Miss Maylie") == owner(story, "Rose Maylie") is not None
