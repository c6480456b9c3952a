"""The cast: every character, each with all the names they go by, a gender estimate and counts.

With a known cast (`story.cast`) every cast member becomes a character and only they are
resolved to. Without one, the cast is discovered from proper names in the parse (PROPN runs,
PERSON entities, titled names, speech-tag subjects, vocatives), non-characters are kept out
(exclamations, places, houses, plurals, common words) and name variants are clustered:
full name, title + surname, first name, surname, nicknames — never two different titles
(`Mr. Bennet` / `Mrs. Bennet`) or two different first names (`Jane` / `Elizabeth Bennet`).

Every name mention found goes into `story.mentions` (kind "name") with its character.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ficlens.model import Character, Mention, Story
from ficlens.stages.names import (
    NICKNAMES,
    NOT_CHARACTERS,
    PLACE_NOUNS,
    SPEECH_VERBS,
    first_names,
    is_title,
    normalize_name,
    title_gender,
)

_DETERMINERS = {"the", "a", "an"}
_PARTICLES = {"van", "der", "de", "la", "le", "von", "du", "des", "di", "da", "del", "den", "ten",
              "of"}
_MALE_PRONOUNS = {"he", "him", "his", "himself"}
_FEMALE_PRONOUNS = {"she", "her", "hers", "herself"}
_PRONOUN_RE = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
_PLACE_PREPS = {"in", "at", "from", "into", "near", "inside", "outside", "across", "through",
                "towards", "toward", "within", "around"}
_EXCLAIM_BEFORE = {"oh", "good", "by", "for", "thank", "dear", "my", "o", "great", "sweet", "ye"}
_GENDERED_CLASSES = {"mr", "mrs", "miss", "ms"}
_RANKS = {"sir", "lord", "captain", "capt", "colonel", "col", "admiral", "general", "major",
          "duke", "earl", "baron", "count", "prince", "king", "marquis"}
_TITLE_CLASS = {
    "mr": "mr", "mister": "mr", "monsieur": "mr", "m": "mr", "signor": "mr", "señor": "mr",
    "herr": "mr", "mrs": "mrs", "madame": "mrs", "mme": "mrs", "signora": "mrs", "frau": "mrs",
    "miss": "miss", "mademoiselle": "miss", "mlle": "miss", "signorina": "miss",
    "fräulein": "miss", "ms": "ms",
}


@dataclass
class _Entity:
    """A character being assembled: its name forms and how often each was seen."""

    forms: Counter = field(default_factory=Counter)
    core: tuple[str, ...] = ()
    title: str | None = None
    gender: str | None = None
    given: str | None = None  # the cast name, when the cast is known

    @property
    def first(self) -> str | None:
        return self.core[0] if len(self.core) >= 2 else None

    @property
    def last(self) -> str | None:
        return self.core[-1] if self.core else None


def build_cast(story: Story) -> Story:
    """Pipeline stage: fill `story.characters` and the name mentions in `story.mentions`."""
    if story.cast:
        entities = _entities_from_cast(story.cast)
        table = _alias_table(entities, derive=True)
    else:
        found = _discover_forms(story)
        priors = [normalize_name(n) for n in story.metadata.characters if n.strip()]
        entities, shared = _cluster(found, priors)
        table = _alias_table(entities, derive=True)
        for form, candidates in shared.items():
            table.setdefault(form, candidates)
    mentions = _find_mentions(story, table, entities)
    counts = Counter(ent_id for _, _, ent_id in mentions)
    if not story.cast:
        keep = {i for i, n in counts.items() if n > 0}
        mentions = [m for m in mentions if m[2] in keep]
    else:
        keep = set(range(len(entities)))
    genders = _pronoun_votes(story, mentions)
    order = sorted(keep, key=lambda i: (-counts.get(i, 0), i))
    ids = {old: f"C{new}" for new, old in enumerate(order)}
    characters = []
    for old in order:
        entity = entities[old]
        name = entity.given or _display_name(entity)
        aliases = sorted({form for form in entity.forms if form != name},
                         key=lambda f: (-entity.forms[f], f))
        characters.append(Character(
            id=ids[old], name=name, aliases=aliases,
            gender=_gender(entity, genders.get(old)),
            mentions=counts.get(old, 0), given=entity.given is not None,
        ))
    story.characters = characters
    story.mentions = [m for m in story.mentions if m.kind != "name"] + [
        Mention(start=s, end=e, text=story.text[s:e], kind="name", character=ids[i])
        for s, e, i in mentions
    ]
    story.mentions.sort(key=lambda m: m.start)
    return story


# --- a known cast ---------------------------------------------------------------------------

def _entities_from_cast(cast: dict[str, list[str]]) -> list[_Entity]:
    entities = []
    for name, aliases in cast.items():
        entity = _Entity(given=name)
        for form in [name, *aliases]:
            form = normalize_name(form)
            if form:
                entity.forms[form] += 0
        words = normalize_name(name).split(" ")
        titles = [w for w in words if is_title(w)]
        entity.title = titles[0] if titles else None
        entity.core = tuple(w for w in words if not is_title(w))
        entities.append(entity)
    return entities


# --- discovering names ----------------------------------------------------------------------

@dataclass
class _FormStats:
    """What the text says about one name form."""

    count: int = 0
    subject: int = 0  # subject of a verb in narration
    person: int = 0  # PERSON entity, possessive, title, vocative, speech-tag subject
    place: int = 0
    compound: int = 0
    exclaim: int = 0
    plural: int = 0
    sentence_initial: int = 0
    vocative: int = 0
    speech: int = 0  # subject of a verb of speech
    article: int = 0  # after "the"/"a": "the Curlew" (a boat), not a person


def _discover_forms(story: Story) -> dict[str, _FormStats]:
    """Candidate name forms found in the parse, with their evidence, filtered to characters."""
    stats: dict[str, _FormStats] = defaultdict(_FormStats)
    inside = _quote_mask(story)
    for paragraph in story.paragraphs:
        doc = paragraph.doc
        if doc is None:
            continue
        for start, end in _name_runs(doc, story.text[paragraph.start:paragraph.end]):
            if sum(not is_title(t.text) for t in doc[start:end]) >= 3 and _is_place_noun(doc[end - 1].text):
                end -= 1  # "Miss Lucy Honeychurch Drive(s out)": the name ends before it
            span = doc[start:end]
            form = _clean_form(span.text)
            if not form or not any(c.isalpha() for c in form):
                continue
            head = doc[end - 1]
            offset = paragraph.start + span.start_char
            in_quote = inside(offset)
            st = stats[form]
            st.count += 1
            before = doc[start - 1] if start > 0 else None
            after = doc[end] if end < len(doc) else None
            if doc[start].is_sent_start:
                st.sentence_initial += 1
            if head.dep_ in ("nsubj", "nsubjpass") and not in_quote:
                st.subject += 1
                if head.head.lemma_.lower() in SPEECH_VERBS:
                    st.speech += 1
            if before is not None and before.lower_ in _DETERMINERS:
                st.article += 1
            if (head.ent_type_ == "PERSON" or is_title(doc[start].text)
                    or (after is not None and after.text in ("'s", "\u2019s"))
                    or head.dep_ == "poss"):
                st.person += 1
            if in_quote and after is not None and after.text in (",", "!", "?", ".") and (
                    before is None or before.text in (",", '"', "\u201c", "'", "\u2018")
                    or before.is_punct):
                st.person += 1
                st.vocative += 1
            if head.ent_type_ in ("GPE", "LOC", "FAC", "ORG", "NORP") or (
                    before is not None and before.lower_ in _PLACE_PREPS):
                st.place += 1
            if head.dep_ == "compound" and head.head.pos_ == "NOUN":
                st.compound += 1
            if in_quote and ((after is not None and after.text == "!") or (
                    before is not None and before.lower_ in _EXCLAIM_BEFORE)):
                st.exclaim += 1
            if head.tag_ == "NNPS":
                st.plural += 1
    lower_counts = _lowercase_counts(story, {w for f in stats for w in f.split(" ")})
    _drop_sentence_openers(stats, lower_counts)
    kept = {form: st for form, st in stats.items() if _is_character_form(form, st, lower_counts)}
    # "Kellynch" of "Kellynch Hall": the name of a place, unless it speaks or is spoken to
    place_words = {f.split(" ")[0] for f in stats if " " in f and f not in kept
                   and _is_place_name(f.split(" "), f.split(" "))}
    kept = {form: st for form, st in kept.items()
            if not ((form in place_words or form.lower().endswith("shire"))
                    and st.speech == 0 and st.vocative == 0)}
    # "the Woodhouses", "the Weasleys": a family, not a character
    return {form: st for form, st in kept.items()
            if not (form.endswith("s") and " " not in form and form[:-1] in kept)}


def _drop_sentence_openers(stats: dict[str, _FormStats], lower_counts: Counter) -> None:
    """Fold a form whose first word is not part of the name into the name it precedes.

    `Hence Cecil`, `Lest Cecil`: a word also written lower-case that only ever opens a
    sentence before a much more frequent name (`Aline Lebrun` keeps her first name). `Thursday Tony`, `Luyden Newland`: an untitled run that ends in a given
    name (`Tony` of `Tony Last`) after a word that is not one, since surnames come last.
    """
    names = first_names()
    starters = Counter(f.split(" ")[0] for f, st in stats.items()
                       if " " in f and st.count >= 2 and not is_title(f.split(" ")[0]))

    def given(word: str) -> bool:
        return word in names or word.lower() in NICKNAMES or starters[word] > 0

    for form in list(stats):
        st = stats[form]
        words = form.split(" ")
        if len(words) < 2 or any(is_title(w) for w in words) or given(words[0]):
            continue
        rest = " ".join(words[1:])
        if st.sentence_initial >= st.count and rest in stats and lower_counts[words[0].lower()]:
            target = rest
        elif words[-1] in stats and given(words[-1]) and starters[form.split(" ")[0]] <= 1:
            target = words[-1]
        else:
            continue
        if stats[target].count < 2 * st.count:
            continue
        into = stats.pop(form)
        for name, value in vars(into).items():
            setattr(stats[target], name, getattr(stats[target], name) + value)


def _name_runs(doc, text: str) -> list[tuple[int, int]]:
    """Token ranges of proper-name runs (`Mr. Fitzwilliam Darcy`) and PERSON entities."""
    from spacy.parts_of_speech import NOUN, PROPN

    n = len(doc)
    if not n:
        return []
    arr = doc.to_array(["POS", "IDX", "LENGTH"])
    words = [text[arr[k, 1]:arr[k, 1] + arr[k, 2]] for k in range(n)]

    def namey(k: int) -> bool:
        word = words[k]
        if not word[:1].isupper() or not any(c.isalpha() for c in word):
            return False
        if len(word) > 1 and word.isupper() and not word.endswith("."):
            return False  # headings, shouting
        if is_title(word):
            return True
        return arr[k, 0] == PROPN and bool(_NAME_WORD.match(word))

    flags = [words[k][:1].isupper() and namey(k) for k in range(n)]
    runs = []
    i = 0
    while i < n:
        if flags[i]:
            j = i + 1
            while j < n and flags[j] and "\n\n" not in text[arr[j - 1, 1] + arr[j - 1, 2]:arr[j, 1]]:
                j += 1
            start, end = i, j
            while end > start and is_title(words[end - 1]):
                end -= 1
            if end > start:
                runs.append((start, end))
            i = j
        else:
            i += 1
    covered = {t for s, e in runs for t in range(s, e)}
    for k in range(n):
        # "Sev, help me": a capitalised vocative the tagger took for a common noun
        word = words[k]
        if (k not in covered and word[:1].isupper() and word.isalpha() and word[1:].islower()
                and arr[k, 0] in (NOUN, PROPN) and k + 1 < n and words[k + 1] == ","
                and (k == 0 or words[k - 1] in _QUOTE_MARKS)):
            runs.append((k, k + 1))
            covered.add(k)
    for ent in doc.ents:
        if ent.label_ == "PERSON" and not any(t in covered for t in range(ent.start, ent.end)):
            start, end = ent.start, ent.end
            while start < end and not words[start][:1].isupper():
                start += 1
            while end > start and not words[end - 1][:1].isupper():
                end -= 1
            if end > start:
                runs.append((start, end))
    return runs


_NAME_WORD = re.compile(r"^[^\W\d_]+(?:['\u2019-][^\W\d_]+)*$")
_QUOTE_MARKS = {'"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "``", "''"}


_LEADING_NOISE = {
    "dear", "poor", "old", "young", "little", "good", "my", "oh", "ah", "yes", "no", "well",
    "and", "but", "then", "now", "so", "said", "cried", "hey", "hello", "hi", "thank", "thanks",
    "sweet", "great", "big", "dearest", "darling", "lovely", "ok", "okay", "sorry", "please",
    "about", "after", "before", "with", "for", "to", "from", "by", "at", "in", "on", "as", "if",
    "when", "while", "upon", "of", "yet", "or", "nor", "though", "since", "until", "where",
    "why", "how", "what", "who", "ask", "tell", "let", "see", "tomorrow", "today",
}


def _clean_form(text: str) -> str:
    """A found name without leading interjections or adjectives (`Dear Miss Woodhouse`)."""
    words = normalize_name(text).split(" ")
    for k, word in enumerate(words):
        if k > 0 and is_title(word) and not is_title(words[k - 1]):
            words = words[k:]  # a title inside: what comes before is not part of the name
            break
    while len(words) > 1 and words[0].lower() in _LEADING_NOISE:
        words = words[1:]
    return " ".join(words)


def _quote_mask(story: Story):
    spans = sorted(span for quote in story.quotes for span in quote.spans)
    starts = [s for s, _ in spans]
    import bisect

    def inside(offset: int) -> bool:
        k = bisect.bisect_right(starts, offset) - 1
        return k >= 0 and spans[k][0] <= offset < spans[k][1]

    return inside


def _lowercase_counts(story: Story, words: set[str]) -> Counter:
    wanted = {w.lower() for w in words if w.isalpha()}
    counts: Counter = Counter()
    for paragraph in story.paragraphs:
        for word in re.findall(r"\b[a-z]+\b", story.text[paragraph.start:paragraph.end]):
            if word in wanted:
                counts[word] += 1
    return counts


def _is_character_form(form: str, st: _FormStats, lower_counts: Counter) -> bool:
    words = form.split(" ")
    core = [w for w in words if not is_title(w)]
    if not core or form.lower() in NOT_CHARACTERS or core[-1].lower() in NOT_CHARACTERS:
        return False
    known = core[0] in first_names()
    mid = st.count - st.sentence_initial
    if len(core) == 1 and not is_title(words[0]):
        word = core[0]
        if len(word.rstrip(".")) < 2:
            return False
        if lower_counts.get(word.lower(), 0) > 2 * max(mid, 0) + 1:
            return False  # a common word: "Will", "Hope", "Rose" at a sentence start
        if mid <= 0 and st.count < 3 and not known and not st.vocative:
            return False
    if st.plural > st.count / 2:
        return False  # Muggles, the Weasleys
    if _is_place_name(core, words) and not (len(core) == 1 and (st.speech or st.vocative)):
        return False
    if (not is_title(words[0]) and st.article >= 0.5 * st.count and st.speech == 0
            and st.vocative == 0):
        return False  # "the Curlew came round the shoal": a boat, a house, an inn
    if st.exclaim >= st.count / 2 and st.subject == 0:
        return False  # "Merlin!" as an exclamation
    addressed = st.vocative + st.speech >= max(2, 0.1 * st.count)
    if st.place >= 0.25 * st.count and st.place > st.person + st.subject and not addressed:
        return False  # a place, unless spoken to or speaking ("Newland", tagged a place)
    if st.compound >= 0.5 * st.count and st.person < 0.3 * st.count:
        return False  # "Slytherin common room"
    if st.count >= 2 and (st.person + st.subject) >= 1:
        return True
    if known or is_title(words[0]) or (len(core) >= 2 and st.person >= 1):
        return True  # a given name from the list, a full name with evidence of a person
    if st.person >= 1 and mid > 0:
        return True  # a vocative or possessive inside a sentence: a nickname, a minor name
    return st.count >= 3 or (st.subject >= 1 and len(core) >= 2)


def _is_place_noun(word: str) -> bool:
    """True for `Hall`, `Street`, `Corners`: a word that ends the names of places."""
    word = word.lower().rstrip(".")
    return word in PLACE_NOUNS or (word.endswith("s") and word[:-1] in PLACE_NOUNS)


def _is_place_name(core: list[str], words: list[str]) -> bool:
    """True for `Kellynch Hall`, `Tunbridge Wells`, `Windy Corner`, a bare `Street`.

    A place noun ends the name after a word that is not a given name (`Kellynch`);
    `Mr. Hall` and `Lois Lane` stay people.
    """
    if not _is_place_noun(core[-1]):
        return False
    if words[0].lower().rstrip(".") in ("st", "saint"):
        return True  # "St. James Street", "St. Mary Abbey"
    if len(core) < 2:
        return len(words) == 1  # a bare "Street", "Corners"; "Mr. Hall" is a person
    return core[0] not in first_names()


def _one_letter_apart(a: str, b: str) -> bool:
    """True when two words differ by one substituted letter (`Catharine` / `Catherine`)."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a.lower(), b.lower())) == 1


def _given_gender(word: str) -> str | None:
    """The gender of a given name, or of the names a nickname stands for (`Freddy`)."""
    names = first_names()
    if word in names:
        return names[word]
    genders = {names.get(full.capitalize()) for full in NICKNAMES.get(word.lower(), ())}
    genders.discard(None)
    return genders.pop() if len(genders) == 1 else None


def _title_class(title: str | None) -> str | None:
    if title is None:
        return None
    base = title.lower().rstrip(".")
    return _TITLE_CLASS.get(base, base)


def _cluster(found: dict[str, _FormStats],
             priors: list[str]) -> tuple[list[_Entity], dict[str, list[int]]]:
    """Group name forms into characters without merging people who share a surname.

    Returns the characters and the bare surnames shared by several of them (`Weston` for
    `Mr. Weston` and `Mrs. Weston`), which are resolved mention by mention.
    """
    names = first_names()
    forms: Counter = Counter({f: st.count for f, st in found.items()})
    for prior in priors:
        forms[prior] += 0

    def split(form: str) -> tuple[str | None, tuple[str, ...]]:
        words = form.split(" ")
        titles = [w for w in words if is_title(w)]
        core = tuple(w for w in words if not is_title(w))
        return (titles[0] if titles else None), core

    entities: list[_Entity] = []
    by_key: dict[tuple, int] = {}
    shared: dict[str, list[int]] = {}

    def gender_of(title: str | None, core: tuple[str, ...]) -> str | None:
        return title_gender(title) if title else (_given_gender(core[0]) if len(core) >= 2 else None)

    def compatible(entity: _Entity, title: str | None, gender: str | None) -> bool:
        if gender and entity.gender and gender != entity.gender:
            return False
        tc, ec = _title_class(title), _title_class(entity.title)
        if tc and ec and tc != ec and {tc, ec} <= _GENDERED_CLASSES:
            return False
        if {tc, ec} & {"mr"} and {tc, ec} & _RANKS:
            return False  # "Sir Walter Elliot" is not "Mr. Elliot": a rank replaces "Mr."
        # "Mrs. Vane" is rarely "Sibyl Vane": more often her mother ("Madame Olenska" is
        # "Ellen Olenska", though: only the English title says so much)
        return not ((title or "").lower().rstrip(".") == "mrs" and ec != "mrs"
                    and len(entity.core) >= 2)

    ordered = sorted(forms, key=lambda f: (-len(split(f)[1]), -forms[f], f))
    # 1. full names (two or more words besides titles): one character per distinct core+gender
    for form in ordered:
        title, core = split(form)
        if len(core) < 2:
            continue
        gender = gender_of(title, core)
        # "Tom Chitling" and "Tommy Chitling": one first name under two forms
        canon = NICKNAMES.get(core[0].lower(), (core[0].lower(),))[0]
        key = ((canon, *core[1:]), "mrs" if _title_class(title) == "mrs" else None)
        if key not in by_key and title and _given_gender(core[0]) is None and core[0] not in names:
            # "Princess Abdul Akbar" is "Jenny Abdul Akbar": a titled many-word surname that
            # ends exactly one longer full name
            longer = [i for i, e in enumerate(entities) if len(e.core) > len(core)
                      and e.core[-len(core):] == core and compatible(e, title, gender)]
            if len(longer) == 1:
                by_key[key] = longer[0]
        if key not in by_key and len(core[0]) >= 5:
            # "Catharine Alan" is "Catherine Alan": one letter apart, same surname and title
            for (other, other_class), i in list(by_key.items()):
                if (other_class == key[1] and other[1:] == key[0][1:]
                        and _one_letter_apart(other[0], canon) and compatible(entities[i], title, gender)):
                    by_key[key] = i
                    break
        if key not in by_key:
            # "Fitzwilliam Darcy" and "Mr. Fitzwilliam Darcy" are one; "Mrs. John Knightley" is not
            by_key[key] = len(entities)
            entities.append(_Entity(core=core, title=title, gender=gender))
        entity = entities[by_key[key]]
        entity.forms[form] += forms[form]
        if entity.title is None and title:
            entity.title, entity.gender = title, entity.gender or gender
    full = list(range(len(entities)))

    def weight(i: int) -> int:
        entity = entities[i]
        return sum(entity.forms.values()) + (forms.get(entity.first, 0) if entity.first else 0)

    def distinct(i: int, title: str | None, form: str) -> bool:
        # "Mr. John Knightley" named with his first name to tell him from "Mr. Knightley"
        entity = entities[i]
        titled = sum(n for f, n in entity.forms.items()
                     if len(f.split(" ")) >= 3 and _title_class(split(f)[0]) == _title_class(title))
        return titled >= 3 and forms[form] > 3 * weight(i)

    def pick(candidates: list[int], word: str | None = None) -> int | None:
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        if word is not None:
            # who is called by this word most: "Jane Fairfax" (90) over "Miss Jane Bates" (1)
            def uses(i: int) -> int:
                return sum(n for f, n in entities[i].forms.items() if word in split(f)[1])
            weights = sorted(((uses(i), i) for i in candidates), reverse=True)
        else:
            weights = sorted(((weight(i), i) for i in candidates), reverse=True)
        if weights[0][0] >= 3 * max(weights[1][0], 1):
            return weights[0][1]
        return None

    # 2. title + one word: joins the one full name it completes, else a character of its own
    for form in ordered:
        title, core = split(form)
        if len(core) != 1 or title is None:
            continue
        word, gender = core[0], title_gender(title)
        by_last = [i for i in full if entities[i].last == word
                   and compatible(entities[i], title, gender) and not distinct(i, title, form)]
        by_first = [i for i in full if entities[i].first == word and compatible(entities[i], title, gender)]
        pool = by_last or by_first
        same_title = [i for i in pool if _title_class(entities[i].title) == _title_class(title)]
        target = pick(same_title) if len(same_title) == 1 else pick(pool, word)
        if target is None:
            key = (core, _title_class(title))
            if key not in by_key:
                # "Doctor Losberne" is "Mr. Losberne"; "Mrs. Bennet" is not "Mr. Bennet"
                for (other_core, other_class), i in list(by_key.items()):
                    if (other_core == core and len(core) == 1 and other_class is not None
                            and not {other_class, _title_class(title)} <= _GENDERED_CLASSES
                            and compatible(entities[i], title, gender)):
                        by_key[key] = i
                        break
                else:
                    by_key[key] = len(entities)
                    entities.append(_Entity(core=core, title=title, gender=gender))
            target = by_key[key]
        entities[target].forms[form] += forms[form]
    # 3. a bare word: a first name, a surname or a nickname of one character, else its own
    for form in ordered:
        title, core = split(form)
        if len(core) != 1 or title is not None:
            continue
        word = core[0]
        lower = word.lower()
        # "Mrs. John Knightley" bears her husband's first name: it is not hers to lend
        own = [i for i, e in enumerate(entities) if _title_class(e.title) != "mrs"]
        by_first = [i for i in own if entities[i].first == word]
        if not by_first:
            by_first = [i for i in own if (e := entities[i]).first and (
                e.first.lower() in NICKNAMES.get(lower, ())
                or lower in NICKNAMES.get(e.first.lower(), ())
                or NICKNAMES.get(lower, (lower,))[0] == NICKNAMES.get(e.first.lower(), ("",))[0]
                or (len(word) >= 3 and e.first.startswith(word) and len(e.first) > len(word) + 1))]
        by_last = [i for i, e in enumerate(entities) if e.last == word and e not in
                   [entities[j] for j in by_first]]
        if by_first and all(entities[i].first == word for i in by_first):
            # "Archer": the surname of "Newland Archer" (used 450 times), not the first
            # name of a stray "Archer Madeira" (once): weigh both by use
            target = pick(by_first + by_last, word)
            if target is None:
                shared[form] = by_first + by_last  # resolved mention by mention
                continue
        else:
            target = pick(by_first, word) if by_first else None
        if target is None and not by_first:
            target = pick(by_last, word)
            if target is None and len(by_last) > 1:
                shared[form] = by_last
                continue
        if target is None:
            key = (core, None)
            if key not in by_key:
                by_key[key] = len(entities)
                entities.append(_Entity(core=core, gender=names.get(word)))
            target = by_key[key]
        entities[target].forms[form] += forms[form]
    return entities, shared


def _display_name(entity: _Entity) -> str:
    """The fullest, then most frequent, form of a character's name."""
    def rank(form: str) -> tuple:
        words = form.split(" ")
        core = [w for w in words if not is_title(w)]
        return (len(core) if entity.forms[form] else 0, entity.forms[form], form)

    return max(entity.forms, key=rank)


# --- finding mentions -----------------------------------------------------------------------

def _alias_table(entities: list[_Entity], derive: bool) -> dict[str, list[int]]:
    """Name form -> the characters it can name (more than one: resolved by recency)."""
    table: dict[str, list[int]] = defaultdict(list)
    for i, entity in enumerate(entities):
        for form in entity.forms:
            if i not in table[form]:
                table[form].append(i)
    if derive:
        # A cast that lists "Severus Snape" also means "Severus" and "Snape", when no one
        # else goes by that word.
        words_of: dict[str, set[int]] = defaultdict(set)
        for i, entity in enumerate(entities):
            for form in entity.forms:
                for word in form.split(" "):
                    words_of[word].add(i)
        for i, entity in enumerate(entities):
            for form in list(entity.forms):
                core = [w for w in form.split(" ") if not is_title(w)]
                if len(core) < 2 or core[0].lower() in _DETERMINERS:
                    continue
                for word in (core[0], core[-1]):
                    if (words_of[word] == {i} and word not in table and len(word) > 1
                            and word.lower() not in NOT_CHARACTERS and word[0].isupper()):
                        table[word].append(i)
                        entity.forms[word] += 0
    return dict(table)


def _form_pattern(form: str) -> str:
    words = form.split(" ")
    parts = []
    for k, word in enumerate(words):
        if is_title(word) and word.endswith("."):
            parts.append(re.escape(word[:-1]) + r"\.?")
        elif k == 0 and word.lower() in _DETERMINERS:
            parts.append("(?i:" + re.escape(word) + ")")
        elif word.endswith("."):
            parts.append(re.escape(word[:-1]) + r"\.?")
        elif k > 0 and word.lower() in _PARTICLES:
            parts.append("(?i:" + re.escape(word) + ")")
        else:
            parts.append(re.escape(word))
    pattern = r"\s+".join(parts)
    if words[0].lower() in _DETERMINERS:
        pattern = "(?i:" + pattern + ")"
    return pattern


def _find_mentions(story: Story, table: dict[str, list[int]],
                   entities: list[_Entity]) -> list[tuple[int, int, int]]:
    """(start, end, entity index) of every name mention in the chapters, in text order."""
    if not table:
        return []
    keys = sorted(table, key=len, reverse=True)
    regex = re.compile(r"(?<![\w.])(?:" + "|".join(_form_pattern(k) for k in keys) + r")(?!\w)")
    lookup = {_match_key(k): v for k, v in table.items()}
    prominence = Counter()
    mentions: list[tuple[int, int, int]] = []
    last_seen: dict[int, int] = {}
    found = []
    for paragraph in story.paragraphs:
        segment = story.text[paragraph.start:paragraph.end]
        for match in regex.finditer(segment):
            start, end = paragraph.start + match.start(), paragraph.start + match.end()
            candidates = lookup.get(_match_key(match.group()))
            if not candidates:
                continue
            found.append((start, end, candidates))
            if len(candidates) == 1:
                prominence[candidates[0]] += 1
    for start, end, candidates in found:
        if len(candidates) == 1:
            chosen = candidates[0]
        else:
            recent = [(last_seen.get(c, -10**9), prominence[c], c) for c in candidates]
            best = max(recent)
            chosen = best[2] if start - best[0] < 3000 else max(
                candidates, key=lambda c: prominence[c])
        last_seen[chosen] = start
        mentions.append((start, end, chosen))
    return mentions


def _match_key(text: str) -> str:
    words = re.sub(r"\s+", " ", text.strip()).split(" ")
    out = []
    for k, word in enumerate(words):
        if k == 0 and word.lower() in _DETERMINERS:
            out.append(word.lower())
            continue
        if k > 0 and word.lower() in _PARTICLES:
            out.append(word.lower())
        elif is_title(word) and not word.endswith(".") and k < len(words) - 1:
            out.append(normalize_name(word + " x").split(" ")[0])
        else:
            out.append(word)
    key = " ".join(out)
    if out and out[0] in _DETERMINERS:
        key = key.lower()
    return key


# --- gender ---------------------------------------------------------------------------------

def _pronoun_votes(story: Story, mentions: list[tuple[int, int, int]]) -> dict[int, Counter]:
    """Per character, the genders of the pronouns that follow sentences naming only them."""
    import bisect

    votes: dict[int, Counter] = defaultdict(Counter)
    starts = [m[0] for m in mentions]
    inside = _quote_mask(story)
    for paragraph in story.paragraphs:
        doc = paragraph.doc
        if doc is None:
            continue
        sents = list(doc.sents)
        for k, sent in enumerate(sents):
            s0, s1 = paragraph.start + sent.start_char, paragraph.start + sent.end_char
            lo, hi = bisect.bisect_left(starts, s0), bisect.bisect_left(starts, s1)
            named = {mentions[j][2] for j in range(lo, hi) if not inside(mentions[j][0])}
            if len(named) != 1:
                continue
            genders = set()
            stop = paragraph.start + (sents[k + 1].end_char if k + 1 < len(sents) else sent.end_char)
            for match in _PRONOUN_RE.finditer(story.text, s0, stop):
                if not inside(match.start()):
                    genders.add("male" if match.group().lower() in _MALE_PRONOUNS else "female")
            if len(genders) == 1:
                votes[named.pop()][genders.pop()] += 1
    return votes


def _gender(entity: _Entity, votes: Counter | None) -> str | None:
    """Titles first, then the pronouns that refer to the character, then given-name lists."""
    title_votes = Counter()
    for form, n in entity.forms.items():
        for word in form.split(" "):
            g = title_gender(word) if is_title(word) else None
            if g:
                title_votes[g] += n + 1
    if len(title_votes) == 1:
        return next(iter(title_votes))
    if votes:
        (top, n), *rest = votes.most_common()
        second = rest[0][1] if rest else 0
        if n >= 2 and n >= 2 * second:
            return top
    for form in sorted(entity.forms, key=lambda f: -entity.forms[f]):
        core = [w for w in form.split(" ") if not is_title(w)]
        if core and (given := _given_gender(core[0])):
            return given
    if votes:
        top, n = votes.most_common(1)[0]
        if n > sum(votes.values()) - n:
            return top
    return None
