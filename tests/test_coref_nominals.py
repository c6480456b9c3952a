"""Coreference of person nouns and of `you` in the narration: relations through a family
name, apposition, nouns for the whole person, repeated group nouns, and the narratee of a
letter or a second-person story."""

from __future__ import annotations

from test_coref_sieves import _clusters


def test_his_wife_is_the_woman_of_his_family_name():
    text = ("Chapter 1\n\nMr. Pett read the paper in the hall. Mrs. Pett came down the stairs. "
            "Ogden followed. Mr. Pett looked up at his wife and sighed.\n")
    ids = _clusters(text, "Mr. Pett", "Mrs. Pett", "Ogden", "his", "his wife")
    assert ids[("his wife", 0)] == ids[("Mrs. Pett", 0)]
    assert ids[("his wife", 0)] != ids[("Mr. Pett", 0)]


def test_a_married_woman_s_father_is_not_her_husband():
    text = ("Chapter 1\n\nMr. Pontellier went out early. Mrs. Pontellier stayed on the porch. "
            "Mrs. Pontellier talked about her father all afternoon.\n")
    ids = _clusters(text, "Mr. Pontellier", "Mrs. Pontellier", "her", "her father")
    assert ids[("her father", 0)] != ids[("Mr. Pontellier", 0)]


def test_a_noun_is_the_person_named_in_apposition_after_it():
    text = ("Chapter 1\n\nDorothea lived at the Grange with her sister, Celia, and an old uncle. "
            "Celia liked the garden.\n")
    ids = _clusters(text, "Dorothea", "her sister", "Celia", "an old uncle")
    assert ids[("her sister", 0)] == ids[("Celia", 0)] == ids[("Celia", 1)]
    assert ids[("her sister", 0)] != ids[("Dorothea", 0)]
    assert ids[("an old uncle", 0)] != ids[("Celia", 0)]


def test_his_figure_is_he():
    text = ("Chapter 1\n\nHolmes paced the room above. From the street I saw his tall figure "
            "pass twice against the blind.\n")
    ids = _clusters(text, "Holmes", "I", "his", "his tall figure")
    assert ids[("his tall figure", 0)] == ids[("his", 0)] == ids[("Holmes", 0)]


def test_a_group_named_again_is_the_same_group_but_people_in_general_are_not():
    text = ("Chapter 1\n\nMen seldom listen to advice. Two soldiers came to the gate at dawn. "
            "The soldiers waited in the cold. Later the men rode away.\n")
    ids = _clusters(text, "Men", "Two soldiers", "The soldiers", "the men")
    assert ids[("The soldiers", 0)] == ids[("Two soldiers", 0)]
    assert ids[("the men", 0)] != ids[("Men", 0)]


def test_the_you_of_a_letter_is_one_person():
    text = ("Chapter 1\n\nDear Judy: I hope you are well. The children send you their love, "
            "and I think of you often.\n\nYours ever, Sallie\n\n"
            "Tom read the letter twice. He put it away. His sister laughed at him. Tom left. "
            "In such weather you could hardly see the road, and when you walked out you got wet.\n")
    ids = _clusters(text, "you", "I", "Tom", "He", "His sister", "him")
    assert ids[("you", 0)] == ids[("you", 1)] == ids[("you", 2)]
    # after the letter, the narration's `you` is anyone, each time
    assert len({ids[("you", 3)], ids[("you", 4)], ids[("you", 5)]}) == 3
    assert ids[("you", 4)] != ids[("you", 0)]


def test_a_person_introduced_by_name_after_named_is_that_person():
    text = ("Chapter 1\n\nHe was sold to a trader named Jennings in the spring. "
            "Jennings paid in gold.\n")
    ids = _clusters(text, "He", "a trader", "Jennings")
    assert ids[("a trader", 0)] == ids[("Jennings", 0)] == ids[("Jennings", 1)]
    assert ids[("He", 0)] != ids[("Jennings", 0)]


def test_a_determiner_or_an_epithet_is_no_part_of_a_name():
    text = ("Chapter 1\n\nThe Indians crossed the river at night. Mrs. Sedley wrote a letter. "
            "The officer served the Queen. Nobody praised the amiable Miss Sedley.\n")
    ids = _clusters(text, "The Indians", "Mrs. Sedley", "the Queen", "the amiable Miss Sedley")
    assert ids[("the Queen", 0)] != ids[("The Indians", 0)]
    assert ids[("the amiable Miss Sedley", 0)] != ids[("Mrs. Sedley", 0)]


def test_a_family_named_in_the_plural_is_they():
    text = ("Chapter 1\n\nMargaret met the Dursleys at the station. They were the happiest family "
            "she knew.\n")
    ids = _clusters(text, "Margaret", "the Dursleys", "They", "she")
    assert ids[("They", 0)] == ids[("the Dursleys", 0)]
    assert ids[("she", 0)] == ids[("Margaret", 0)]


def test_no_man_is_not_the_man_met_later():
    text = ("Chapter 1\n\nNo man could cross that desert alone. At noon a rider came to the well. "
            "The man drank for a long time.\n")
    ids = _clusters(text, "No man", "a rider", "The man")
    assert ids[("The man", 0)] != ids[("No man", 0)]
