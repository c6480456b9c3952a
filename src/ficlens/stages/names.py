"""Name forms shared by the dialogue stages: titles, their genders, given-name lists."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

#: Titles and honorifics, lower-case without a full stop, with the gender they imply (None: either).
TITLES: dict[str, str | None] = {
    "mr": "male", "mister": "male", "sir": "male", "lord": "male", "master": "male",
    "monsieur": "male", "m": "male", "signor": "male", "señor": "male", "herr": "male",
    "mrs": "female", "miss": "female", "ms": "female", "lady": "female", "madame": "female",
    "madam": "female", "mme": "female", "mademoiselle": "female", "mlle": "female",
    "dame": "female", "signora": "female", "signorina": "female", "frau": "female",
    "fräulein": "female", "mistress": "female",
    "professor": None, "prof": None, "dr": None, "doctor": None, "comrade": None, "mx": None,
    "captain": "male", "capt": "male", "colonel": "male", "col": "male", "general": "male",
    "major": "male", "lieutenant": "male", "lieut": "male", "sergeant": "male",
    "admiral": "male", "commander": "male", "inspector": None, "constable": None,
    "count": "male", "countess": "female", "duke": "male", "duchess": "female",
    "baron": "male", "baroness": "female", "marquis": "male", "marchioness": "female",
    "prince": "male", "princess": "female", "king": "male", "queen": "female",
    "aunt": "female", "uncle": "male", "auntie": "female", "cousin": None,
    "father": "male", "mother": "female", "brother": "male", "sister": "female",
    "rev": "male", "reverend": "male", "saint": None, "st": None,
}

#: Words that look like names but are not characters.
NOT_CHARACTERS = {
    "god", "lord", "heaven", "heavens", "christ", "jesus", "lord god", "good lord", "oh lord",
    "gods", "providence", "hell", "devil", "satan", "chapter", "book", "volume", "part",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "christmas", "easter", "english", "french", "german", "italian",
    "spanish", "american", "england", "france", "london", "paris", "ok", "okay", "yes", "no",
    "oh", "ah", "hm", "hmm", "mr", "mrs", "miss", "sir", "madam", "ma'am", "dear", "darling",
    "i", "the", "a", "an", "and", "but", "ch", "a/n", "end", "fin", "thank", "thanks",
    "please", "hello", "hi", "goodbye", "bye", "mum", "mom", "dad", "mama", "papa", "mamma",
    "aye", "nay", "alas", "hush", "bah", "pooh", "hurrah", "amen", "sh", "shh", "ha", "haha",
    "chapter one", "prologue", "epilogue", "author", "note", "disclaimer", "summary",
}

#: Head words of place and building names (`Kellynch Hall`, `Tunbridge Wells`, `Windy Corner`).
PLACE_NOUNS = {
    "hall", "park", "street", "st", "drive", "lodge", "abbey", "wells", "corner", "castle",
    "house", "court", "place", "road", "square", "lane", "manor", "tower", "alley", "avenue",
    "gardens", "garden", "terrace", "crescent", "hill", "heights", "bridge", "church",
    "chapel", "cathedral", "priory", "grange", "farm", "cottage", "mill", "inn", "hotel",
    "station", "bay", "harbour", "harbor", "island", "isle", "river", "lake", "valley",
    "wood", "woods", "forest", "moor", "common", "green", "row", "gate", "gates", "cross",
    "market", "rectory", "vicarage", "parsonage", "college", "school", "hospital", "palace",
    "villa", "pension", "museum", "gallery", "theatre", "theater", "club", "mansions",
    "buildings", "hollow", "point", "head", "cliff", "cliffs", "mount", "mountain", "port",
    "town", "city", "county", "shire", "downs", "fields", "field", "way", "walk", "quay",
}

#: Verbs of speech whose subject is a speaker (a person, not a place or a boat).
SPEECH_VERBS = {
    "say", "ask", "reply", "cry", "answer", "exclaim", "whisper", "mutter", "shout",
    "observe", "remark", "rejoin", "interrupt", "repeat", "murmur", "declare", "inquire",
    "enquire", "explain", "suggest", "retort", "protest", "insist", "admit", "agree",
    "scream", "sigh", "laugh", "snap", "yell", "groan", "mumble", "stammer", "gasp", "demand",
    "respond", "tell", "argue", "announce", "beg", "warn", "assure", "speak", "think",
    "smile", "nod", "continue", "add", "return", "call",
}

_TITLE_ALTERNATIVES = "|".join(sorted((re.escape(t) for t in TITLES), key=len, reverse=True))
_TITLE_RE = re.compile(r"^(?:" + _TITLE_ALTERNATIVES + r")\.?$", re.IGNORECASE)


def is_title(word: str) -> bool:
    """True if the word is a title or honorific (`Mr.`, `Lady`, `Professor`)."""
    return bool(_TITLE_RE.match(word))


def title_gender(word: str) -> str | None:
    """The gender a title implies ("male"/"female"), or None."""
    return TITLES.get(word.lower().rstrip("."))


def normalize_name(name: str) -> str:
    """A name with whitespace collapsed, a possessive dropped and titles written `Mr.`."""
    name = re.sub(r"\s+", " ", name.strip())
    name = re.sub(r"(?:'s|\u2019s|'|\u2019)$", "", name)
    words = name.split(" ")
    out = []
    for i, word in enumerate(words):
        if i < len(words) - 1 and is_title(word):
            base = word.rstrip(".")
            if base.lower() in {"mr", "mrs", "ms", "dr", "st", "prof", "capt", "col", "lieut",
                                "rev", "mme", "mlle", "m"}:
                word = base + "."
        out.append(word)
    return " ".join(out)


@lru_cache(maxsize=1)
def first_names() -> dict[str, str | None]:
    """Given name -> "male"/"female" (None for a name borne by both), from `ficlens/data`."""
    text = resources.files("ficlens.data").joinpath("speaker_first_names.txt").read_text("utf-8")
    names: dict[str, str | None] = {}
    either: set[str] = set()
    for line in text.splitlines():
        if line.startswith("#") or ":" not in line:
            continue
        gender, _, rest = line.partition(":")
        gender = gender.strip()
        for name in rest.split():
            if gender == "either":
                either.add(name)
            else:
                names.setdefault(name, gender)
    names.update(dict.fromkeys(either))
    return names


#: Short forms of given names (nickname -> full names it can stand for).
NICKNAMES: dict[str, tuple[str, ...]] = {
    "lizzy": ("elizabeth",), "lizzie": ("elizabeth",), "liz": ("elizabeth",),
    "eliza": ("elizabeth",), "beth": ("elizabeth",), "betsy": ("elizabeth",),
    "bess": ("elizabeth",), "kitty": ("catherine", "katherine"), "kate": ("catherine", "katherine"),
    "katie": ("catherine", "katherine"), "cathy": ("catherine",), "bill": ("william",),
    "will": ("william",), "willy": ("william",), "billy": ("william",), "bob": ("robert",),
    "bobby": ("robert",), "rob": ("robert",), "robbie": ("robert",), "dick": ("richard",),
    "rick": ("richard",), "jim": ("james",), "jimmy": ("james",), "jamie": ("james",),
    "jack": ("john",), "johnny": ("john",), "tom": ("thomas",), "tommy": ("thomas",),
    "ted": ("edward", "theodore"), "teddy": ("edward", "theodore"), "ned": ("edward",),
    "ed": ("edward", "edmund"), "harry": ("henry", "harold"), "hal": ("henry",),
    "fred": ("frederick", "alfred"), "freddy": ("frederick",), "freddie": ("frederick",),
    "charlie": ("charles", "charlotte"), "chuck": ("charles",), "nick": ("nicholas",),
    "sam": ("samuel", "samantha"), "ben": ("benjamin",), "tony": ("anthony",),
    "andy": ("andrew",), "drew": ("andrew",), "alex": ("alexander", "alexandra"),
    "sandy": ("alexander", "alexandra"), "ron": ("ronald",), "ronnie": ("ronald",),
    "nev": ("neville",), "gin": ("ginevra",), "ginny": ("ginevra",), "mione": ("hermione",),
    "sev": ("severus",), "dray": ("draco",), "pete": ("peter",), "steve": ("stephen", "steven"),
    "mike": ("michael",), "matt": ("matthew",), "dan": ("daniel",), "danny": ("daniel",),
    "joe": ("joseph",), "joey": ("joseph",), "sue": ("susan",), "susie": ("susan",),
    "peggy": ("margaret",), "meg": ("margaret",), "maggie": ("margaret",), "polly": ("mary",),
    "molly": ("mary",), "mamie": ("mary",), "annie": ("anne", "ann", "anna"),
    "nancy": ("anne", "ann"), "nance": ("nancy", "anne"), "fanny": ("frances",), "frankie": ("francis", "frances"),
    "frank": ("francis", "franklin"), "nell": ("eleanor", "helen", "ellen"),
    "nelly": ("eleanor", "helen", "ellen"), "ellie": ("eleanor", "elinor", "ellen"),
    "jenny": ("jennifer", "jane"), "jen": ("jennifer",), "becky": ("rebecca",),
    "abby": ("abigail",), "patty": ("patricia", "martha"), "dolly": ("dorothy",),
    "dot": ("dorothy",), "tilly": ("matilda",), "tillie": ("matilda",), "lottie": ("charlotte",),
    "sophy": ("sophia",), "gussie": ("augusta", "augustus"), "gus": ("augustus",),
    "bertie": ("albert", "bertram", "herbert"), "archie": ("archibald",), "reggie": ("reginald",),
    "percy": ("percival",), "teddie": ("edward",), "val": ("valentine", "valerie"),
    "larry": ("lawrence", "laurence"), "vicky": ("victoria",), "tori": ("victoria",), "rosie": ("rose", "rosalind"),
    "jake": ("jacob",), "jem": ("james", "jeremiah"), "hank": ("henry",), "kit": ("christopher",),
    "chris": ("christopher", "christine"), "nat": ("nathaniel", "nathan"), "zach": ("zachary",),
    "josie": ("josephine",), "tessa": ("teresa",), "tess": ("teresa",), "bella": ("isabella",),
    "nan": ("anne", "ann"), "hetty": ("henrietta", "esther"), "lou": ("louisa", "louis"),
}
