"""The cast: every character, each with all the names they go by, a gender estimate and counts.

With a known cast (`story.cast`) every cast member becomes a character and only they are
resolved to. Without one, the cast is discovered from proper names in the parse (PROPN runs,
PERSON entities, titled names, speech-tag subjects, vocatives), non-characters are kept out
(exclamations, places, houses, plurals, common words) and name variants are clustered:
full name, title + surname, first name, surname, nicknames — never two different titles
(`Mr. Bennet` / `Mrs. Bennet`) or two different first names (`Jane` / `Elizabeth Bennet`).
Names no rule links are joined by what the text shows: a name called in a quotation and
answered by a tagged speaker (`Harry` / `Lord Henry`), a role in apposition (`the
Collector, Mr. Turton`), a name given as another's alias (`Claypole, otherwise Bolter`),
a character known by a rank who says who they are (`"I am Inspector Ratcliffe," he said`
after `said the Marquis`); two tagged speakers who answer each other stay two people. A
rank that speaks with no name (`said the King`, `cried the duchess`) is a character, or
the one already found under that word; a rank only one character bears names them alone
(`the general`). A known cast is also found where the text spells
it otherwise: in another case, without accents, by a shared given name, by a description's
head noun (`the magistrate` for `The Magistrate With Spectacles`).

Every name mention found goes into `story.mentions` (kind "name") with its character.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Container
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
#: Military and noble ranks: two different ones are two people (`General` / `Captain Tilney`).
_SERVICE_RANKS = {"captain", "colonel", "general", "admiral", "major", "lieutenant", "sergeant",
                  "commander", "duke", "earl", "baron", "count", "marquis", "prince", "king"}
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
    lone: set[str] = set()
    if story.cast:
        entities = _entities_from_cast(story.cast)
        table = _alias_table(entities, derive=True)
        lone = _cast_variants(entities, table)
    else:
        events: list[tuple[int, str, str]] = []
        found = _discover_forms(story, events)
        priors = [normalize_name(n) for n in story.metadata.characters if n.strip()]
        ranks = _rank_tags(story, events)
        # a rank that speaks answers to names as a name does (`Gladys` / `said the Duchess`)
        pairs = _reply_pairs(story, events, {**{w.capitalize(): _FormStats(count=n, speech=n)
                                                for w, n in ranks.items()}, **found})
        pairs.update(_alias_statements(story, found))
        pairs.update(_self_introductions(story, events, found, ranks))
        entities, shared = _cluster(found, priors, pairs)
        entities += _speaking_ranks(story, entities, ranks)
        entities = _join_by_replies(entities, shared, pairs)
        entities = _drop_lone_openers(entities, shared, found, set(priors))
        table = _alias_table(entities, derive=True)
        for form, candidates in shared.items():
            table.setdefault(form, candidates)
        lone = _lone_titles(entities, table)
    mentions = _find_mentions(story, table, entities, loose=bool(story.cast), lone=lone)
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
    opening_vocative: int = 0  # a vocative opening a sentence of speech (`"Oi, Malfoy."`)
    speech: int = 0  # subject of a verb of speech
    article: int = 0  # after "the"/"a": "the Curlew" (a boat), not a person
    short_for: str = ""  # the name this word opens when not alone ("the Artful [Dodger]")


def _discover_forms(story: Story, events: list | None = None) -> dict[str, _FormStats]:
    """Candidate name forms found in the parse, with their evidence, filtered to characters.

    `events`, when given, receives `(offset, form, "voc"|"tag")` for every vocative and
    every speech-tag subject (`said Cecil`) among them, in text order, and `(offset, form,
    "=" + other form)` for a name in apposition to another (`the Collector, Mr. Turton`).
    """
    stats: dict[str, _FormStats] = defaultdict(_FormStats)
    inside = _quote_mask(story)
    for paragraph in story.paragraphs:
        doc = paragraph.doc
        if doc is None:
            continue
        heads: dict[int, str] = {}  # head token of each name run -> its form
        for start, end in _name_runs(doc, story.text[paragraph.start:paragraph.end]):
            if sum(not is_title(t.text) for t in doc[start:end]) >= 3 and _is_place_noun(doc[end - 1].text):
                end -= 1  # "Miss Lucy Honeychurch Drive(s out)": the name ends before it
            span = doc[start:end]
            form = _clean_form(span.text)
            if not form or not _FORM_RE.match(form):
                continue  # "Knightley!--How": a tokeniser slip, not a name
            head = doc[end - 1]
            offset = paragraph.start + span.start_char
            in_quote = inside(offset)
            heads[head.i] = form
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
                    if events is not None and head.dep_ == "nsubj":
                        events.append((offset, form, "tag"))
            elif not in_quote and _inverted_tag_subject(head):
                st.subject += 1
                st.speech += 1
                if events is not None:
                    events.append((offset, form, "tag"))
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
                if doc[start].is_sent_start or before is None or before.text in _QUOTE_MARKS:
                    st.opening_vocative += 1
                if events is not None:
                    events.append((offset, form, "voc"))
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
        if events is not None:
            for i, form in heads.items():
                token = doc[i]
                other = heads.get(token.head.i)
                if token.dep_ == "appos" and other and other != form and not inside(
                        paragraph.start + token.idx):
                    events.append((paragraph.start + token.idx, form, "=" + other))

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
    kept = {form: st for form, st in kept.items()
            if not (form.endswith("s") and " " not in form and form[:-1] in kept)}
    _add_unparsed_full_names(story, kept)
    _mark_short_forms(stats, kept)
    return kept


def _mark_short_forms(stats: dict[str, _FormStats], kept: dict[str, _FormStats]) -> None:
    """Mark a word used alone that is also the first word of a two-word name kept out, whose
    second word is a name (`the Artful`, `the Artful Dodger`, `the Dodger`): its short form.

    Given names and titles are not: those join a full name by the usual rules."""
    names = first_names()
    for form, st in kept.items():
        if " " in form or is_title(form) or form in names:
            continue
        longer = [f for f, other in stats.items() if f.startswith(form + " ") and f.count(" ") == 1
                  and f not in kept and other.count >= 2 and f.split(" ")[1] in kept]
        if len(longer) == 1:
            st.short_for = longer[0].split(" ")[1]


def _inverted_tag_subject(token) -> bool:
    """True for the speaker of an inverted speech tag the parser took for an object
    (`"Why?" cried the duchess`): a verb of speech right after a quotation's closing mark,
    then the noun phrase this token heads."""
    verb = token.head
    if token.dep_ != "dobj" or verb.lemma_.lower() not in SPEECH_VERBS or verb.i >= token.i:
        return False
    before = verb.doc[verb.i - 1] if verb.i > 0 else None
    return before is not None and (before.is_quote or before.text in _QUOTE_MARKS) and all(
        t.dep_ in ("det", "compound", "amod", "poss") or t.text[:1].isupper()
        for t in verb.doc[verb.i + 1:token.i])


def _add_unparsed_full_names(story: Story, kept: dict[str, _FormStats]) -> None:
    """Add `Cyril Fielding` when a known given name stands right before a known surname.

    The tagger sometimes misses a full name (`Fielding` read as a verb), and it may be the
    only place the text joins a given name used alone to a surname used with a title.
    Chapter headings count too (`Chapter VI: The Reverend Arthur Beebe`).
    """
    names = first_names()
    givens = sorted({f.split(" ")[-1] for f in kept if f.count(" ") <= 1 and f.split(" ")[-1] in names
                     and (" " not in f or is_title(f.split(" ")[0]))})
    surnames = sorted({f.split(" ")[1] for f in kept
                       if f.count(" ") == 1 and is_title(f.split(" ")[0])
                       and f.split(" ")[1] not in names and len(f.split(" ")[1]) > 1})
    if not givens or not surnames:
        return
    regex = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, givens)) + r") ("
                       + "|".join(map(re.escape, surnames)) + r")(?![\w'\u2019-])")
    seen: Counter = Counter()
    for m in regex.finditer(story.text):
        form = f"{m.group(1)} {m.group(2)}"
        before = re.search(r"(\S+)\s+$", story.text[max(0, m.start() - 16):m.start()])
        if before is None or normalize_name(f"{before.group(1)} {form}") not in kept:
            seen[form] += 1  # (inside "Mr. John Knightley", a form found already, it is not)
    for form, n in seen.items():
        if form not in kept:
            kept[form] = _FormStats(count=n, person=n)


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
        head = " ".join(words[:-1])
        if (len(words) >= 2 and not is_title(words[-1]) and words[-1] not in names
                and head in stats and stats[head].count >= 5 * st.count
                and lower_counts[words[-1].lower()] >= 5):
            # "Mr. Fielding High(er up)": a common word stuck after a frequent name
            into = stats.pop(form)
            for name, value in vars(into).items():
                setattr(stats[head], name, getattr(stats[head], name) + value)
            continue
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
_FORM_RE = re.compile(r"^[^\W\d_]+\.?(?:['\u2019-][^\W\d_]+\.?)*(?: [^\W\d_]+\.?(?:['\u2019-][^\W\d_]+\.?)*)*$")
_QUOTE_MARKS = {'"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "``", "''"}


_LEADING_NOISE = {
    "dear", "poor", "old", "young", "little", "good", "my", "oh", "ah", "yes", "no", "well",
    "and", "but", "then", "now", "so", "said", "cried", "hey", "hello", "hi", "thank", "thanks",
    "sweet", "great", "big", "dearest", "darling", "lovely", "ok", "okay", "sorry", "please",
    "about", "after", "before", "with", "for", "to", "from", "by", "at", "in", "on", "as", "if",
    "when", "while", "upon", "of", "yet", "or", "nor", "though", "since", "until", "where",
    "why", "how", "what", "who", "ask", "tell", "let", "see", "tomorrow", "today",
    "meanwhile", "suddenly", "perhaps", "presently", "afterwards", "instead", "still", "indeed",
    "besides", "however", "nevertheless", "later", "soon", "once", "meantime", "evidently",
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
    if any(len(w.rstrip(".")) > 1 and w.isupper() for w in core):
        return False  # a chapter heading ("OLIVER MINGLES WITH ..."), a signature in capitals
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


def _cluster(found: dict[str, _FormStats], priors: list[str],
             pairs: Counter | None = None) -> tuple[list[_Entity], dict[str, list[int]]]:
    """Group name forms into characters without merging people who share a surname.

    `pairs` (from `_reply_pairs`) tells who talks to whom: `Mr. Morland` who answers
    `James Morland` in turn is his father, not him.

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

    wives = _married_surnames(forms)

    def compatible(entity: _Entity, title: str | None, gender: str | None) -> bool:
        if gender and entity.gender and gender != entity.gender:
            return False
        tc, ec = _title_class(title), _title_class(entity.title)
        if tc and ec and tc != ec and {tc, ec} <= _GENDERED_CLASSES:
            return False
        if {tc, ec} & {"mr"} and {tc, ec} & _RANKS:
            return False  # "Sir Walter Elliot" is not "Mr. Elliot": a rank replaces "Mr."
        ra, rb = (_TITLE_SPELLED.get(c, c).lower() if c else c for c in (tc, ec))
        if ra != rb and {ra, rb} <= _SERVICE_RANKS:
            return False  # "General Tilney" is not "Captain Frederick Tilney", his son
        # "Mrs. Vane" is rarely "Sibyl Vane": more often her mother ("Madame Olenska" is
        # "Ellen Olenska", though: only the English title says so much) -- unless she is
        # the only woman of that surname given a first name and no "Miss Vane" is named
        return not ((title or "").lower().rstrip(".") == "mrs" and ec != "mrs"
                    and len(entity.core) >= 2 and wives.get(entity.core[-1]) != entity.core)

    ordered = sorted(forms, key=lambda f: (-len(split(f)[1]), -forms[f], f))
    # 1. full names (two or more words besides titles): one character per distinct core+gender
    for form in ordered:
        title, core = split(form)
        if len(core) < 2:
            continue
        gender = gender_of(title, core)
        # "Tom Chitling" and "Tommy Chitling": one first name under two forms
        canon = NICKNAMES.get(core[0].lower(), (core[0].lower(),))[0]
        # "Mrs. John Knightley" is not "John Knightley"; "Mrs. Rachel Lynde" is "Rachel Lynde"
        wife = _title_class(title) == "mrs" and _given_gender(core[0]) != "female"
        key = ((canon, *core[1:]), "mrs" if wife else None)
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
        # ... and calls him by it ("John", "Mr. John"); "Mr. Thomas Marvel" is "Mr. Marvel",
        # and a wife's own given name tells no sisters apart ("Mrs. Rachel Lynde")
        first = entity.first or ""
        if _title_class(title) == "mrs" and _given_gender(first) == "female":
            return False
        if _title_class(title) == "miss" and first and 2 * forms[form] > weight(i) and sum(
                n for f, n in forms.items() if f.count(" ") == 1 and f.endswith(" " + first)
                and _title_class(f.split(" ")[0]) == "miss") >= 2:
            # "Miss Jemima" is so called to tell her from her elder sister, "Miss Pinkerton",
            # named about as often as she is ("Miss Rose" Maylie, a servant's way, is not)
            return True
        called = forms.get(first, 0) + sum(n for f, n in forms.items()
                                           if f.endswith(" " + first) and is_title(f.split(" ")[0]))
        return titled >= 3 and called >= 3 and forms[form] > 3 * weight(i)

    talks: dict[str, Counter] = defaultdict(Counter)
    for key, n in (pairs or {}).items():
        if key[0] == "":
            talks[key[1]][key[2]] += n
            talks[key[2]][key[1]] += n

    def talking(i: int, form: str) -> bool:
        # two tagged speakers answering each other twice or more are two people
        entity = entities[i]
        return sum(talks[form][f] for f in [*entity.forms, entity.first or ""]) >= 2

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
                   and compatible(entities[i], title, gender) and not distinct(i, title, form)
                   and not talking(i, form)]
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
        own = [i for i, e in enumerate(entities) if _title_class(e.title) != "mrs"
               or (e.first is not None and _given_gender(e.first) == "female")]
        by_first = [i for i in own if entities[i].first == word]
        if not by_first:
            by_first = [i for i in own if (e := entities[i]).first and (
                e.first.lower() in NICKNAMES.get(lower, ())
                or lower in NICKNAMES.get(e.first.lower(), ())
                or NICKNAMES.get(lower, (lower,))[0] == NICKNAMES.get(e.first.lower(), ("",))[0]
                or _shortened(word, e.first))]
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
        if target is None and not by_first and not by_last:
            # "Nance" for the "Nancy" seen three times as often, neither with a surname
            short = [i for i, e in enumerate(entities) if len(e.core) == 1
                     and (_nickname_of(word, e.core[0]) or _nickname_of(e.core[0], word)
                          # `Cas` for `Castiel`, not `Corn` for `Mrs. Corney`'s surname
                          or e.title is None and _shortened(word, e.core[0]))
                     and sum(e.forms.values()) >= 3 * forms[form]]
            target = short[0] if len(short) == 1 else None
        short_for = found[form].short_for if form in found else ""
        if target is None and short_for:
            # "the Artful": a short form of "the Artful Dodger", so of whoever is "the Dodger"
            owners = [i for i, e in enumerate(entities) if short_for in e.forms]
            target = owners[0] if len(owners) == 1 else None
        if target is None:
            key = (core, None)
            if key not in by_key:
                by_key[key] = len(entities)
                entities.append(_Entity(core=core, gender=names.get(word)))
            target = by_key[key]
        entities[target].forms[form] += forms[form]
    return entities, shared


def _married_surnames(forms: Counter) -> dict[str, tuple[str, ...]]:
    """Surname -> the core of the one woman a bare `Mrs. Surname` can be (`Edna Pontellier`).

    Only when exactly one full name of that surname has a woman's given name, at most one
    a man's, no `Miss Surname` is named, and `Mrs. Surname` is a name in use (5 times or
    more, not a relative named in passing): an unmarried daughter ("Miss Vane" for Sibyl
    Vane) makes `Mrs. Vane` her mother, and two men of the name two possible husbands.
    """
    women: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    men: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    unmarried: set[str] = set()
    used: Counter = Counter()
    for form, n in forms.items():
        words = form.split(" ")
        core = tuple(w for w in words if not is_title(w))
        if not core:
            continue
        if len(core) >= 2 and _given_gender(core[0]) == "female":
            women[core[-1]].add(core)
        elif len(core) >= 2 and _given_gender(core[0]) == "male":
            men[core[-1]].add(core)
        if any(_title_class(w) == "miss" for w in words if is_title(w)):
            unmarried.add(core[-1])
        if len(core) == 1 and any(_title_class(w) == "mrs" for w in words if is_title(w)):
            used[core[0]] += n
    return {last: next(iter(cores)) for last, cores in women.items()
            if len(cores) == 1 and len(men[last]) <= 1 and last not in unmarried
            and used[last] >= 5}


def _reply_pairs(story: Story, events: list[tuple[int, str, str]],
                 kept: dict[str, _FormStats]) -> Counter:
    """(vocative form, form of who answered) over the story's quotations.

    A quotation whose speech tag names its speaker and which calls someone by a name
    (`"Are you off, Mr. Vyse?" asked Mr. Beebe`) is answered, or was prompted, by the
    quotation next to it: when that one's tag names someone else (`Cecil said`), the name
    called is likely theirs. Only tags of one name per quotation count, and only names
    also used outside a vocative or known as names (not `"Stop, ..."`). Two names that
    are the tagged speakers of neighbouring quotations of two paragraphs talk to each
    other: those come back under the key `("", a, b)`, counted; a role set beside a
    name (`the Collector, Mr. Turton`) under `("=", role, name)`.
    """
    quotes = story.quotes
    starts = [q.start for q in quotes]
    tags = _tags_by_quote(quotes, events, kept)
    vocatives: dict[int, set[str]] = defaultdict(set)
    pairs: Counter = Counter()
    for offset, form, kind in events:
        if kind.startswith("=") and form not in kept and form.split(" ")[-1] in kept:
            form = form.split(" ")[-1]  # "the District Superintendent": the role `Superintendent`
        if form not in kept:
            continue
        if kind.startswith("="):
            other = kind[1:]
            if other in kept:
                role, name = (form, other) if _is_role(form, kept[form]) else (other, form)
                if _is_role(role, kept[role]) and not _is_role(name, kept[name]):
                    pairs[("=", role, name)] += 1
            continue
        if kind == "voc":
            k = bisect.bisect_right(starts, offset) - 1
            if k >= 0 and any(s <= offset < e for s, e in quotes[k].spans):
                vocatives[k].add(form)
    for k, own in tags.items():
        other = tags.get(k + 1, set())
        if (len(own) == 1 and len(other) == 1 and own != other
                and quotes[k].paragraph != quotes[k + 1].paragraph):
            pairs[("", *sorted((*own, *other)))] += 1
    for k, called in vocatives.items():
        own = tags.get(k, set())
        if len(own) != 1:
            continue
        for j in (k - 1, k + 1):
            other = tags.get(j, set())
            if len(other) != 1 or other == own:
                continue
            (answer,) = other
            for form in called - own - other:
                st = kept[form]
                if (st.count > st.vocative + st.exclaim or is_title(form.split(" ")[0])
                        or form in first_names()):
                    pairs[(form, answer)] += 1
    return pairs


#: Words that give a second name of the same person (`Claypole, otherwise Bolter`).
_ALIAS_WORDS = r"(?:otherwise|alias|late|formerly|n[eé]e?|also called|known as)"


def _alias_statements(story: Story, kept: dict[str, _FormStats]) -> Counter:
    """`("~", a, b)` for each time the text names one person twice with a word of alias
    between (`Noah Claypole, alias Morris Bolter`, `Bolter, late Claypole`): counted."""
    forms = sorted((f for f in kept if f[:1].isupper()), key=len, reverse=True)
    if not forms:
        return Counter()
    name = "(" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms) + ")"
    regex = re.compile(r"(?<![\w.])" + name + r",\s+" + _ALIAS_WORDS + r"\s+" + name + "(?![\\w'\u2019])")
    found: Counter = Counter()
    for match in regex.finditer(story.text):
        a, b = (re.sub(r"\s+", " ", g) for g in match.groups())
        if a != b:
            found[("~", a, b)] += 1
    return found


_INTRODUCTION = re.compile(r"(?:^|[.!?;]\s+)(?:I am|I'm|I\u2019m|My name is|my name is)\s+$")
_PRONOUN_TAG_AFTER = re.compile(r"^[\s,]*(he|she)\s+[a-z]+", re.IGNORECASE)
_PRONOUN_TAG_BEFORE = re.compile(r"\b(he|she)\s+[a-z]+[,:]?\s*$", re.IGNORECASE)


def _self_introductions(story: Story, events: list[tuple[int, str, str]],
                        kept: dict[str, _FormStats], ranks: Counter) -> Counter:
    """`("~", rank, name)` for a character known only by a rank or role who says who they
    are (`"I am Inspector Ratcliffe," he said` after `said the Marquis`).

    The speaker is the quotation's own tag, or, for `he said`/`she said`, the tagged speaker
    of the nearest quotation before it that has one, within 1,500 characters and of that
    sex. Only a speaker with no name of their own counts: between two names an
    introduction tells nothing new."""
    names = sorted((f for f, st in kept.items() if f[:1].isupper() and not _is_role(f, st)
                    and f.lower() not in ranks), key=len, reverse=True)
    quotes = story.quotes
    tags = _tags_by_quote(quotes, events)
    if not names or not tags:
        return Counter()
    name_re = re.compile("(" + "|".join(re.escape(f) for f in names) + r")(?=\s*[,.!?;:\u2014-]|\s*$)")
    found: Counter = Counter()
    for qi, quote in enumerate(quotes):
        for start, end in quote.spans:
            text = story.text[start:end].strip("\"'\u201c\u201d\u2018\u2019 ")
            for match in name_re.finditer(text):
                if not _INTRODUCTION.search(text[:match.start()]):
                    continue
                speaker = _introduced_speaker(story, qi, tags)
                if speaker is None:
                    continue
                form, pronoun = speaker
                if not (form.lower() in ranks or (form in kept and _is_role(form, kept[form]))):
                    continue
                gender = title_gender(form) if is_title(form) else None
                if pronoun and gender and gender != ("male" if pronoun == "he" else "female"):
                    continue
                found[("~", form, match.group(1))] += 1
    return found


def _introduced_speaker(story: Story, qi: int, tags: dict[int, set[str]]
                        ) -> tuple[str, str | None] | None:
    """The speaker of quotation `qi` by its own tag (form, None), or, when its tag is
    `he`/`she`, by the tag of the nearest quotation before it that has one (form, pronoun)."""
    quotes = story.quotes
    quote = quotes[qi]
    own = tags.get(qi, set())
    if own:
        return (next(iter(own)), None) if len(own) == 1 else None
    before = story.text[max(0, quote.start - 40):quote.start]
    pronoun = _PRONOUN_TAG_BEFORE.search(before) or next(
        (m for _, end in quote.spans if (m := _PRONOUN_TAG_AFTER.match(story.text[end:end + 40]))), None)
    if pronoun is None:
        return None
    for k in range(qi - 1, -1, -1):
        if quote.start - quotes[k].end > 1500:
            return None
        if tags.get(k):
            previous = tags[k]
            return (next(iter(previous)), pronoun.group(1).lower()) if len(previous) == 1 else None
    return None


def _is_role(form: str, st: _FormStats) -> bool:
    """True for a capitalised description used with "the" (`the Collector`), not a name."""
    return " " not in form and not is_title(form) and st.article >= 0.5 * st.count


def _tags_by_quote(quotes: list, events: list[tuple[int, str, str]],
                   only: Container[str] | None = None) -> dict[int, set[str]]:
    """The name forms of the speech tags (`tag` events) each quotation owns, by its index;
    with `only`, just the forms in it."""
    starts = [q.start for q in quotes]
    tags: dict[int, set[str]] = defaultdict(set)
    for offset, form, kind in events:
        if kind != "tag" or (only is not None and form not in only):
            continue
        if (j := _tag_owner(quotes, starts, offset)) is not None:
            tags[j].add(form)
    return tags


def _tag_owner(quotes: list, starts: list[int], offset: int) -> int | None:
    """The quotation a speech tag at `offset` belongs to: the nearer of the one before and
    the one after it, if within 200 characters."""
    k = bisect.bisect_right(starts, offset) - 1
    near = [j for j in (k, k + 1) if 0 <= j < len(quotes) and abs(_gap(quotes[j], offset)) < 200]
    return min(near, key=lambda j: abs(_gap(quotes[j], offset))) if near else None


def _gap(quote, offset: int) -> int:
    """Characters between a quotation and an offset outside it (0 inside)."""
    if offset < quote.start:
        return quote.start - offset
    return max(0, offset - quote.end)


def _join_by_replies(entities: list[_Entity], shared: dict[str, list[int]],
                     pairs: Counter) -> list[_Entity]:
    """Join a character called by a name to the one who answers to it (`Cecil` = `Mr. Vyse`).

    Joined when at least two answers and 60% of all the answers to that name (or three
    and three times as many as from anyone else) come from one character, they are not
    seen answering each other, and nothing else tells them apart: a known gender, a title
    of the other sex, two different full names, given names or surnames. A role set in
    apposition beside one name only (`the Collector, Mr. Turton`) is joined to it too.
    """
    owner: dict[str, int] = {}
    for i, entity in enumerate(entities):
        for form in entity.forms:
            owner.setdefault(form, i)
    for form in shared:
        owner.pop(form, None)
    by_entity: Counter = Counter()
    totals: Counter = Counter()
    talks: Counter = Counter()  # entity pairs seen talking to each other
    named_as: dict[int, set[int]] = defaultdict(set)  # a role -> the names set beside it
    aliases: list[tuple[int, int]] = []  # "Claypole, otherwise Bolter"
    for key, n in pairs.items():
        if key[0] == "~":
            a, b = owner.get(key[1]), owner.get(key[2])
            if a is not None and b is not None and a != b:
                aliases.append((a, b))
            continue
        if key[0] == "=":
            a, b = owner.get(key[1]), owner.get(key[2])
            if a is not None and b is not None and a != b:
                named_as[a].add(b)
            continue
        if key[0] == "":
            a, b = owner.get(key[1]), owner.get(key[2])
            if a is not None and b is not None and a != b:
                talks[(min(a, b), max(a, b))] += n
            continue
        a, b = owner.get(key[0]), owner.get(key[1])
        if a is None or b is None or a == b:
            continue
        by_entity[(a, b)] += n
        totals[a] += n
    parent = list(range(len(entities)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    answers: dict[int, list[int]] = defaultdict(list)
    for (a, _), n in by_entity.items():
        answers[a].append(n)
    for (a, b), n in sorted(by_entity.items(), key=lambda kv: -kv[1]):
        # most of the answers, or by far the most from any one character (`Fagin`, called
        # in scenes of many, answered as `the Jew`)
        others = sorted(answers[a], reverse=True)
        second = others[1] if len(others) > 1 and others[0] == n else others[0] if others[0] != n else 0
        if n < 2 or (n < 0.6 * totals[a] and (n < 3 or n < 3 * second)):
            continue
        ra, rb = root(a), root(b)
        if ra == rb or not _may_be_one(entities[ra], entities[rb]):
            continue
        talked = sum(t for (x, y), t in talks.items() if {root(x), root(y)} == {ra, rb})
        if talked > n / 4:
            continue  # they answer each other: two people
        _union(entities, parent, ra, rb)
    for a, b in aliases:
        ra, rb = root(a), root(b)
        if ra != rb and _may_be_renamed(entities[ra], entities[rb]):
            _union(entities, parent, ra, rb)
    # "the Collector, Mr. Turton": a role set beside one name only is that person
    for a, names in named_as.items():
        if len(names) == 1:
            ra, rb = root(a), root(next(iter(names)))
            if ra != rb and _may_be_one(entities[ra], entities[rb]):
                _union(entities, parent, ra, rb)
    # the surnames several characters share name them by their new places in the list
    kept = {i: k for k, i in enumerate(i for i in range(len(entities)) if root(i) == i)}
    for form, candidates in shared.items():
        shared[form] = list(dict.fromkeys(kept[root(i)] for i in candidates))
    return [e for i, e in enumerate(entities) if root(i) == i]


def _drop_lone_openers(entities: list[_Entity], shared: dict[str, list[int]],
                       found: dict[str, _FormStats], priors: set[str]) -> list[_Entity]:
    """Leave out a character known only by a word or two that open speech as a vocative would
    (`"Oi, Malfoy."`, `"Language, Granger,"`, `"Whatever."`): an interjection the tagger took
    for a name, unless it is a known given name or joined some other name of a character.
    """
    def lone_opener(entity: _Entity) -> bool:
        if len(entity.forms) != 1:
            return False
        form = next(iter(entity.forms))
        st = found.get(form)
        return (st is not None and " " not in form and form not in priors
                and form not in first_names() and not is_title(form)
                and st.count < 3 and st.opening_vocative == st.count and st.subject == 0)

    keep = [i for i, entity in enumerate(entities) if not lone_opener(entity)]
    if len(keep) == len(entities):
        return entities
    new_index = {old: new for new, old in enumerate(keep)}
    for form, candidates in list(shared.items()):
        shared[form] = [new_index[i] for i in candidates if i in new_index]
        if not shared[form]:
            del shared[form]
    return [entities[i] for i in keep]


def _union(entities: list[_Entity], parent: list[int], ra: int, rb: int) -> None:
    """Fold the smaller of two root characters into the larger."""
    big, small = (ra, rb) if sum(entities[ra].forms.values()) >= sum(entities[rb].forms.values()) else (rb, ra)
    entities[big].forms.update(entities[small].forms)
    entities[big].gender = entities[big].gender or entities[small].gender
    entities[big].title = entities[big].title or entities[small].title
    parent[small] = big


def _may_be_one(a: _Entity, b: _Entity) -> bool:
    """False when the names of two characters say they are different people."""
    if a.gender and b.gender and a.gender != b.gender:
        return False
    ta, tb = _title_class(a.title), _title_class(b.title)
    if ta and tb and ta != tb and {ta, tb} <= _GENDERED_CLASSES:
        return False
    if len(a.core) >= 2 and len(b.core) >= 2:
        return False  # two full names
    # a titled single word is a surname, an untitled one a given name (or a nickname)
    for x, y in ((a, b), (b, a)):
        if len(x.core) == 1 and len(y.core) >= 2:
            word = x.core[0]
            if x.title and word != y.core[-1] and _title_class(x.title) in _GENDERED_CLASSES:
                return False
            if not x.title and word in first_names() and word != y.core[0] and not _nickname_of(word, y.core[0]):
                return False
    if len(a.core) == 1 and len(b.core) == 1 and bool(a.title) == bool(b.title):
        # two given names or two surnames, unless one is a nickname of the other
        return _nickname_of(a.core[0], b.core[0]) or _nickname_of(b.core[0], a.core[0]) or not (
            a.core[0] in first_names() and b.core[0] in first_names())
    return True


def _may_be_renamed(a: _Entity, b: _Entity) -> bool:
    """False when two characters the text calls one (an alias, an assumed or a married
    name) are of two sexes by their names: two full names are no obstacle here."""
    if a.gender and b.gender and a.gender != b.gender:
        return False
    ta, tb = _title_class(a.title), _title_class(b.title)
    return not (ta and tb and {ta, tb} <= _GENDERED_CLASSES and "mr" in {ta, tb} and ta != tb)


def _shortened(word: str, name: str) -> bool:
    """True when `word` is a clipped or pet form of the given name `name`: its first three
    letters or more (`Sev` / `Severus`, `Cas` / `Castiel`), or the name with `-y`/`-ie`
    (`Sammy` / `Sam`, `Katie` / `Kat`)."""
    if len(word) >= 3 and name.startswith(word) and len(name) > len(word) + 1:
        return True
    if len(name) < 3 or not word.lower().startswith(name.lower()):
        return False
    tail = word[len(name):].lower()
    return tail in ("y", "ie", "ey") or (tail[:1] == name[-1].lower() and tail[1:] in ("y", "ie"))


def _nickname_of(short: str, full: str) -> bool:
    """True when `short` is a known nickname of the given name `full` (`Harry`, `Henry`)."""
    return full.lower() in NICKNAMES.get(short.lower(), ())


def _display_name(entity: _Entity) -> str:
    """The fullest, then most frequent, form of a character's name."""
    def rank(form: str) -> tuple:
        words = form.split(" ")
        core = [w for w in words if not is_title(w) and w.lower() not in _DETERMINERS]
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
                for word in _own_words(form):
                    words_of[word].add(i)
        for i, entity in enumerate(entities):
            for form in list(entity.forms):
                core = [w for w in form.split(" ") if not is_title(w)]
                if len(core) < 2 or core[0].lower() in _DETERMINERS or _POSSESSIVE.search(form):
                    continue
                for word in (core[0], core[-1]):
                    if (words_of[word] == {i} and word not in table and len(word) > 1
                            and word.lower() not in NOT_CHARACTERS and word[0].isupper()
                            and word.lower() not in _PARTICLES | _DESCRIPTIVE):
                        table[word].append(i)
                        entity.forms[word] += 0
    return dict(table)


#: Words that open a description rather than a name (`Old Callendar`, `Young Van der Luyden`).
_DESCRIPTIVE = {"old", "young", "little", "big", "poor", "dear", "good", "one", "another", "second",
                "first", "third", "other", "elder", "younger", "fat", "stout", "tall", "small"}
#: Titles a cast member can be called by alone when no one else in the cast bears them
#: (`the General` for General Tilney).
_LONE_TITLES = {
    "general", "admiral", "colonel", "major", "captain", "lieutenant", "sergeant", "inspector",
    "superintendent", "doctor", "professor", "duke", "duchess", "count", "countess", "baron",
    "baroness", "marquis", "marchioness", "prince", "princess", "king", "queen", "judge",
    "vicar", "rector", "curate", "archdeacon", "bishop", "commissioner",
}
_FIRST_NAME_TITLES = {"sir", "lady", "lord", "dame"}
_TITLE_SPELLED = {"dr": "Doctor", "prof": "Professor", "capt": "Captain", "col": "Colonel",
                  "lieut": "Lieutenant", "gen": "General"}
#: Words after which a description's head noun phrase ends (`the magistrate | with spectacles`).
_DESCRIPTION_BREAK = {"with", "at", "on", "in", "of", "from", "who", "whom", "whose", "that",
                      "which", "by", "near", "to", "outside", "inside", "behind", "for"}
#: Head nouns too common to stand for one cast member on their own.
_GENERIC_HEADS = {"man", "woman", "girl", "boy", "lady", "gentleman", "person", "child", "voice",
                  "men", "women", "people", "other", "one", "fellow", "stranger", "friend"}


def _cast_variants(entities: list[_Entity], table: dict[str, list[int]]) -> set[str]:
    """Add to `table` the other ways a text writes the names of a known cast; return the
    keys that name a character only when no capitalised word follows (a lone title).

    A cast file spells a name one way, the text may write it another: without its accents
    or with them lost to a bad encoding (`Th?r?se`), a given name shared by two members
    (`John` for John Beaver and John Andrew: both are candidates, told apart by recency),
    a rank held by one member only (`the General`), a description by its head
    (`the magistrate` for `The Magistrate With Spectacles`), `an archdeacon` as `the archdeacon`.
    """
    extra: dict[str, set[int]] = defaultdict(set)
    given: dict[str, set[int]] = defaultdict(set)
    misters: dict[str, set[int]] = defaultdict(set)
    styled: set[tuple[int, str]] = set()
    names = first_names()
    for i, entity in enumerate(entities):
        for form in entity.forms:
            for variant in (_fold_accents(form), _lost_accents(form)):
                if variant != form:
                    extra[variant].add(i)
            words = form.split(" ")
            core = [w for w in words if not is_title(w)]
            if (len(core) >= 2 and core[0] in names and core[0][0].isupper()
                    and not _POSSESSIVE.search(form)):
                given[core[0]].add(i)
            if len(words) == 2 and _title_class(words[0]) == "mr" and words[1][:1].isupper():
                misters[words[1]].add(i)
            rank = words[0].rstrip(".").lower()
            if (rank in _FIRST_NAME_TITLES - {"lord"} and len(words) >= 2) or (
                    rank == "lord" and len(words) == 2):
                styled.add((i, words[1]))  # `Sir John`: not a bare `John` to the others
            if words[0].lower() in _DETERMINERS and len(words) >= 3:
                cut = next((k for k in range(2, len(words)) if words[k].lower() in _DESCRIPTION_BREAK),
                           None)
                if cut is not None and words[cut - 1].lower() not in _GENERIC_HEADS:
                    extra["the " + " ".join(words[1:cut])].add(i)
            if (words[0].lower() in ("a", "an") and len(words) >= 2
                    and words[-1].lower() not in _GENERIC_HEADS):
                extra["the " + " ".join(words[1:])].add(i)  # `a coloured archdeacon`
    known = {_match_key(k, True) for k in table}
    for key, owners in extra.items():
        if _match_key(key, True) not in known:
            table[key] = sorted(owners)
    lone = _lone_titles(entities, table)
    for word, owners in given.items():
        # a given name that several members share names each of them (resolved by recency),
        # but not one always styled `Sir John` when the given name is not theirs alone
        explicit = set(table.get(word, []))
        owners = {i for i in owners if (i, word) not in styled or i in explicit}
        if len(owners) == 1 and not explicit and word.lower() not in NOT_CHARACTERS:
            table[word] = sorted(owners)  # the one bare `John` once `Sir John` is set aside
        elif 2 <= len(owners) <= 3:
            table[word] = sorted(explicit | owners)
    for word, owners in misters.items():
        # a surname several members share, alone, names the one `Mr. Surname` (`McBryde`)
        if len(owners) == 1 and word not in table and word.lower() not in NOT_CHARACTERS:
            table[word] = sorted(owners)
    for word, owners in given.items():
        if len(owners) == 1 and word not in table and word.lower() in NOT_CHARACTERS:
            table[word] = sorted(owners)  # `May` Welland: a given name that is also a month
    return lone


def _rank_tags(story: Story, events: list) -> Counter:
    """Rank -> how often `the <rank>` is the subject of a speech tag (`said the King`);
    each such tag goes into `events` as `(offset, "King", "tag")`."""
    inside = _quote_mask(story)
    tags: Counter = Counter()
    for paragraph in story.paragraphs:
        doc = paragraph.doc
        if doc is None:
            continue
        for token in doc:
            if (token.lower_ in _LONE_TITLES and token.i > 0 and doc[token.i - 1].lower_ == "the"
                    and ((token.dep_ == "nsubj" and token.head.lemma_.lower() in SPEECH_VERBS)
                         or _inverted_tag_subject(token))
                    and not inside(paragraph.start + token.idx)):
                tags[token.lower_] += 1
                events.append((paragraph.start + token.idx, token.text.capitalize(), "tag"))
    return tags


def _speaking_ranks(story: Story, entities: list[_Entity], tags: Counter) -> list[_Entity]:
    """Characters known by a rank alone that speaks (`said the King`, `the count said`),
    when no named character bears that rank: three speech tags or more make one.

    A rank named once beside a character's name is theirs instead (`Professor de Worms`)."""
    held = {_TITLE_SPELLED.get(w.rstrip(".").lower(), w.rstrip(".")).lower()
            for entity in entities for form in entity.forms for w in form.split(" ") if is_title(w)}
    found = []
    for word, n in sorted(tags.items()):
        if n < 3 or word in held:
            continue
        # `Professor de Worms` named once beside the rank: his, though found as `Worms`
        owners = Counter()
        pattern = r"\b" + word.capitalize() + r"\.? (?:(?:de|van|von|der|du|la|le|di|da) )*([A-Z][\w'-]+)"
        for match in re.finditer(pattern, story.text):
            owners.update(i for i, e in enumerate(entities) if e.last == match.group(1))
        # `the Superintendent` already found as a name (set beside `Mr. McBryde`): that one
        bare = [e for e in entities if word.capitalize() in e.forms or "the " + word.capitalize() in e.forms]
        if len(bare) == 1 and not owners:
            entity = bare[0]
        elif len(owners) == 1:
            entity = entities[next(iter(owners))]
        elif not owners:
            entity = _Entity(core=(word.capitalize(),), title=word.capitalize(),
                             gender=title_gender(word))
            found.append(entity)
        else:
            continue
        entity.forms["the " + word.capitalize()] += n
        entity.forms[word.capitalize()] += 0  # the form its speech tags were found under
    return found


def _lone_titles(entities: list[_Entity], table: dict[str, list[int]]) -> set[str]:
    """Add to `table` the rank of a character no other character bears, alone (`General`,
    `the general` for General Tilney, as Austen writes him); return the keys added, which
    name the character only when no capitalised word follows and not as a modifier."""
    titles: dict[str, set[int]] = defaultdict(set)
    for i, entity in enumerate(entities):
        for form in entity.forms:
            words = form.split(" ")
            for word in words[:-1]:
                if is_title(word):
                    base = word.rstrip(".").lower()
                    spelled = _TITLE_SPELLED.get(base, word.rstrip(".").capitalize())
                    if spelled.lower() in _LONE_TITLES:
                        titles[spelled].add(i)
            if words[-1].lower() in _LONE_TITLES and len(words) == 2 and words[0].lower() == "the":
                titles[words[-1].capitalize()].add(i)
    known = {_match_key(k, True) for k in table}
    lone = set()
    for title, owners in titles.items():
        if len(owners) != 1 or _match_key(title, True) in known:
            continue
        table[title] = sorted(owners)
        lone.add(title)
        described = "the " + title.lower()
        if _match_key(described, True) not in known:
            table[described] = sorted(owners)
            lone.add(described)
    return lone


def _fold_accents(form: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", form)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _lost_accents(form: str) -> str:
    """The form as a text whose encoding lost its accented letters writes it (`Th?r?se`)."""
    return "".join("?" if ord(c) > 127 and c.isalpha() else c for c in form)


_POSSESSIVE = re.compile(r"['\u2019][sS]? ")


def _own_words(form: str) -> list[str]:
    """The words of a form that name its owner: not those of a possessive before a noun
    (`Thérèse De Vitré's Father` names the father, not Thérèse)."""
    words = form.split(" ")
    cut = max((k for k, w in enumerate(words[:-1]) if _POSSESSIVE.search(w + " ")), default=-1)
    return words[cut + 1:]


def _form_pattern(form: str, loose: bool = False, lone: bool = False) -> str:
    """The regex of a name form; `loose`: a word's letters after its first in any case
    (`McBryde` for a cast's `Mcbryde`, `Johnny-boy` for `Johnny-Boy`), and later words'
    first letters too (`Dan's friend`)."""
    words = form.split(" ")
    parts = []
    for k, word in enumerate(words):
        base = word[:-1] if word.endswith(".") and len(word) > 1 else word
        dot = r"\.?" if base != word else ""
        if (k == 0 and word.lower() in _DETERMINERS) or (k > 0 and word.lower() in _PARTICLES):
            parts.append("(?i:" + re.escape(word) + ")")
        elif loose and len(base) > 1:
            head = re.escape(base[0]) if k == 0 else "(?i:" + re.escape(base[0]) + ")"
            parts.append(head + "(?i:" + re.escape(base[1:]) + ")" + dot)
        else:
            parts.append(re.escape(base) + dot)
    pattern = r"\s+".join(parts)
    if words[0].lower() in _DETERMINERS:
        pattern = "(?i:" + pattern + ")"
    if lone:
        pattern += r"(?!\s+[A-Z])"
    return pattern


def _find_mentions(story: Story, table: dict[str, list[int]], entities: list[_Entity],
                   loose: bool = False, lone: set[str] | frozenset = frozenset()
                   ) -> list[tuple[int, int, int]]:
    """(start, end, entity index) of every name mention in the chapters, in text order.

    `loose` (a known cast): letters after a word's first match in any case, and a one-word
    name that the text also uses as a common word (`May`, `Will`) counts only where it is no
    verb or date (not `May I`, not `in May`). A key in `lone` (a rank alone) counts only
    before no capitalised word and not as a modifier (`the general opinion`).
    """
    if not table:
        return []
    keys = sorted(table, key=len, reverse=True)
    regex = re.compile(r"(?<![\w.])(?:" + "|".join(_form_pattern(k, loose, k in lone) for k in keys)
                       + r")(?!\w)")
    lookup: dict[str, list[int]] = {}
    for k, v in table.items():
        key = _match_key(k, loose)
        lookup[key] = v if key not in lookup else list(dict.fromkeys(lookup[key] + v))
    common = _lowercase_counts(story, {k for k in keys if " " not in k}) if loose else Counter()
    lone_keys = {_match_key(k, loose) for k in lone}
    prominence = Counter()
    mentions: list[tuple[int, int, int]] = []
    last_seen: dict[int, int] = {}
    found = []
    for paragraph in story.paragraphs:
        segment = story.text[paragraph.start:paragraph.end]
        for match in regex.finditer(segment):
            start, end = paragraph.start + match.start(), paragraph.start + match.end()
            candidates = lookup.get(_match_key(match.group(), loose))
            if not candidates:
                continue
            word = match.group().lower()
            if (common[word] or word in NOT_CHARACTERS) and not _parsed_as_name(paragraph.doc, match):
                continue
            if lone_keys and _match_key(match.group(), loose) in lone_keys and not _parsed_as_head(
                    paragraph.doc, match):
                continue  # `the general opinion`
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


def _parsed_as_name(doc, match: re.Match) -> bool:
    """False where a one-word name is a common word (`May I`, `Will you`, `in May`, `May 5`).

    The parse alone cannot tell: the small model takes `May smiled` for a modal verb."""
    after = match.string[match.end():match.end() + 12]
    if _SUBJECT_AFTER.match(after) or re.match(r"\s*\d", after):
        return False
    if re.search(r"\d\s*$", match.string[max(match.start() - 4, 0):match.start()]):
        return False
    if doc is None:
        return True
    span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
    return span is None or len(span) == 0 or span[0].ent_type_ != "DATE"


_SUBJECT_AFTER = re.compile(r"\s+(?:I|you|we|they|he|she|it|there|not)\b")


def _parsed_as_head(doc, match: re.Match) -> bool:
    """False when the parse takes a lone title for a modifier (`the general opinion`)."""
    if doc is None:
        return True
    span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
    if span is None or len(span) == 0:
        return True
    token = span[-1]
    return token.pos_ in ("NOUN", "PROPN") and token.dep_ not in ("amod", "compound")


def _match_key(text: str, loose: bool = False) -> str:
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
    if loose or (out and out[0] in _DETERMINERS):
        key = key.lower()
    return key


# --- gender ---------------------------------------------------------------------------------

def _pronoun_votes(story: Story, mentions: list[tuple[int, int, int]]) -> dict[int, Counter]:
    """Per character, the genders of the pronouns that follow sentences naming only them."""
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
    given = None
    for form in sorted(entity.forms, key=lambda f: -entity.forms[f]):
        core = [w for w in form.split(" ") if not is_title(w)]
        if core and (given := _given_gender(core[0])):
            break
    if given and votes:
        # a gendered given name outweighs pronouns of the other gender near it ("Gilbert"
        # named in a sentence about Anne), unless they are overwhelming ("Brett" Ashley)
        against = sum(n for g, n in votes.items() if g != given)
        if not (against >= 4 and against >= 3 * votes.get(given, 0)):
            return given
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
