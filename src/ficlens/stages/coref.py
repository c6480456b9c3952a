"""Character coreference: every name, pronoun and person noun linked to its character.

A deterministic resolver in the manner of the multi-pass sieves (Lee et al. 2013) and
Lappin & Leass salience, over the spaCy parse already attached to each paragraph, with
the story-level knowledge a sentence-level model lacks: the cast and its aliases, the
characters' genders (titles, given names, then the pronouns the story itself uses), the
narrator of a first-person story, and who speaks each quotation to whom (`I` = speaker,
`you` = addressee).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ficlens.model import Mention, Story
from ficlens.stages.lexicon import gendered_nouns, given_names, group_nouns, person_nouns
from ficlens.stages.places import PLACE_SUFFIXES, noun_phrase

#: pronoun -> (person, number, gender, reflexive)
PRONOUNS: dict[str, tuple[int, str, str | None, bool]] = {
    "he": (3, "sg", "male", False), "him": (3, "sg", "male", False),
    "his": (3, "sg", "male", False), "himself": (3, "sg", "male", True),
    "she": (3, "sg", "female", False), "her": (3, "sg", "female", False),
    "hers": (3, "sg", "female", False), "herself": (3, "sg", "female", True),
    "i": (1, "sg", None, False), "me": (1, "sg", None, False), "my": (1, "sg", None, False),
    "mine": (1, "sg", None, False), "myself": (1, "sg", None, True),
    "we": (1, "pl", None, False), "us": (1, "pl", None, False), "our": (1, "pl", None, False),
    "ours": (1, "pl", None, False), "ourselves": (1, "pl", None, True),
    "you": (2, "sg", None, False), "your": (2, "sg", None, False),
    "yours": (2, "sg", None, False), "yourself": (2, "sg", None, True),
    "yourselves": (2, "pl", None, True), "ye": (2, "pl", None, False),
    "thou": (2, "sg", None, False), "thee": (2, "sg", None, False),
    "thy": (2, "sg", None, False), "thine": (2, "sg", None, False),
    "thyself": (2, "sg", None, True), "yeh": (2, "sg", None, False), "yer": (2, "sg", None, False),
    "'em": (3, "pl", None, False),
    "they": (3, "pl", None, False), "them": (3, "pl", None, False),
    "their": (3, "pl", None, False), "theirs": (3, "pl", None, False),
    "themselves": (3, "pl", None, True), "themself": (3, "pl", None, True),
}

SPEECH_VERBS = frozenset(
    ["say", "said", "says", "saying", "ask", "asked", "asks", "reply", "replied", "replies", "cry", "cried", "cries", "answer", "answered", "answers", "exclaim", "exclaimed", "shout", "shouted", "whisper", "whispered", "murmur", "murmured", "mutter", "muttered", "continue", "continued", "add", "added", "repeat", "repeated", "call", "called", "respond", "responded", "snap", "snapped", "remark", "remarked", "observe", "observed", "declare", "declared", "protest", "protested", "retort", "retorted", "sigh", "sighed", "laugh", "laughed", "growl", "growled", "hiss", "hissed", "yell", "yelled", "scream", "screamed", "demand", "demanded", "inquire", "inquired", "enquire", "enquired", "begin", "began", "interrupt", "interrupted", "insist", "insisted", "suggest", "suggested", "admit", "admitted", "explain", "explained", "tell", "told", "returned", "return", "went", "go", "pursue", "pursued", "rejoin", "rejoined", "grumble", "grumbled", "sob", "sobbed", "stammer", "stammered", "breathe", "breathed", "gasp", "gasped", "groan", "groaned", "moan", "moaned", "plead", "pleaded", "drawl", "drawled", "chuckle", "chuckled", "sneer", "sneered", "bark", "barked"]
)

_TITLE_WORDS: dict[str, str | None] = {
    "mr": "male", "mister": "male", "sir": "male", "lord": "male", "master": "male",
    "monsieur": "male", "signor": "male", "herr": "male", "mrs": "female", "miss": "female",
    "ms": "female", "lady": "female", "madame": "female", "madam": "female", "mme": "female",
    "mademoiselle": "female", "mlle": "female", "dame": "female", "signora": "female",
    "frau": "female", "mistress": "female", "professor": None, "prof": None, "dr": None,
    "doctor": None, "captain": "male", "capt": "male", "colonel": "male", "col": "male",
    "general": "male", "major": "male", "lieutenant": "male", "sergeant": "male",
    "admiral": "male", "count": "male", "countess": "female", "duke": "male",
    "duchess": "female", "baron": "male", "baroness": "female", "prince": "male",
    "princess": "female", "king": "male", "queen": "female", "aunt": "female",
    "uncle": "male", "cousin": None, "rev": "male", "reverend": "male", "father": "male",
    "mother": "female", "brother": "male", "sister": "female", "old": None, "young": None,
    "little": None, "poor": None, "dear": None, "saint": None, "st": None,
}
# titles that tell apart people sharing a family name (`Mr. Bennet`, `Mrs. Bennet`, `Miss Bennet`)
_TITLE_CLASS = {"mr": "mr", "mister": "mr", "monsieur": "mr", "m": "mr", "signor": "mr", "herr": "mr",
                "mrs": "mrs", "madame": "mrs", "mme": "mrs", "signora": "mrs", "frau": "mrs",
                "miss": "miss", "mademoiselle": "miss", "mlle": "miss", "signorina": "miss"}
_NAME_GLUE = frozenset({"the", "a", "an", "of", "and", "one", "this", "that", "these", "those"})
_NOT_NAMES = frozenset(
    ["god", "lord", "heaven", "heavens", "christ", "jesus", "devil", "satan", "chapter", "book", "volume", "part", "i", "oh", "ah", "o", "yes", "no", "mr", "mrs", "miss", "sir", "madam", "dear", "well", "why", "hallo", "hello", "ay", "aye"]
)
_PLACE_ENTS = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP", "DATE", "TIME", "EVENT",
                         "WORK_OF_ART", "LAW", "LANGUAGE", "PRODUCT", "MONEY", "QUANTITY"})
_PLACE_PREPOSITIONS = frozenset({"in", "at", "to", "from", "into", "near", "toward", "towards",
                                 "through", "of", "outside", "inside"})
_ROLE_WEIGHT = {"subj": 80, "obj": 50, "iobj": 40, "obl": 30, "poss": 30, "other": 20}
_DEFINITE = frozenset({"the", "this", "that"})
# quantified people (`nobody`, `everyone`) refer to no one in particular: never antecedents
_NON_REFERRING = frozenset({"no one", "nobody", "none", "everybody", "everyone", "every one",
                            "every body", "anybody", "anyone", "any one"})
_WINDOW = 6  # sentences a pronoun looks back
_LONG_WINDOW = 25  # ... and further back when nothing nearer agrees with it
_PLURAL_WINDOW = 3  # sentences `they` looks back for a group: plural reference is local
_NOMINAL_WINDOW = 80  # sentences a definite description looks back for its head noun
_PLURAL_NOMINAL_WINDOW = 30  # sentences `the servants` looks back for `the native servants`
_WE_REACH = 8  # sentences the narration's `we` stays the same group
_DECAY = 0.5  # salience kept from one sentence to the next
_EPITHET_SALIENCE = 100.0
_EPITHET_ROLES = ("subj",)
_SPEAKER_WEIGHT = 100.0  # salience a quotation gives its known speaker
_PARALLEL = 1.0  # a subject pronoun favours the subject of the sentence before (centering)
_POSS_SUBJECT = 1.0  # `his` in `he raised his hand` favours the clause subject
# modifiers that make `the other man` someone else than `the man`
_CONTRAST = frozenset({"other", "another", "second", "third", "new", "different", "latter", "former"})
_NEARBY = 150  # characters before a quotation where its unknown addressee may be named
_QUOTE_WEIGHT = 0.5  # a mention inside a quotation counts half towards salience
_TURN_GAP = 400  # characters between two quotations that still make them one exchange
_UNKNOWN_GENDER = 0.5  # weight of a character of unknown gender for he/she
EPITHETS = True


@dataclass
class Candidate:
    """A mention before resolution: a span, what it is, and the parse facts resolution uses."""

    start: int
    end: int
    text: str
    kind: str  # name | pronoun | nominal
    sent: int = 0
    para: int = -1
    head: Any = None  # spaCy token
    verb: int = -1  # global id of the governing verb (binding constraints)
    role: str = "other"
    person: int = 3
    number: str = "sg"
    gender: str | None = None
    reflexive: bool = False
    quote: int | None = None
    key: tuple[str, ...] = ()
    title: str | None = None  # mr | mrs | miss
    lemma: str = ""
    definite: bool = False
    possessed: bool = False
    possessor: int = -1  # start offset of the possessor (`her` in `her father`)
    generic: bool = False  # `nobody`, `everyone`: a person, but no one in particular
    modifiers: frozenset[str] = frozenset()  # `old` in `the old man`
    character: str | None = None


@dataclass
class Entity:
    """A discourse entity being built: its mentions and what is known about it."""

    id: int
    number: str = "sg"
    gender: str | None = None
    character: str | None = None
    keys: set[tuple[str, ...]] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    lemmas: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    salience: float = 0.0
    third: bool = False  # referred to by a name, a noun or he/she (not only I/you)
    last_sent: int = -10**9
    votes: Counter = field(default_factory=Counter)

    def current(self, sent: int) -> float:
        return self.salience * (_DECAY ** max(0, sent - self.last_sent))


def resolve_mentions(story: Story) -> Story:
    """Pipeline stage: fill `story.mentions` with every character mention, each linked to a
    character id (or None for a person outside the cast), and update `Character.mentions`.
    """
    cands = collect_candidates(story)
    ids, entities = cluster_candidates(story, cands)
    mentions: list[Mention] = []
    for cand, eid in zip(cands, ids):
        mentions.append(Mention(start=cand.start, end=cand.end, text=cand.text,
                                kind=cand.kind, character=entities[eid].character))  # type: ignore[arg-type]
    # name mentions an earlier stage found where there is no parse are kept as they are
    found = {(m.start, m.end) for m in mentions}
    mentions.extend(m for m in story.mentions if m.kind == "name" and (m.start, m.end) not in found)
    mentions.sort(key=lambda m: (m.start, -m.end))
    story.mentions = mentions
    counts = Counter(m.character for m in mentions if m.character)
    for character in story.characters:
        character.mentions = counts.get(character.id, 0)
    return story


def cluster_spans(story: Story, spans: Sequence[tuple[int, int]],
                  **options: Any) -> list[int]:
    """Entity ids for given mention spans (gold mentions): equal ids = the same person."""
    cands = collect_candidates(story, spans=spans)
    ids, _ = cluster_candidates(story, cands, **options)
    by_span = {(c.start, c.end): i for c, i in zip(cands, ids)}
    return [by_span[(s, e)] for s, e in spans]


# ---------------------------------------------------------------- mention candidates

def _norm(word: str) -> str:
    return word.lower().rstrip(".").replace("\u2019", "'")


def _name_words(words: Iterable[str]) -> list[str]:
    """The words of a name without what leads up to it: a possessor (`Tom's Aunt Polly`),
    a determiner or lower-case epithets (`the late Lady Belmont`, `the amiable Miss Sedley`)."""
    out: list[str] = []
    items = list(words)
    for n, word in enumerate(items):
        w = _norm(word)
        if (w in ("'s", "'") or w.endswith("'s")) and n + 1 < len(items):
            out = []  # the possessor's name is not part of this one
            continue
        if not out and n + 1 < len(items) and (w in _NAME_GLUE or (
                not word[:1].isupper() and any(x[:1].isupper() for x in items[n + 1:]))):
            continue
        out.append(word)
    return out


def _name_key(words: Iterable[str]) -> tuple[tuple[str, ...], str | None]:
    """The name without titles and possessive, and the gender its title implies."""
    out: list[str] = []
    gender = None
    for word in _name_words(words):
        w = _norm(word)
        if w in ("'s", "'", "s"):
            continue
        if not out and w in _TITLE_WORDS:
            gender = gender or _TITLE_WORDS[w]
            continue
        out.append(w)
    return tuple(out), gender


def _title_class(words: Iterable[str]) -> str | None:
    """`mr`, `mrs` or `miss` when the name starts with such a title."""
    for word in _name_words(words):
        w = _norm(word)
        if w not in _TITLE_WORDS:
            return None
        if w in _TITLE_CLASS:
            return _TITLE_CLASS[w]
    return None


_ABBREVIATED = {"dr": "doctor", "capt": "captain", "col": "colonel", "prof": "professor",
                "rev": "reverend", "gen": "general", "lieut": "lieutenant", "sergt": "sergeant"}


def _rank_words(words: Sequence[str]) -> set[str]:
    """The rank or role words a name opens with (`Dr. Archie` -> doctor, `Judge Miller` ->
    judge), so that `the doctor` can find Dr. Archie."""
    out: set[str] = set()
    for word in words[:-1]:
        w = _norm(word)
        w = _ABBREVIATED.get(w, w)
        if w in _TITLE_CLASS or w in ("the", "old", "young", "little", "poor", "dear", "saint", "st"):
            continue
        if w in _TITLE_WORDS or w in person_nouns():
            out.add(w)
        else:
            break
    return out


def _is_initial(word: str) -> bool:
    return len(word.rstrip(".")) <= 1


class _Index:
    """Offsets -> paragraph tokens and quotations, for spans that come from elsewhere."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.para_starts = [p.start for p in story.paragraphs]
        spans = sorted((s, e, qi) for qi, q in enumerate(story.quotes) for s, e in q.spans)
        self.q_starts = [s for s, _, _ in spans]
        self.q_spans = spans

    def quote_at(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.q_starts, offset) - 1
        if i >= 0:
            s, e, qi = self.q_spans[i]
            if s <= offset < e:
                return qi
        return None

    def paragraph_at(self, offset: int) -> int:
        i = bisect.bisect_right(self.para_starts, offset) - 1
        if i >= 0 and offset < self.story.paragraphs[i].end:
            return i
        return -1


def _role(token: Any) -> str:
    dep = token.dep_
    if dep in ("nsubj", "nsubjpass", "csubj", "expl"):
        return "subj"
    if dep == "dobj":
        return "obj"
    if dep == "dative":
        return "iobj"
    if dep == "pobj":
        return "obl"
    if dep == "poss":
        return "poss"
    return "other"


def _verb_of(token: Any, base: int) -> int:
    head = token.head
    if token.dep_ == "pobj" and head.dep_ == "prep":
        head = head.head
    return base + head.i


def _span_head(tokens: Sequence[Any]) -> Any:
    ids = {t.i for t in tokens}
    for t in tokens:
        if t.head.i not in ids or t.head.i == t.i:
            return t
    return tokens[-1]


def collect_candidates(story: Story, spans: Sequence[tuple[int, int]] | None = None) -> list[Candidate]:
    """Mention candidates in text order: found in the parse, or for the given spans."""
    index = _Index(story)
    alias_index = _alias_index(story)
    preset_by_para: dict[int, dict[tuple[int, int], Mention]] = defaultdict(dict)
    for m in story.mentions:
        if m.kind == "name":
            preset_by_para[index.paragraph_at(m.start)][(m.start, m.end)] = m
    wanted = set(spans) if spans is not None else None
    by_start: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s, e in wanted or ():
        by_start[s].append((s, e))
    cands: list[Candidate] = []
    sent_id = -1
    sent_of_token: dict[int, int] = {}
    p_nouns = person_nouns()
    for p_idx, paragraph in enumerate(story.paragraphs):
        doc = paragraph.doc
        if doc is None:
            continue
        base = paragraph.start
        for sent in doc.sents:
            sent_id += 1
            for tok in sent:
                sent_of_token[base + tok.idx] = sent_id
            if wanted is not None:
                continue
            covered: set[int] = set()
            # names: preset mentions (cast stage), then aliases, then person-like proper nouns
            for (s, e), m in preset_by_para.get(p_idx, {}).items():
                if base + sent.start_char <= s < base + sent.end_char:
                    toks = [t for t in sent if s <= base + t.idx < e]
                    if toks:
                        covered.update(t.i for t in toks)
                        cands.append(_make(story, index, m.start, m.end, toks, base, sent_id, p_idx,
                                           "name", character=m.character))
            i = 0
            toks = list(sent)
            while i < len(toks):
                tok = toks[i]
                if tok.i in covered:
                    i += 1
                    continue
                match = _match_alias(toks, i, alias_index)
                if match is not None:
                    n, cid = match
                    span = toks[i:i + n]
                    covered.update(t.i for t in span)
                    cands.append(_make(story, index, base + span[0].idx,
                                       base + span[-1].idx + len(span[-1].text), span, base,
                                       sent_id, p_idx, "name", character=cid))
                    i += n
                    continue
                n = _proper_run(toks, i)
                if n:
                    span = toks[i:i + n]
                    covered.update(t.i for t in span)
                    cands.append(_make(story, index, base + span[0].idx,
                                       base + span[-1].idx + len(span[-1].text), span, base,
                                       sent_id, p_idx, "name"))
                    i += n
                    continue
                i += 1
            for tok in sent:
                if tok.i in covered:
                    continue
                low = tok.lower_.replace("\u2019", "'")
                if low in PRONOUNS and tok.pos_ in ("PRON", "DET", "NOUN", "PROPN", "ADJ"):
                    if low == "us" and tok.text == "US":
                        continue
                    cands.append(_make(story, index, base + tok.idx, base + tok.idx + len(tok.text),
                                       [tok], base, sent_id, p_idx, "pronoun"))
                elif (tok.pos_ == "NOUN" and tok.dep_ != "compound"
                      and tok.lemma_.lower() in p_nouns):
                    # the whole noun phrase: `the old man with the lantern`
                    left, right = noun_phrase(doc, tok)
                    left, right = max(left, sent.start), min(right, sent.end - 1)
                    span = doc[left:right + 1]
                    cands.append(_make(story, index, base + span[0].idx,
                                       base + span[-1].idx + len(span[-1].text), list(span), base,
                                       sent_id, p_idx, "nominal"))
    if wanted is not None:
        cands = _candidates_for_spans(story, index, sorted(wanted), sent_of_token)
    cands.sort(key=lambda c: (c.start, c.end))
    return cands


def _candidates_for_spans(story: Story, index: _Index, spans: list[tuple[int, int]],
                          sent_of_token: dict[int, int]) -> list[Candidate]:
    offsets = sorted(sent_of_token)
    out = []
    for s, e in spans:
        p_idx = index.paragraph_at(s)
        toks: list[Any] = []
        base = 0
        if p_idx >= 0 and story.paragraphs[p_idx].doc is not None:
            paragraph = story.paragraphs[p_idx]
            base = paragraph.start
            toks = [t for t in paragraph.doc
                    if base + t.idx < e and base + t.idx + len(t.text) > s]
        j = bisect.bisect_right(offsets, s) - 1
        sent_id = sent_of_token[offsets[j]] if j >= 0 else 0
        text = story.text[s:e]
        if not toks:
            out.append(_bare(story, index, s, e, text, sent_id, p_idx))
            continue
        head = _span_head(toks)
        low = head.lower_.replace("\u2019", "'")
        if len(toks) == 1 and low in PRONOUNS:
            kind = "pronoun"
        elif head.pos_ == "PROPN" or (head.pos_ != "NOUN" and text[:1].isupper()
                                      and low not in person_nouns()):
            kind = "name"
        else:
            kind = "nominal"
        out.append(_make(story, index, s, e, toks, base, sent_id, p_idx, kind))
    return out


def _bare(story: Story, index: _Index, s: int, e: int, text: str, sent_id: int, p_idx: int) -> Candidate:
    low = text.lower()
    if low in PRONOUNS:
        person, number, gender, refl = PRONOUNS[low]
        return Candidate(s, e, text, "pronoun", sent_id, p_idx, person=person, number=number,
                         gender=gender, reflexive=refl, quote=index.quote_at(s))
    key, gender = _name_key(text.split())
    return Candidate(s, e, text, "name", sent_id, p_idx, key=key, gender=gender,
                     title=_title_class(text.split()), quote=index.quote_at(s))


def _make(story: Story, index: _Index, s: int, e: int, toks: Sequence[Any], base: int,
          sent_id: int, p_idx: int, kind: str, character: str | None = None) -> Candidate:
    head = _span_head(toks)
    cand = Candidate(start=s, end=e, text=story.text[s:e], kind=kind, sent=sent_id, para=p_idx,
                     head=head, verb=_verb_of(head, base), role=_role(head),
                     quote=index.quote_at(s), character=character)
    if kind == "pronoun":
        cand.person, cand.number, cand.gender, cand.reflexive = PRONOUNS[head.lower_.replace("\u2019", "'")]
    elif kind == "name":
        cand.key, cand.gender = _name_key(t.text for t in toks)
        cand.title = _title_class(t.text for t in toks)
        if not cand.key:
            cand.key = tuple(_norm(t.text) for t in toks)
        if cand.gender is None and len(cand.key) >= 1:
            cand.gender = given_names().get(cand.key[0])
        if head.tag_ == "NNPS" and (len(toks) == 1 or toks[0].lower_ == "the"):
            cand.number = "pl"  # `the Wilcoxes`
    else:
        cand.lemma = head.lemma_.lower()
        cand.number = "pl" if head.tag_ in ("NNS", "NNPS") or cand.lemma in group_nouns() else "sg"
        cand.gender = gendered_nouns().get(head.lower_) or gendered_nouns().get(cand.lemma)
        first = toks[0].lower_
        cand.definite = first in _DEFINITE
        poss = [t for t in head.children if t.dep_ == "poss"]
        cand.possessed = bool(poss)
        if poss:
            cand.possessor = base + poss[0].left_edge.idx
        cand.generic = " ".join(cand.text.lower().split()) in _NON_REFERRING
        cand.modifiers = frozenset(t.lower_ for t in head.children
                                   if t.dep_ in ("amod", "nummod", "compound") and t.i < head.i)
    return cand


def _alias_index(story: Story) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    seen: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for character in story.characters:
        for alias in {character.name, *character.aliases}:
            words = tuple(_norm(w) for w in re.findall(r"[\w'\u2019.-]+", alias) if w)
            words = tuple(w for w in words if w)
            if words:
                seen[words].add(character.id)
    for words, ids in seen.items():
        if len(ids) == 1:  # an alias shared by two characters decides nothing
            index[words[0]].append((words, next(iter(ids))))
    for entries in index.values():
        entries.sort(key=lambda x: -len(x[0]))
    return index


def _match_alias(toks: Sequence[Any], i: int,
                 index: dict[str, list[tuple[tuple[str, ...], str]]]) -> tuple[int, str] | None:
    first = _norm(toks[i].text)
    if not toks[i].text[:1].isupper() or first not in index:
        return None
    for words, cid in index[first]:
        n = len(words)
        if tuple(_norm(t.text) for t in toks[i:i + n]) == words:
            # a title alone ("Miss") is a name only when a cast alias says so, checked above
            return n, cid
    return None


def _proper_run(toks: Sequence[Any], i: int) -> int:
    """Length of a person-like proper name starting at toks[i] (0 if none)."""
    tok = toks[i]
    if not tok.text[:1].isupper():
        return 0
    j = i
    titled = False
    while j < len(toks) and _norm(toks[j].text) in _TITLE_WORDS and toks[j].text[:1].isupper() \
            and j + 1 < len(toks) and toks[j + 1].pos_ == "PROPN":
        titled = titled or _TITLE_WORDS.get(_norm(toks[j].text), "x") != "x"
        j += 1
    k = j
    names = given_names()
    # a given name spaCy took for a place is a person unless it follows `in`, `to`, ...
    after_place_word = i > 0 and toks[i - 1].lower_ in _PLACE_PREPOSITIONS
    while k < len(toks) and toks[k].pos_ == "PROPN" and toks[k].text[:1].isupper() \
            and (toks[k].ent_type_ not in _PLACE_ENTS
                 or (_norm(toks[k].text) in names and not after_place_word)):
        k += 1
    if k == j:
        return 0
    words = [_norm(t.text) for t in toks[j:k]]
    if all(w in _NOT_NAMES for w in words):
        return 0
    if len(words) > 1 and words[-1] in PLACE_SUFFIXES and not titled:
        return 0  # `Kellynch Hall`, `Baker Street`
    person = any(t.ent_type_ == "PERSON" for t in toks[j:k])
    given = words[0] in given_names()
    if titled or person or given:
        return k - i
    return 0


# ---------------------------------------------------------------- resolution

def cluster_candidates(story: Story, cands: Sequence[Candidate], *, trust_speakers: bool = True,
                       passes: int = 2, epithets: bool = EPITHETS) -> tuple[list[int], list[Entity]]:
    """Entity ids for the candidates (same id = same person) and the entities themselves.

    The first pass learns each name's gender from the pronouns resolved to it; the
    second pass resolves again knowing those genders from the start.
    """
    learned: dict[tuple[str, ...], str] = {}
    ids: list[int] = []
    entities: list[Entity] = []
    for _ in range(max(1, passes)):
        ids, entities = _Resolver(story, cands, learned, trust_speakers, epithets).run()
        learned = {}
        for ent in entities:
            if ent.gender is None and ent.votes:
                gender, n = ent.votes.most_common(1)[0]
                if n >= 2 * (sum(ent.votes.values()) - n):
                    for key in ent.keys:
                        learned[key] = gender
            elif ent.gender:
                for key in ent.keys:
                    learned.setdefault(key, ent.gender)
    return ids, entities


def _norm_gender(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower()
    if v in ("m", "male", "man", "he", "he/him", "masculine"):
        return "male"
    if v in ("f", "female", "woman", "she", "she/her", "feminine"):
        return "female"
    return None


def _gender_of(ent: Entity) -> str | None:
    """The entity's gender, or failing that the gender most of its pronouns have."""
    if ent.gender:
        return ent.gender
    return ent.votes.most_common(1)[0][0] if ent.votes else None


# relation -> (gender, titles the relative may bear)
_KIN: dict[str, tuple[str, frozenset[str]]] = {
    "wife": ("female", frozenset({"mrs"})), "husband": ("male", frozenset({"mr"})),
    "father": ("male", frozenset({"mr"})), "papa": ("male", frozenset({"mr"})),
    "mother": ("female", frozenset({"mrs"})), "mama": ("female", frozenset({"mrs"})),
    "mamma": ("female", frozenset({"mrs"})), "son": ("male", frozenset()),
    "daughter": ("female", frozenset({"miss"})), "brother": ("male", frozenset()),
    "sister": ("female", frozenset({"miss"})),
}

_PARENTS = frozenset({"father", "papa", "mother", "mama", "mamma"})
_YOUNGER = frozenset({"son", "daughter", "brother", "sister"})


def _family_names(ent: Entity) -> set[str]:
    """The family names an entity is known by: the last word of a full name (`Emma
    Woodhouse`) or the name after a title (`Mrs. Bennet`)."""
    out = set()
    for key in ent.keys:
        if len(key) >= 2 and not _is_initial(key[-1]):
            out.add(key[-1])
        elif len(key) == 1 and ent.titles:
            out.add(key[0])
    return out


# nouns for the whole of a person: `his tall , spare figure` is he
_SELF_NOUNS = frozenset({"person", "body", "soul", "heart", "figure", "self", "form", "frame", "spirit"})
_NUMBERS = frozenset({"two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "both"})


def _quantified(cand: Candidate) -> bool:
    """`no man`, `any man`, `every man`: no one in particular for `the man` to repeat."""
    return cand.head is not None and any(
        t.dep_ == "det" and t.lower_ in ("no", "any", "every", "each") for t in cand.head.children)


def _restricted(cand: Candidate) -> bool:
    """A noun phrase narrowed by what follows its head (`the men who had followed me`,
    `the reporters of the newspapers`): a new description, not a repeated one."""
    head = cand.head
    return head is not None and any(t.dep_ in ("relcl", "acl", "prep") and t.i > head.i
                                    for t in head.children)


_SALUTATION = re.compile(
    r"^\W*(?:(?:my\s+)?(?:dear|dearest)\b[^.!?\n]{0,40}?[,:!\u2014-]|(?:dear\s+)?(?:sir|madam|madame)\s*[,:!]"
    r"|letter\s+(?:[ivxlc]+|\d+)\b|to\s+(?:mrs?|miss)\b)", re.IGNORECASE)
_CLOSING = re.compile(r"\b(?:yours|your\s+(?:\w+\s+){0,3}(?:friend|sister|brother|servant|son|daughter))\b",
                      re.IGNORECASE)
_HEADING = re.compile(r"^\W*(?:chapter|book|part)\b", re.IGNORECASE)


_SECOND_PERSON = 0.5  # share of the narration's sentences about people that say `you`


def _second_person(cands: Sequence[Candidate]) -> bool:
    """Whether the story is told in the second person (`You walk in. He looks up.`): most
    narration sentences that mention someone mention `you` (a novel's narrator who turns to
    the reader does so in a fifth of them at most)."""
    told = {c.sent for c in cands if c.quote is None}
    you = {c.sent for c in cands if c.quote is None and c.kind == "pronoun" and c.person == 2}
    return bool(told) and len(you) > _SECOND_PERSON * len(told)


def letter_paragraphs(story: Story) -> set[int]:
    """The paragraphs of the letters a story holds: from a salutation (`Dear Judy :`,
    `Letter 1`, `Madam ,`) to a closing (`Yours as ever`) or the next chapter heading."""
    out: set[int] = set()
    inside = False
    for i, paragraph in enumerate(story.paragraphs):
        text = story.text[paragraph.start:paragraph.end]
        if _SALUTATION.match(text):
            inside = True
        elif inside and _HEADING.match(text):
            inside = False
        if inside:
            out.add(i)
            if _CLOSING.search(text):
                inside = False
    return out


_MODALS = frozenset({"can", "could", "would", "might", "may", "must", "should", "'d", "ca"})


def _generic_you(cand: Candidate) -> bool:
    """A narration `you` that is anyone: the subject of a modal (`you could hear the sea`)."""
    if cand.head is None or cand.role != "subj":
        return False
    verb = cand.head.head
    return any(t.dep_ == "aux" and t.lower_ in _MODALS for t in verb.children)


class _Resolver:
    def __init__(self, story: Story, cands: Sequence[Candidate], learned: dict[tuple[str, ...], str],
                 trust_speakers: bool, epithets: bool = False) -> None:
        self.epithets = epithets
        self.story = story
        self.cands = cands
        self.learned = learned
        self.trust_speakers = trust_speakers
        self.entities: list[Entity] = []
        self.ids: list[int] = [-1] * len(cands)
        self.by_character: dict[str, int] = {}
        self.by_key: dict[tuple[str, ...], int] = {}
        self.by_token: dict[str, list[int]] = defaultdict(list)
        self.by_lemma: dict[str, int] = {}
        self.by_text: dict[str, int] = {}
        self.by_plural: dict[str, int] = {}  # `colonist` -> the entity last called `the colonists`
        self.recent: list[int] = []  # entity ids mentioned lately, most recent last
        self.subject_of: dict[int, int] = {}  # verb id -> entity id of its subject
        self.main_subject: dict[int, int] = {}  # sentence -> entity of its main clause's subject
        self.narrator: dict[tuple[int, str], int] = {}
        self.alias_owners: Counter = Counter()
        for character in story.characters:
            for key in {_name_key(a.split())[0] for a in {character.name, *character.aliases}}:
                if key:
                    self.alias_owners[key] += 1
        self.at_span = {(c.start, c.end): i for i, c in enumerate(cands)}
        self.by_head = {(c.para, c.head.i): i for i, c in enumerate(cands) if c.head is not None}
        self.at_start: dict[int, list[int]] = defaultdict(list)
        for i, c in enumerate(cands):
            self.at_start[c.start].append(i)
        self.lemma_modifiers: dict[str, frozenset[str]] = {}
        self.by_rank: dict[str, int] = {}  # `doctor` -> the entity named `Dr. Archie`
        self.by_relation: dict[tuple[int, str, str], int] = {}  # (possessor entity, noun, number) -> entity
        self.genders = {c.id: _norm_gender(c.gender) for c in story.characters}
        self.speaker_spans: dict[tuple[int, int], str] = {}
        self.letters = letter_paragraphs(story)
        self.second_person = _second_person(cands)
        self.unforced: set[int] = set()  # speech-tag pronouns not given the speakers stage's speaker
        if trust_speakers:
            for q in story.quotes:
                if q.speaker and q.speaker_mention:
                    self.speaker_spans[tuple(q.speaker_mention)] = q.speaker  # type: ignore[index]

    # entities
    def new(self, cand: Candidate, number: str | None = None) -> int:
        ent = Entity(id=len(self.entities), number=number or cand.number, gender=cand.gender)
        self.entities.append(ent)
        return ent.id

    def for_character(self, cid: str) -> int:
        if cid not in self.by_character:
            character = self.story.character(cid)
            keys: list[tuple[str, ...]] = []
            gender = self.genders.get(cid)
            if character is not None:
                for alias in sorted({character.name, *character.aliases}):
                    key, title_gender = _name_key(alias.split())
                    if key and self.alias_owners.get(key) == 1:
                        keys.append(key)
                    gender = gender or title_gender or self.learned.get(key)
            # a name met before the character was known is that character
            titles = {t for a in {character.name, *character.aliases}
                      if (t := _title_class(a.split()))} if character is not None else set()
            known = [self.by_key[k] for k in keys if k in self.by_key
                     and self.entities[self.by_key[k]].character is None
                     and not (titles and self.entities[self.by_key[k]].titles - titles)]
            if known:
                ent = self.entities[known[0]]
                ent.character = cid
                ent.gender = ent.gender or gender
            else:
                ent = Entity(id=len(self.entities), character=cid, gender=gender)
                self.entities.append(ent)
            ent.titles.update(titles)
            for key in keys:
                ent.keys.add(key)
                self.by_key.setdefault(key, ent.id)
                for w in key:
                    if ent.id not in self.by_token[w]:
                        self.by_token[w].append(ent.id)
            self.by_character[cid] = ent.id
        return self.by_character[cid]

    def link(self, i: int, eid: int) -> None:
        cand = self.cands[i]
        ent = self.entities[eid]
        self.ids[i] = eid
        if (cand.kind != "pronoun" or cand.person == 3) and not cand.generic:
            ent.third = True
        if cand.kind == "name" and cand.title:
            ent.titles.add(cand.title)
        if cand.kind == "name":
            for word in _rank_words(cand.text.split()):
                self.by_rank[word] = eid
        if cand.kind == "name" and cand.key:
            ent.keys.add(cand.key)
            self.by_key.setdefault(cand.key, eid)
            for w in cand.key:
                if eid not in self.by_token[w]:
                    self.by_token[w].append(eid)
            ent.tokens.update(cand.key)
            if ent.gender is None:
                ent.gender = cand.gender or self.learned.get(cand.key)
        elif cand.kind == "nominal":
            relation = self.relation(cand)
            if relation is not None:
                self.by_relation[relation] = eid
            ent.lemmas.add(cand.lemma)
            if cand.number == "sg" and not _quantified(cand):  # `the girl` is not `the girls`
                self.by_lemma[cand.lemma] = eid
                self.lemma_modifiers[cand.lemma] = cand.modifiers
            elif cand.definite or cand.possessed or cand.modifiers & _NUMBERS:
                self.by_plural[cand.lemma] = eid  # not a bare `men`: men in general
            self.by_text[cand.text.lower()] = eid
            if ent.gender is None and cand.gender:
                ent.gender = cand.gender
        elif cand.kind == "pronoun" and cand.gender:
            ent.votes[cand.gender] += 1
        weight = 100 + _ROLE_WEIGHT.get(cand.role, 20) + (30 if cand.kind == "name" else 0)
        if cand.quote is not None:
            weight *= _QUOTE_WEIGHT
        ent.salience = ent.current(cand.sent) + weight
        ent.last_sent = cand.sent
        if cand.role == "subj" and cand.verb >= 0:
            self.subject_of[cand.verb] = eid
            if cand.quote is None and cand.head is not None and cand.head.head.dep_ == "ROOT":
                self.main_subject.setdefault(cand.sent, eid)
        if eid in self.recent:
            self.recent.remove(eid)
        self.recent.append(eid)
        if len(self.recent) > 60:
            del self.recent[0]

    def run(self) -> tuple[list[int], list[Entity]]:
        deferred: list[int] = []
        # a quotation's known speaker is in view after it, as if named there
        spoken = sorted((q.end, q.speaker) for q in self.story.quotes if q.speaker) \
            if self.trust_speakers and _SPEAKER_WEIGHT else []
        k = 0
        for i, cand in enumerate(self.cands):
            while k < len(spoken) and spoken[k][0] <= cand.start:
                ent = self.entities[self.for_character(spoken[k][1])]
                if ent.last_sent >= 0 and ent.third:
                    ent.salience = ent.current(cand.sent) + _SPEAKER_WEIGHT
                    ent.last_sent = max(ent.last_sent, cand.sent)
                    if ent.id in self.recent:
                        self.recent.remove(ent.id)
                    self.recent.append(ent.id)
                k += 1
            if cand.quote is not None and (
                    (cand.kind == "pronoun" and cand.person in (1, 2))
                    or (cand.kind == "nominal" and self.vocative(cand))
                    or (cand.kind == "name" and not cand.character and self.vocative(cand)
                        and _norm(cand.text) in _TITLE_WORDS)):
                deferred.append(i)
                continue
            if self.ids[i] >= 0:
                continue  # a name already linked with the noun it is in apposition to
            if cand.kind == "name":
                self.link(i, self.resolve_name(cand))
            elif cand.kind == "pronoun":
                self.link(i, self.resolve_pronoun(i, cand))
            elif (j := self.appositive_name(i)) is not None:
                # `her sister , Celia`: the noun is the person named right after it
                eid = self.resolve_name(self.cands[j])
                self.link(i, eid)
                self.link(j, eid)
            else:
                self.link(i, self.resolve_nominal(cand))
        self.resolve_dialogue(deferred)
        self.merge_speech_tags()
        return self.ids, self.entities

    def appositive_name(self, i: int) -> int | None:
        """The name set in apposition after a person noun (`her sister , Celia`, `a trader
        named Jennings`), when it can be the same person."""
        cand = self.cands[i]
        if cand.head is None or cand.number != "sg" or cand.generic:
            return None
        named = [c for child in cand.head.children if child.dep_ == "acl"
                 and child.lemma_.lower() in ("name", "call") for c in child.children
                 if c.dep_ in ("oprd", "attr", "dobj")]  # `a trader named Jennings`
        for child in [*cand.head.children, *named]:
            if (child.dep_ != "appos" and child not in named) or child.i < cand.head.i:
                continue
            j = self.by_head.get((cand.para, child.i))
            if j is None or j <= i or self.ids[j] >= 0 or self.cands[j].kind != "name":
                continue
            name = self.cands[j]
            if name.quote is not None or name.number != "sg":
                continue
            gender = name.gender or self.learned.get(name.key)
            if cand.gender and gender and cand.gender != gender:
                continue
            return j
        return None

    def merge_speech_tags(self) -> None:
        """`"...," cried his wife`: a described speaker is the quotation's known speaker."""
        if not self.trust_speakers:
            return
        into: dict[int, int] = {}
        for quote in self.story.quotes:
            if not quote.speaker:
                continue
            tag = self.at_span.get(tuple(quote.speaker_mention)) if quote.speaker_mention else None
            if tag is None:
                tag = self.speech_tag(quote)
            if tag is None or self.cands[tag].kind == "name" or self.ids[tag] < 0:
                continue
            source = self.ids[tag]
            target = self.for_character(quote.speaker)
            a, b = self.entities[source], self.entities[target]
            ga, gb = _gender_of(a), _gender_of(b)
            if source != target and a.character is None and not (
                    ga and gb and ga != gb) and a.number == b.number:
                into[source] = target
        if into:
            def final(eid: int) -> int:
                seen = {eid}
                while eid in into and into[eid] not in seen:
                    eid = into[eid]
                    seen.add(eid)
                return eid

            into = {source: final(source) for source in into}
            self.ids = [into.get(eid, eid) for eid in self.ids]
            for source, target in into.items():
                self.entities[source].character = self.entities[target].character

    def resolve_name(self, cand: Candidate) -> int:
        if cand.character:
            return self.for_character(cand.character)
        key = cand.key
        gender = cand.gender or self.learned.get(key)
        options: list[int] = []
        if key in self.by_key:
            options.append(self.by_key[key])
        if len(key) == 1:
            options += self.by_token.get(key[0], [])
        elif key:
            # `Walter Elliot` after `Sir Walter`: same last word or same first word
            # (`the Queen` is not `the Indians`: a determiner is no part of a name to match)
            first = key[0] if key[0] not in _NAME_GLUE else None
            last = key[-1] if key[-1] not in _NAME_GLUE else None
            options += [e for e in self.by_token.get(last or "", []) + self.by_token.get(first or "", [])
                        if any(k and ((last and k[-1] == last) or (first and k[0] == first))
                               for k in self.entities[e].keys)]
        options = [e for e in dict.fromkeys(options) if self.name_fits(self.entities[e], cand, gender)]
        if options:
            # the same name before a partial one; the latest of either
            return max(options, key=lambda e: (key in self.entities[e].keys, self.entities[e].last_sent, e))
        eid = self.new(cand)
        self.entities[eid].gender = gender
        return eid

    def name_fits(self, ent: Entity, cand: Candidate, gender: str | None) -> bool:
        """Whether a name can be a further name of the entity: no clash of gender, of
        title (`Mrs. Bennet` is not `Mr. Bennet`) or of given name (`Adam Patch` is not
        `Anthony Patch`)."""
        if gender and ent.gender and ent.gender != gender:
            return False
        if cand.title and ent.titles and cand.title not in ent.titles:
            return False
        key = cand.key
        if len(key) >= 2 and not _is_initial(key[0]):
            for k in ent.keys:
                if len(k) >= 2 and k[-1] == key[-1] and k[0] != key[0] and not _is_initial(k[0]):
                    return False
        return True

    def compatible(self, ent: Entity, cand: Candidate) -> bool:
        if ent.number != cand.number:
            return False
        if cand.gender and ent.gender and ent.gender != cand.gender:
            return False
        return not (cand.gender and ent.gender is None and ent.votes
                    and ent.votes.most_common(1)[0][0] != cand.gender)

    def resolve_pronoun(self, i: int, cand: Candidate) -> int:
        if cand.person in (1, 2):
            # first person in narration: the narrator (`we`: the narrator's group of the moment);
            # second person in narration: the narratee
            key = (cand.person, cand.number)
            if cand.person == 2 and (_generic_you(cand) or (
                    cand.para not in self.letters and not self.second_person)):
                # `you could see the sea from there`, `when you got near them`: anyone; the
                # narration speaks to a particular `you` in a letter or a second-person story
                return self.new(cand)
            last = self.narrator.get(key)
            reach = _WE_REACH if key == (1, "pl") else 10**9
            if last is not None and cand.sent - self.entities[last].last_sent <= reach:
                return last
            self.narrator[key] = self.new(cand)
            return self.narrator[key]
        if self.trust_speakers and (cand.start, cand.end) in self.speaker_spans:
            eid = self.for_character(self.speaker_spans[(cand.start, cand.end)])
            ent = self.entities[eid]
            if self.compatible(ent, cand) and cand.sent - ent.last_sent <= _LONG_WINDOW:
                return eid
            # a speaker the story has not mentioned within a pronoun's reach is no antecedent
            # for `he said`: the pronoun is resolved as any other, and the quotation's `I` follows it
            self.unforced.add(i)
        subject = self.clause_subject(cand)
        if cand.reflexive and subject is not None and self.compatible(self.entities[subject], cand):
            return subject
        excluded: set[int] = set()
        if not cand.reflexive and cand.role in ("obj", "iobj", "obl") and subject is not None:
            excluded.add(subject)
        if cand.quote is not None:
            quote = self.story.quotes[cand.quote]
            for cid in [quote.speaker, *quote.addressees]:
                if cid and cid in self.by_character:
                    excluded.add(self.by_character[cid])
            excluded |= self.called(cand.quote)  # who is called by name is `you`, not `he`
        if cand.quote is None:
            # the narrator of a first-person story is `I` in the narration, never `he`
            excluded.update(self.narrator.values())
        best, best_score = -1, 0.0
        parallel = self.main_subject.get(cand.sent - 1) if cand.role == "subj" else None
        owner = self.owner_subject(cand) if cand.role == "poss" else None
        for eid in reversed(self.recent):
            ent = self.entities[eid]
            reach = _PLURAL_WINDOW if cand.number == "pl" else _LONG_WINDOW
            if eid in excluded or not ent.third or cand.sent - ent.last_sent > reach:
                continue
            if not self.compatible(ent, cand):
                continue
            score = ent.current(cand.sent)
            if cand.gender and ent.gender is None and not ent.votes:
                score *= _UNKNOWN_GENDER
            if cand.sent - ent.last_sent > _WINDOW:
                score *= 0.01  # only when nothing nearer fits
            if eid == parallel:
                score *= 1 + _PARALLEL
            if eid == owner:
                score *= 1 + _POSS_SUBJECT
            if score > best_score:
                best, best_score = eid, score
        if best >= 0:
            return best
        return self.new(cand)

    def owner_subject(self, cand: Candidate) -> int | None:
        """For `his` in `he raised his hand`: the subject of the clause the possessed noun is in."""
        noun = cand.head.head if cand.head is not None else None
        if noun is None or noun.i == cand.head.i or noun.dep_ in ("nsubj", "nsubjpass"):
            return None
        verb = noun.head
        if noun.dep_ == "pobj" and verb.dep_ == "prep":
            verb = verb.head
        return self.subject_above(cand.verb - noun.i, verb)

    def subject_above(self, base: int, verb) -> int | None:
        """The entity of the subject of `verb`, else of the verbs it is joined to (`and`-joined,
        complements, adverbial clauses), up to four steps; `base + token.i` keys `subject_of`."""
        for _ in range(4):
            eid = self.subject_of.get(base + verb.i)
            if eid is not None:
                return eid
            if verb.dep_ in ("conj", "acomp", "xcomp", "advcl") and verb.head.i != verb.i:
                verb = verb.head
            else:
                break
        return None

    def clause_subject(self, cand: Candidate) -> int | None:
        """The entity of the subject of the pronoun's clause (through `and`-joined verbs)."""
        if cand.head is None:
            return None
        verb = cand.head.head
        if cand.head.dep_ == "pobj" and verb.dep_ == "prep":
            verb = verb.head
        return self.subject_above(cand.verb - verb.i if cand.verb >= 0 else 0, verb)

    def resolve_nominal(self, cand: Candidate) -> int:
        if cand.generic:
            return self.new(cand)
        relation = self.relation(cand)
        if relation is not None and relation in self.by_relation:
            return self.by_relation[relation]
        if relation is not None and cand.number == "sg" and cand.lemma in _SELF_NOUNS:
            return relation[0]  # `his person`, `my body`: the possessor
        if relation is not None and cand.number == "sg" and cand.lemma in _KIN:
            kin = self.kin_by_family_name(relation[0], cand)
            if kin is not None:
                return kin
        if cand.number == "sg" and cand.lemma not in group_nouns():
            if cand.possessed:
                eid = self.by_text.get(cand.text.lower())
                if eid is not None and cand.sent - self.entities[eid].last_sent <= 30:
                    return eid
            elif cand.definite:
                same = self.by_lemma.get(cand.lemma)
                if same is not None and (cand.modifiers & _CONTRAST or (
                        cand.modifiers and self.lemma_modifiers.get(cand.lemma)
                        and not cand.modifiers & self.lemma_modifiers[cand.lemma])):
                    same = None  # `the other man`, `the young man` after `the old man`
                for eid in (same, self.by_rank.get(cand.lemma)):
                    # `the doctor` again, or `the doctor` after `Dr. Archie`
                    if eid is not None and cand.sent - self.entities[eid].last_sent <= _NOMINAL_WINDOW:
                        ent = self.entities[eid]
                        if not (cand.gender and _gender_of(ent) and cand.gender != _gender_of(ent)):
                            return eid
                if self.epithets and cand.role in _EPITHET_ROLES and cand.gender:
                    # `the boy` as a subject with no earlier boy: the salient character
                    best = self.most_salient(cand, window=2)
                    if best is not None and self.entities[best].current(cand.sent) >= _EPITHET_SALIENCE:
                        return best
        elif cand.definite:
            eid = self.by_text.get(cand.text.lower())
            if eid is not None and cand.sent - self.entities[eid].last_sent <= 30:
                return eid
            # `the colonists` again, after `the alarmed colonists`: the same group
            eid = self.by_plural.get(cand.lemma)
            if eid is not None and not cand.modifiers & _CONTRAST and not _restricted(cand) \
                    and cand.sent - self.entities[eid].last_sent <= _PLURAL_NOMINAL_WINDOW:
                return eid
        if cand.number == "sg" and cand.head is not None and not cand.definite and not cand.possessed \
                and not any(c.dep_ == "det" for c in cand.head.children):
            # a bare `Mother`, `papa`, `uncle`: used like a name
            eid = self.by_text.get(cand.text.lower())
            if eid is not None:
                return eid
        return self.new(cand)

    def relation(self, cand: Candidate) -> tuple[int, str, str] | None:
        """(entity of the possessor, head noun) of `her father`, `Mary's aunt`, once the
        possessor is resolved."""
        owner = self.possessor_entity(cand)
        return None if owner is None else (owner, cand.lemma, cand.number)

    def kin_by_family_name(self, owner: int, cand: Candidate) -> int | None:
        """`his wife` when he is Mr. Bennet: the one other person of the family name with
        the gender (and title) the relation asks for."""
        family = _family_names(self.entities[owner])
        if not family:
            return None
        gender, titles = _KIN[cand.lemma]
        if cand.lemma in _PARENTS and "mrs" in self.entities[owner].titles:
            return None  # a wife's family name is her husband's, not her father's
        found = []
        for word in family:
            for eid in self.by_token.get(word, ()):
                ent = self.entities[eid]
                if eid == owner or eid in found or word not in _family_names(ent):
                    continue
                if _gender_of(ent) != gender or (cand.lemma in _YOUNGER and ent.titles & {"mr", "mrs"}):
                    continue  # `his son` is not `Mr. Pett`, who is the father or husband
                found.append(eid)
        if len(found) > 1 and titles:
            found = [e for e in found if self.entities[e].titles & titles] or found
        return found[0] if len(found) == 1 else None

    def possessor_entity(self, cand: Candidate) -> int | None:
        """The entity of the possessor of `her father`, `Mary's aunt`, once it is resolved."""
        if cand.possessor < 0:
            return None
        for j in self.at_start.get(cand.possessor, ()):
            other = self.cands[j]
            if other is not cand and other.end <= cand.end and self.ids[j] >= 0:
                return self.ids[j]
        return None

    def vocative(self, cand: Candidate) -> bool:
        """`sir`, `my dear`, `boy` said to someone: a noun set off by commas inside a quotation."""
        if cand.number != "sg" or cand.head is None:
            return False
        text = self.story.text
        before = text[max(0, cand.start - 3):cand.start].strip()
        after = text[cand.end:cand.end + 3].strip()
        opens = not before or before[-1] in ",;!?\u201c\u2018\"'\u2014-"
        closes = not after or after[0] in ",;!?.\u201d\u2019\"'\u2014-"
        return opens and closes and cand.head.dep_ not in ("nsubj", "dobj", "pobj")

    def most_salient(self, cand: Candidate, window: int) -> int | None:
        best, best_score = None, 0.0
        for eid in reversed(self.recent):
            ent = self.entities[eid]
            if not ent.third or cand.sent - ent.last_sent > window or not self.compatible(ent, cand):
                continue
            score = ent.current(cand.sent)
            if score > best_score:
                best, best_score = eid, score
        return best

    def resolve_dialogue(self, deferred: list[int]) -> None:
        """`I`/`me`/`my` in a quotation are its speaker; `you` its addressee."""
        speaker_of: dict[int, int] = {}
        addressee_of: dict[int, int] = {}
        group_of: dict[int, int] = {}
        by_quote: dict[int, list[int]] = defaultdict(list)
        for i in deferred:
            by_quote[self.cands[i].quote].append(i)  # type: ignore[index]
        last_we: tuple[int, int] | None = None
        for qi in sorted(by_quote):
            quote = self.story.quotes[qi]
            spk = self.quote_speaker(qi)
            if spk is not None and spk in self.called(qi):
                # `"Watson, you amaze me"` is not Watson speaking: his addressee spoke
                singles = [a for a in quote.addressees if a]
                spk = self.for_character(singles[0]) if len(singles) == 1 else None
                if spk in self.called(qi):
                    spk = None
            for i in by_quote[qi]:
                cand = self.cands[i]
                if cand.person == 1 and cand.number == "sg":
                    if spk is None:
                        spk = speaker_of.setdefault(qi, self.new(cand))
                    self.link(i, spk)
                elif cand.person == 1:
                    if last_we is not None and cand.sent - last_we[1] <= 8:
                        eid = last_we[0]
                    else:
                        if qi not in group_of:
                            group_of[qi] = self.new(cand, "pl")
                        eid = group_of[qi]
                    last_we = (eid, cand.sent)
                    self.link(i, eid)
                else:
                    eid = None
                    singles = [a for a in quote.addressees if a]
                    called = self.called(qi) - {spk}
                    if cand.number == "sg" and len(called) == 1:
                        eid = next(iter(called))  # `Watson, you amaze me`
                    elif cand.number == "sg" and len(singles) == 1 and (
                            self.entities[self.for_character(singles[0])].last_sent >= 0):
                        eid = self.for_character(singles[0])
                    elif cand.number == "sg" and (prev := self.previous_speaker(qi, spk)) is not None:
                        eid = prev
                    elif cand.number == "sg":
                        eid = self.next_speaker(qi, spk)
                    if eid is None and cand.number == "sg":
                        eid = self.nearby_person(qi, spk)
                    if eid is None:
                        if qi not in addressee_of:
                            addressee_of[qi] = self.new(cand)
                        eid = addressee_of[qi]
                    self.link(i, eid)

    def nearby_person(self, qi: int, spk: int | None) -> int | None:
        """The last person other than the speaker mentioned in the narration just before
        the quotation (`she said to her son: "Are you coming?"`)."""
        if not hasattr(self, "_starts"):
            self._starts = [c.start for c in self.cands]
        quote = self.story.quotes[qi]
        j = bisect.bisect_left(self._starts, quote.start) - 1
        while j >= 0 and self.cands[j].start >= quote.start - _NEARBY:
            cand = self.cands[j]
            if cand.quote is None and cand.number == "sg" and cand.person == 3 and self.ids[j] >= 0 \
                    and self.ids[j] != spk and not cand.generic:
                return self.ids[j]
            j -= 1
        return None

    def called(self, qi: int) -> set[int]:
        """The entities a quotation calls by name (`Watson, ...`)."""
        if not hasattr(self, "_vocatives"):
            self._vocatives: dict[int, list[int]] = defaultdict(list)
            for j, cand in enumerate(self.cands):
                if cand.quote is not None and cand.kind == "name" and self.vocative(cand):
                    self._vocatives[cand.quote].append(j)
        return {self.ids[j] for j in self._vocatives.get(qi, ()) if self.ids[j] >= 0}

    def previous_speaker(self, qi: int, spk: int | None) -> int | None:
        """The speaker of the quotation answered: the one just before, close by, if another."""
        quotes = self.story.quotes
        if qi == 0 or quotes[qi].start - quotes[qi - 1].end > _TURN_GAP:
            return None
        other = self.quote_speaker(qi - 1)
        return other if other != spk else None

    def next_speaker(self, qi: int, spk: int | None) -> int | None:
        """The speaker of the reply: the next quotation close by with another speaker."""
        quotes = self.story.quotes
        for qj in range(qi + 1, min(qi + 3, len(quotes))):
            if quotes[qj].start - quotes[qj - 1].end > _TURN_GAP:
                break
            other = self.quote_speaker(qj)
            if other is not None and other != spk:
                return other
        return None

    def quote_speaker(self, qi: int) -> int | None:
        quote = self.story.quotes[qi]
        tag = self.speech_tag(quote)
        if tag is not None and self.cands[tag].person == 1 and self.ids[tag] >= 0:
            return self.ids[tag]  # `I said`: the narrator, whoever the speakers stage named
        if quote.speaker and tag is not None and self.ids[tag] >= 0 and self.cands[tag].gender:
            named = _gender_of(self.entities[self.for_character(quote.speaker)])
            if named and named != self.cands[tag].gender:
                return self.ids[tag]  # `she said` after a man was named: the tag wins
        if tag is not None and tag in self.unforced and self.ids[tag] >= 0:
            return self.ids[tag]  # `he said` of a speaker not met yet: whom the pronoun refers to
        if quote.speaker:
            return self.for_character(quote.speaker)
        if quote.speaker_mention:
            i = self.at_span.get(tuple(quote.speaker_mention))
            if i is not None and self.ids[i] >= 0:
                return self.ids[i]
        tag = self.speech_tag(quote)
        return self.ids[tag] if tag is not None and self.ids[tag] >= 0 else None

    def speech_tag(self, quote: Any) -> int | None:
        """The candidate that is the subject of a speech verb next to the quotation."""
        lo, hi = quote.start, quote.end
        p_idx = quote.paragraph
        best: tuple[int, int] | None = None
        for i in self._cands_near(lo, hi, p_idx):
            cand = self.cands[i]
            if cand.quote is not None or cand.role != "subj" or cand.head is None:
                continue
            if cand.head.head.lemma_.lower() not in SPEECH_VERBS:
                continue
            dist = lo - cand.end if cand.end <= lo else cand.start - hi
            if best is None or dist < best[0]:
                best = (dist, i)
        return None if best is None else best[1]

    def _cands_near(self, lo: int, hi: int, p_idx: int | None) -> list[int]:
        if not hasattr(self, "_starts"):
            self._starts = [c.start for c in self.cands]
        a = bisect.bisect_left(self._starts, lo - 200)
        b = bisect.bisect_right(self._starts, hi + 200)
        return [i for i in range(a, b) if p_idx is None or self.cands[i].para == p_idx]
