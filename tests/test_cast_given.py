"""A known cast (`--cast`): every way the text writes a cast member's name finds them."""

from __future__ import annotations

from cast_helpers import cast_of

import ficlens


def named(story: ficlens.Story, cast_name: str) -> list[str]:
    """The texts of the name mentions resolved to the cast member called `cast_name`."""
    ids = {c.name: c.id for c in story.characters}
    return [m.text for m in story.mentions if m.kind == "name" and m.character == ids[cast_name]]


def test_cast_spelling_in_another_case_is_found():
    story = cast_of("Mr. McBryde nodded. Johnny-boy ran off.\n",
                    cast={"Mr. Mcbryde": [], "John Andrew": ["Johnny-Boy"]})
    assert named(story, "Mr. Mcbryde") == ["Mr. McBryde"]
    assert named(story, "John Andrew") == ["Johnny-boy"]


def test_a_one_word_name_keeps_its_capital():
    story = cast_of("Will came in. You will see it. Will you?\n",
                    cast={"Will Turner": ["Will"]})
    assert named(story, "Will Turner") == ["Will"]


def test_accents_dropped_or_lost_to_the_encoding():
    story = cast_of("Therese de Vitre smiled. Later Th?r?se laughed.\n",
                    cast={"Thérèse de Vitré": []})
    assert named(story, "Thérèse de Vitré") == ["Therese de Vitre", "Th?r?se"]


def test_a_given_name_two_members_share_names_either_by_recency():
    story = cast_of("Beaver went out. John Andrew rode his pony. John laughed.\n",
                    cast={"John Beaver": ["John", "Beaver"], "John Andrew": []})
    assert named(story, "John Andrew") == ["John Andrew", "John"]


def test_sir_john_is_not_the_bare_john():
    story = cast_of("Sir John laughed. Then John Dashwood came in. Later John sat down.\n",
                    cast={"Sir John Middleton": ["Sir John"], "John Dashwood": []})
    assert named(story, "John Dashwood") == ["John Dashwood", "John"]
    assert named(story, "Sir John Middleton") == ["Sir John"]


def test_a_given_name_that_is_a_month_or_a_verb_counts_only_as_a_name():
    story = cast_of('They married in May. May smiled at him. "May I come in?" he asked.\n',
                    cast={"May Welland": [], "Newland Archer": []})
    assert named(story, "May Welland") == ["May"]


def test_a_rank_held_by_one_member_names_him_alone():
    story = cast_of("The general was angry. The general opinion was against him. "
                    "General Smith came in. Henry looked at the General.\n",
                    cast={"General Tilney": [], "Henry Tilney": ["Henry"]})
    assert named(story, "General Tilney") == ["The general", "the General"]


def test_a_shared_rank_names_no_one():
    story = cast_of("The captain smiled.\n",
                    cast={"Captain Wentworth": [], "Captain Harville": []})
    assert not [m for m in story.mentions if m.kind == "name"]


def test_a_description_is_found_by_its_head_and_with_another_article():
    story = cast_of("The magistrate looked up. Then the archdeacon nodded. The man left.\n",
                    cast={"The Magistrate With Spectacles": [], "An Archdeacon": [], "A Man": []})
    assert named(story, "The Magistrate With Spectacles") == ["The magistrate"]
    assert named(story, "An Archdeacon") == ["the archdeacon"]
    assert named(story, "A Man") == []  # too common to stand for one member


def test_a_shared_surname_alone_is_the_mister():
    story = cast_of("McBryde nodded. Mrs. McBryde smiled.\n",
                    cast={"Mr. McBryde": [], "Mrs. McBryde": []})
    assert named(story, "Mr. McBryde") == ["McBryde"]
    assert named(story, "Mrs. McBryde") == ["Mrs. McBryde"]


def test_a_possessive_description_does_not_take_the_owners_name():
    story = cast_of("Dan waved. Dan's friend waved back.\n",
                    cast={"Dan": [], "Dan's Friend": []})
    assert named(story, "Dan") == ["Dan"]
    assert named(story, "Dan's Friend") == ["Dan's friend"]


# --- the same forms when the cast is discovered ---------------------------------------------

def test_two_ranks_of_one_surname_are_two_people():
    story = cast_of("General Tilney frowned. Captain Frederick Tilney laughed. "
                    "General Tilney sighed. Captain Frederick Tilney left.\n")
    owners = {c.name: c.id for c in story.characters}
    assert "General Tilney" in owners
    assert all("General Tilney" not in c.aliases for c in story.characters)


def test_a_discovered_rank_named_alone_is_its_bearer():
    story = cast_of("General Tilney came in. The general was pleased. "
                    "The general opinion was against him.\n")
    ids = {c.name: c.id for c in story.characters}
    found = [m.text for m in story.mentions if m.kind == "name" and m.character == ids["General Tilney"]]
    assert found == ["General Tilney", "The general"]


def test_a_rank_that_speaks_without_a_name_is_a_character():
    story = cast_of('"Off with her head!" said the Queen.\n\n"Nonsense," said Alice.\n\n'
                    '"Silence!" the Queen said.\n\n"Why?" asked Alice.\n\n'
                    '"Because," said the Queen.\n')
    queen = [c for c in story.characters if c.name == "the Queen"]
    assert len(queen) == 1 and queen[0].gender == "female"
    assert queen[0].mentions == 3


def test_a_rank_said_once_is_no_character():
    story = cast_of('"Off with her head!" said the Queen.\n\n"Nonsense," said Alice.\n')
    assert "the Queen" not in [c.name for c in story.characters]


def test_a_role_in_a_longer_title_set_beside_a_name_is_that_person():
    story = cast_of(
        "Mr. Brackett, the District Superintendent of Police, came in.\n\n"
        '"Sit down," said the Superintendent. The Superintendent smiled.\n\n'
        '"Thank you," said Aziz.\n\n"Well?" asked the Superintendent.\n')
    owners = {form: c.id for c in story.characters for form in [c.name, *c.aliases]}
    assert owners.get("Superintendent") == owners["Mr. Brackett"]
