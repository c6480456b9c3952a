"""Word lists the reference stages share: person nouns, gendered words and given names.

The lists come from the `coreferee` package (MIT licence), which ships them as plain
files; only the files are read, coreferee's own models are never loaded.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

# Nouns that coreferee lists as possible persons but that, in fiction, mostly are not.
_NOT_PERSON_NOUNS = {
    "cat", "dog", "horse", "bird", "fish", "rat", "mouse", "pig", "cow", "bear", "wolf", "fox",
    "snake", "lion", "tiger", "monkey", "ape", "goat", "sheep", "duck", "hen", "owl", "bat",
    "thing", "things", "body", "head", "heart", "mind", "hand", "eye", "face", "voice", "soul",
    "spirit", "nature", "world", "house", "home", "room", "church", "school", "party", "company",
    "family", "public", "crowd", "people", "staff", "army", "force", "court", "state", "nation",
    "power", "authority", "society", "press", "council", "board", "team", "class", "guard",
    "majority", "minority", "part", "number", "type", "kind", "sort", "order", "rest", "whole",
    "one", "ones", "other", "others", "self", "subject", "object", "case", "match", "light",
    "star", "angel", "fool", "devil", "god", "saint",
}
# Group nouns that still take person pronouns in LitBank-style annotation (`the family ... they`).
_GROUP_NOUNS = {"family", "people", "crowd", "party", "company", "army", "couple", "pair"}


def _read(name: str) -> list[str]:
    base = resources.files("coreferee") / "lang"
    folder = "common" if name.endswith("_names.dat") else "en"
    text = (base / folder / "data" / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def person_nouns() -> frozenset[str]:
    """Lower-case common nouns that denote a person (`boy`, `friend`, `master`, `governess`)."""
    words = {w.lower() for w in _read("exclusively_person_words.dat") if w.islower()}
    animals = {w.lower() for w in _read("animal_words.dat")}
    words |= {w.lower() for w in _read("person_words.dat") if w.islower() and w.lower() not in animals}
    return frozenset((words - _NOT_PERSON_NOUNS) | _GROUP_NOUNS)


@lru_cache(maxsize=1)
def group_nouns() -> frozenset[str]:
    """Singular nouns that denote a group of persons (`family`, `crowd`)."""
    return frozenset(_GROUP_NOUNS)


@lru_cache(maxsize=1)
def gendered_nouns() -> dict[str, str]:
    """Lower-case words that imply a gender ("male"/"female"): `boy`, `aunt`, `Monsieur`."""
    out: dict[str, str] = {}
    for word in _read("exclusively_male_words.dat"):
        out[word.lower()] = "male"
    for word in _read("exclusively_female_words.dat"):
        out[word.lower()] = "female"
    return out


@lru_cache(maxsize=1)
def given_names() -> dict[str, str]:
    """Given name (lower case) -> "male"/"female"; names used for both are left out."""
    male = {w.lower() for w in _read("male_names.dat")}
    female = {w.lower() for w in _read("female_names.dat")}
    out = {name: "male" for name in male - female}
    out.update({name: "female" for name in female - male})
    return out
