"""The cast stage, joining the names one person goes by when the text says so.

A rank that speaks in inverted tags (`cried the duchess`), a rank already found as a name
beside a named character, the short form of a nickname (`the Artful`), a name the text
gives as another's alias (`X, alias Y`), a character known by a rank who says who they are
(`"I am Inspector Ratcliffe," he said`), and the bookkeeping that keeps a shared surname
pointing at its own bearers after such joins. Every fixture is invented.
"""

from __future__ import annotations

from collections import Counter

from cast_helpers import cast_of, forms_of, owner

from ficlens.stages.cast import _Entity, _join_by_replies


def test_inverted_tags_of_a_rank_join_the_name_it_answers_to():
    scene = (
        '"Is it true, Gladys?" asked Lord Henry.\n\n'
        '"Quite true," cried the duchess, and she laughed at him over her cup.\n\n'
        '"You are cruel, Gladys," said Lord Henry.\n\n'
        '"Never," exclaimed the duchess, and she turned away towards the window.\n\n'
    )
    story = cast_of("Lord Henry sat with the duchess in the garden. Everyone liked Gladys.\n\n" + scene * 2)
    assert owner(story, "Gladys") == owner(story, "the Duchess") is not None
    assert owner(story, "Lord Henry") != owner(story, "Gladys")


def test_a_speaking_rank_found_as_a_name_beside_a_man_is_him():
    story = cast_of(
        "They sent for the Superintendent, Mr. Dunlop, who came at once.\n\n"
        '"Sit down," said the Superintendent.\n\n"Thank you," said Amy.\n\n'
        '"Now," said the Superintendent.\n\n"Yes," said Amy.\n\n'
        '"Well," said the Superintendent. Mr. Dunlop wrote it down.\n'
    )
    assert owner(story, "the Superintendent") == owner(story, "Mr. Dunlop") is not None
    assert len([c for c in story.characters if "Superintendent" in [c.name, *c.aliases]]) == 1


def test_the_first_word_of_a_nickname_is_its_short_form():
    story = cast_of(
        "Everyone knew the Artful Dodger. The Dodger ran off. The Dodger came back. The "
        "Dodger whistled a tune.\n\n"
        '"Come along," said the Dodger, pulling at his sleeve as they went.\n\n'
        '"Where?" asked Tom, who did not want to go out in the rain.\n\n'
        '"Home," replied the Artful, and the Artful Dodger walked off down the lane.\n\n'
        '"Now," said the Artful, grinning at the boy beside the door of the shop.\n\n'
        '"Quick," cried the Artful, when they came to the corner of the street.\n'
    )
    assert owner(story, "Artful") == owner(story, "Dodger") is not None


def test_a_name_given_as_an_alias_is_the_same_person():
    story = cast_of(
        "Noah Claypole ran away to London. Noah Claypole was a coward.\n\n"
        '"Go on," said Noah. Noah laughed.\n\n'
        "There came Noah Claypole, alias Morris Bolter, into the inn.\n\n"
        '"Beer," said Morris Bolter. Morris Bolter drank. Morris Bolter slept.\n'
    )
    assert owner(story, "Morris Bolter") == owner(story, "Noah Claypole") is not None


def test_an_alias_never_joins_a_man_and_a_woman():
    story = cast_of(
        "Mr. Bolter came in. Mr. Bolter sat. Mr. Bolter drank.\n\n"
        "Then came Mrs. Grey, otherwise Mr. Bolter, as the joke went.\n\n"
        '"Tea," said Mrs. Grey. Mrs. Grey smiled. Mrs. Grey sang.\n'
    )
    assert owner(story, "Mrs. Grey") != owner(story, "Mr. Bolter")


def test_a_rank_who_says_who_he_is_is_that_man():
    story = cast_of(
        '"Good day," said the Marquis.\n\n"Who are you?" asked Syme.\n\n'
        '"Nobody," said the Marquis.\n\n"Really?" asked Syme.\n\n'
        '"The police, of course!" said the Marquis, and pulled off his beard.\n\n'
        "The face beneath was pale.\n\n"
        '"I am Inspector Hardcastle," he said. "You know my name."\n\n'
        '"I do," said Syme. Hardcastle nodded. Inspector Hardcastle sat down.\n'
    )
    assert owner(story, "the Marquis") == owner(story, "Inspector Hardcastle") is not None
    assert owner(story, "Syme") != owner(story, "Inspector Hardcastle")


def test_an_introduction_between_two_names_joins_nothing():
    story = cast_of(
        '"Good day," said Syme.\n\n"Who are you?" asked Gregory.\n\n'
        '"The police," said Syme. Gregory frowned.\n\n'
        '"I am Inspector Hardcastle," he said. Hardcastle sat. Inspector Hardcastle smiled.\n'
    )
    assert owner(story, "Syme") != owner(story, "Inspector Hardcastle")


def test_a_shared_surname_still_names_its_bearers_after_a_join():
    # joining two characters removes one from the list: the surname the Sowerberrys share
    # must still point at them, not at whoever moved into their places
    entities = [_Entity(forms=Counter({"Mr. Vyse": 4}), core=("Vyse",), title="Mr.", gender="male"),
                _Entity(forms=Counter({"Mr. Sowerberry": 2}), core=("Sowerberry",), title="Mr.",
                        gender="male"),
                _Entity(forms=Counter({"Mrs. Sowerberry": 2}), core=("Sowerberry",), title="Mrs.",
                        gender="female"),
                _Entity(forms=Counter({"Cecil": 9}), core=("Cecil",), gender="male")]
    shared = {"Sowerberry": [1, 2]}
    pairs = Counter({("Mr. Vyse", "Cecil"): 3})
    joined = _join_by_replies(entities, shared, pairs)
    assert len(joined) == 3
    assert {form for i in shared["Sowerberry"] for form in joined[i].forms} == {
        "Mr. Sowerberry", "Mrs. Sowerberry"}


def test_a_heading_in_capitals_is_not_a_character():
    story = cast_of(
        "CHAPTER TWO\n\nOLIVER MINGLES WITH THE CROWD\n\n"
        "Oliver walked into town. Oliver was hungry. Oliver sat down.\n"
    )
    assert not [f for f in forms_of(story) if f.isupper() and len(f) > 2]
