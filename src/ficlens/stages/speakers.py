"""Speakers: who says each quotation.

A sieve first: a speech tag whose subject names a character (`said Lily`, `Lily said`,
`Lily, said`) decides the speaker. Every other quotation is decided by a small learned
ranker over the characters around it (see `scripts/train_speaker_model.py`): features of the
speech tag (`he said` — the pronoun's gender, the most recent character of that gender),
of the paragraph (who acts or is named in the narration around the quote), of the quotation
(vocatives name the listener, not the speaker) and of the conversation (turn-taking with
the quotes before and after, who was just addressed). The ranker runs twice: the second pass
sees the first pass's speakers of the neighbouring quotes.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ficlens.model import Quote, Story

SPEECH_VERBS = {
    "say", "ask", "reply", "cry", "answer", "exclaim", "return", "add", "continue", "whisper",
    "mutter", "shout", "observe", "remark", "begin", "rejoin", "resume", "interrupt", "repeat",
    "call", "murmur", "declare", "inquire", "enquire", "explain", "suggest", "retort",
    "protest", "insist", "admit", "agree", "scream", "sigh", "laugh", "snap", "growl", "yell",
    "groan", "moan", "mumble", "stammer", "stutter", "gasp", "hiss", "sob", "bark", "roar",
    "demand", "respond", "tell", "reason", "argue", "announce", "persist", "urge", "plead",
    "beg", "warn", "assure", "conclude", "pursue", "proceed", "interpose", "put", "speak",
    "think", "wonder", "giggle", "chuckle", "smile", "grin", "nod", "shrug", "sneer", "scoff",
    "breathe", "squeak", "squeal", "wail", "whimper", "bellow", "howl", "drawl", "purr",
    "chime", "offer", "correct", "confess", "acknowledge", "note", "state", "inform",
    "tease", "joke", "lie", "promise", "point", "counter", "concede", "comment", "echo",
    "go", "write", "read", "sing", "pray", "hazard", "venture", "volunteer", "bawl", "shriek",
    "ejaculate", "vociferate", "falter", "entreat", "implore", "whine",
    "burst", "cut", "interject", "quote", "recite", "scold", "lecture",
    # tags common in fan fiction and modern prose (`Draco deadpanned`, `she huffed`)
    "blurt", "snarl", "quip", "huff", "snort", "grumble", "deadpan", "chirp", "croak", "rasp",
    "coo", "grunt", "cackle", "muse", "object", "prompt", "smirk", "snicker", "snigger",
    "sniff", "splutter", "sputter", "screech", "trill", "simper", "yelp", "taunt", "mock",
    "complain", "soothe", "reassure", "babble", "gush", "rumble", "mouth", "hum", "jeer",
}
_FEMALE_NOUNS = {"woman", "girl", "lady", "mother", "wife", "aunt", "sister", "daughter",
                 "widow", "queen", "duchess", "maid", "niece", "bride", "mistress", "hostess",
                 "governess", "landlady", "grandmother", "nurse", "housekeeper", "princess"}
_MALE_NOUNS = {"man", "boy", "gentleman", "father", "husband", "uncle", "brother", "son",
               "king", "duke", "lord", "nephew", "groom", "master", "host", "landlord",
               "grandfather", "fellow", "lad", "butler", "clergyman", "priest", "doctor",
               "colonel", "captain", "major", "general", "prince", "sir", "squire", "waiter"}
_NOT_TAG_SUBJECTS = {"it", "this", "that", "there", "which", "what", "who"}
_MALE = {"he", "him", "his", "himself"}
_FEMALE = {"she", "her", "hers", "herself"}
_FIRST = {"i", "me", "my", "myself"}
_PLURAL = {"they", "we", "them", "us"}
_WORD_RE = re.compile(r"\w+")
_FIRST_RE = re.compile(r"\b(?:I|me|my|myself)\b")
_WINDOW = 10  # paragraphs of context before a quote
_MAX_CANDIDATES = 16


@dataclass
class Tag:
    """The speech tag of a quotation: its verb and the subject naming the speaker."""

    verb: int | None = None  # story offset of the verb
    start: int | None = None  # the subject mention
    end: int | None = None
    kind: str = "none"  # name / pronoun / nominal / none
    character: str | None = None  # for a name
    gender: str | None = None  # for a pronoun: male / female / first / plural
    head: str = ""  # the subject's head word (lower case)
    after: bool = True  # the tag follows (or interrupts) the quote
    addressee: str | None = None  # `said to X`, `told X`


@dataclass
class _Para:
    """What the narration of one paragraph says: names, their roles, where quotes are."""

    names: list[tuple[int, str, bool]] = field(default_factory=list)  # (offset, id, is_subject)
    quotes: list[int] = field(default_factory=list)  # quote indices


@dataclass
class Context:
    """Everything the speaker features need, computed once per story."""

    story: Story
    tags: list[Tag]
    paras: list[_Para]
    name_starts: list[int]
    name_chars: list[str]
    in_quote_names: dict[int, list[tuple[int, str, bool]]]  # quote index -> (offset, id, vocative)
    gender: dict[str, str | None]
    prominence: dict[str, float]
    narrator: str | None
    first_person: bool
    turns: list[tuple[int, int]] = field(default_factory=list)  # quote -> (run id, turn index)
    run_turns: dict[int, list[list[int]]] = field(default_factory=dict)  # run -> turns -> quotes
    known: list[str | None] = field(default_factory=list)  # speaker the sieve gives, per quote
    run_known: dict[int, Counter] = field(default_factory=dict)  # run -> sieve speakers
    base_rows: dict[tuple[int, str], list[float]] = field(default_factory=dict)  # feature cache
    focal: dict[int, dict[str, list[str]]] = field(default_factory=dict)  # chapter -> gender -> ids
    parity: dict[int, dict] = field(default_factory=dict)  # quote -> evidence per side of talk
    name_words: dict[str, list[str]] = field(default_factory=dict)  # name word -> ids
    conv: list[int] = field(default_factory=list)  # quote -> conversation (runs joined over
    conv_quotes: list[list[int]] = field(default_factory=list)  # short narration breaks)
    conv_turn: list[int] = field(default_factory=list)  # quote -> turn index in its conversation
    conv_turns: list[list[list[int]]] = field(default_factory=list)  # conversation -> turns
    conv_known: dict[int, Counter] = field(default_factory=dict)  # quote -> sieve speakers
    conv_pred: dict[int, tuple] = field(default_factory=dict)  # quote -> (pass, mass, total, pair)
    # caches of one pass's results, keyed by the identity of the list they were computed from
    nominal_votes: tuple | None = None  # (previous pass, nominal tag head -> speakers)
    addressee_first: tuple | None = None  # (speakers, weights, first-pass listeners per quote)
    addressee_cues: dict[int, tuple] = field(default_factory=dict)  # paragraph -> narration cues
    presence: dict[int, tuple] = field(default_factory=dict)  # id(speakers) -> (speakers, sets)


def attribute_speakers(story: Story) -> Story:
    """Pipeline stage: set `speaker`, `kind`, `confidence`, `speaker_mention` of every quote."""
    if not story.quotes:
        return story
    ctx = build_context(story)
    second = run_model(ctx, load_model())
    for quote, tag, (speaker, confidence) in zip(story.quotes, ctx.tags, second):
        quote.speaker = speaker
        quote.confidence = round(confidence, 3)
        if tag.kind == "name":
            quote.kind = "explicit"
        elif tag.kind in ("pronoun", "nominal"):
            quote.kind = "anaphoric"
        else:
            quote.kind = "implicit"
        quote.speaker_mention = (tag.start, tag.end) if tag.start is not None else None
    count_quotes(story)
    return story


def count_quotes(story: Story) -> None:
    """Fill each character's `quotes` and `words_spoken` from the quotes' speakers."""
    by_id = {c.id: c for c in story.characters}
    for character in story.characters:
        character.quotes = 0
        character.words_spoken = 0
    for quote in story.quotes:
        character = by_id.get(quote.speaker)
        if character is not None:
            character.quotes += 1
            character.words_spoken += len(quote.text.split())


# --- context --------------------------------------------------------------------------------

def _fingerprint(story: Story) -> tuple:
    return (len(story.text), tuple(tuple(q.spans) for q in story.quotes),
            tuple((m.start, m.character) for m in story.mentions if m.kind == "name"))


def build_context(story: Story) -> Context:
    """Names, tags and paragraph facts of a story, for the speaker and addressee stages.

    The context is kept on the story (not a field: never serialised), so the addressee stage
    re-uses the speaker stage's while quotes and names are unchanged.
    """
    fingerprint = _fingerprint(story)
    cached = story.__dict__.get("_dialogue_context")
    if cached is not None and cached[0] == fingerprint and cached[1].story is story:
        return cached[1]
    ctx = _build_context(story)
    story.__dict__["_dialogue_context"] = (fingerprint, ctx)
    return ctx


def _build_context(story: Story) -> Context:
    names = sorted((m for m in story.mentions if m.kind == "name" and m.character),
                   key=lambda m: m.start)
    name_starts = [m.start for m in names]
    name_chars = [m.character for m in names]
    name_ends = {m.start: m.end for m in names}
    spans = sorted((s, e, qi) for qi, q in enumerate(story.quotes) for s, e in q.spans)
    span_starts = [s for s, _, _ in spans]

    def quote_at(offset: int) -> int | None:
        k = bisect.bisect_right(span_starts, offset) - 1
        return spans[k][2] if k >= 0 and spans[k][0] <= offset < spans[k][1] else None

    def name_at(offset: int) -> str | None:
        k = bisect.bisect_right(name_starts, offset) - 1
        if k >= 0 and name_starts[k] <= offset < name_ends[name_starts[k]]:
            return name_chars[k]
        return None

    paras = [_Para() for _ in story.paragraphs]
    in_quote_names: dict[int, list[tuple[int, str, bool]]] = {}
    para_starts = [p.start for p in story.paragraphs]
    for qi, quote in enumerate(story.quotes):
        pi = quote.paragraph if quote.paragraph is not None else max(
            bisect.bisect_right(para_starts, quote.start) - 1, 0)
        paras[pi].quotes.append(qi)
    narration_words = first_words = 0
    k = 0
    for paragraph in story.paragraphs:
        # the narration of the paragraph: its text minus the quotes in it
        pos = paragraph.start
        while k < len(spans) and spans[k][1] <= paragraph.start:
            k += 1
        j = k
        pieces = []
        while j < len(spans) and spans[j][0] < paragraph.end:
            pieces.append(story.text[pos:max(pos, spans[j][0])])
            pos = max(pos, spans[j][1])
            j += 1
        pieces.append(story.text[pos:paragraph.end])
        narration = " ".join(pieces)
        narration_words += len(_WORD_RE.findall(narration))
        first_words += len(_FIRST_RE.findall(narration))
    for mention in names:
        pi = max(bisect.bisect_right(para_starts, mention.start) - 1, 0)
        paragraph = story.paragraphs[pi]
        doc = paragraph.doc
        if doc is None or not paragraph.start <= mention.start < paragraph.end:
            continue
        span = doc.char_span(mention.start - paragraph.start, mention.end - paragraph.start,
                             alignment_mode="expand")
        if span is None or not len(span):
            continue
        head = span[-1]
        qi = quote_at(mention.start)
        if qi is None:
            subject = head.dep_ in ("nsubj", "nsubjpass") or _head_is_subject(head)
            paras[pi].names.append((mention.start, mention.character, subject))
        else:
            in_quote_names.setdefault(qi, []).append(
                (mention.start, mention.character, _vocative(doc, span)))
    tags = [find_tag(story, quote, quote_at, name_at) for quote in story.quotes]
    counts = {c.id: c.mentions for c in story.characters}
    top = max(counts.values(), default=1) or 1
    prominence = {cid: math.log1p(n) / math.log1p(top) for cid, n in counts.items()}
    first_person = narration_words > 0 and first_words / narration_words > 0.012
    ctx = Context(story, tags, paras, name_starts, name_chars, in_quote_names,
                  {c.id: c.gender for c in story.characters}, prominence, None, first_person)
    ctx.narrator = _narrator(ctx) if first_person else None
    _focal(ctx)
    _turns(ctx)
    ctx.known = [None] * len(story.quotes)
    for qi in range(len(story.quotes)):
        decided = sieve(ctx, qi)
        ctx.known[qi] = decided[0] if decided else None
    return ctx


def scene_presence(ctx: Context, speakers: list[str | None]) -> list[set[str]]:
    """Per quote, the characters already in its scene by its paragraph: named in the narration
    since the scene (or chapter) began, up to and including the quote's paragraph, or
    speaking (in `speakers`) in an earlier quote of the scene."""
    cached = ctx.presence.get(id(speakers))
    if cached is not None and cached[0] is speakers:
        return cached[1]
    story = ctx.story
    starts = sorted(scene.start for scene in story.scenes)
    out: list[set[str]] = [set() for _ in story.quotes]
    present: set[str] = set()
    scene_key = None
    for pi, paragraph in enumerate(story.paragraphs):
        key = (paragraph.chapter, bisect.bisect_right(starts, paragraph.start))
        if key != scene_key:
            scene_key, present = key, set()
        present.update(c for _, c, _ in ctx.paras[pi].names)
        for qi in ctx.paras[pi].quotes:
            out[qi] = set(present)
        present.update(speakers[qi] for qi in ctx.paras[pi].quotes if speakers[qi])
        present.difference_update(_departures(ctx, pi))
    ctx.presence[id(speakers)] = (speakers, out)
    return out


_LEAVING_VERBS = {"leave", "depart", "exit", "disappear", "vanish", "withdraw", "retire"}
_OUT_WORDS = {"out", "away", "off"}
# verbs of going that `out`/`away`/`off` make a leaving (`went out`; `cried out` is speech,
# `turned away` and `broke off` leave no one gone)
_GOING_VERBS = {"go", "walk", "run", "hurry", "rush", "stride", "slip", "storm", "march",
                "stalk", "wander", "drive", "ride", "sail", "stumble", "dash", "sweep", "hasten",
                "steal", "creep", "head", "stamp", "flounce", "saunter", "stroll", "limp", "trot",
                "scurry", "scuttle", "bolt", "flee", "fly", "depart"}


def _departures(ctx: Context, pi: int) -> set[str]:
    """The characters the narration of paragraph `pi` sends out of the scene (`Lily left the
    room`, `Severus went out`, `James hurried away`)."""
    doc = ctx.story.paragraphs[pi].doc
    gone: set[str] = set()
    if doc is None:
        return gone
    base = ctx.story.paragraphs[pi].start
    for offset, char, subject in ctx.paras[pi].names:
        if not subject:
            continue
        token = token_at(doc, offset - base)
        if token is None:
            continue
        verb = token.head
        while verb.dep_ == "compound" and verb.head is not verb:
            verb = verb.head
        lemma = verb.lemma_.lower()
        if lemma in _LEAVING_VERBS and not any(t.dep_ == "dobj" and t.lower_ in ("him", "her", "them")
                                               for t in verb.children):
            gone.add(char)  # `left the room`, but not `left him speechless`
        elif lemma in _GOING_VERBS and any(t.dep_ in ("prt", "advmod") and t.lower_ in _OUT_WORDS
                                           for t in verb.children):
            gone.add(char)
    return gone


def token_at(doc, char: int):
    """The token of a paragraph's parse at character `char` of the paragraph, or None."""
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _focal(ctx: Context) -> None:
    """Per chapter, the characters most often the subject of its narration, by gender."""
    counts: dict[int, Counter] = {}
    for paragraph, para in zip(ctx.story.paragraphs, ctx.paras):
        chapter = counts.setdefault(paragraph.chapter, Counter())
        for _, char, subject in para.names:
            chapter[char] += 2 if subject else 1
    for chapter, counter in counts.items():
        ranked: dict[str, list[str]] = {"male": [], "female": [], "any": []}
        for char, _ in counter.most_common():
            ranked["any"].append(char)
            gender = ctx.gender.get(char)
            if gender in ranked:
                ranked[gender].append(char)
        ctx.focal[chapter] = ranked


def _turns(ctx: Context) -> None:
    """Runs of consecutive paragraphs holding quotes: each paragraph is one turn of talk."""
    run, turn, last_para = -1, 0, -10
    ctx.turns = [(0, 0)] * len(ctx.story.quotes)
    ctx.conv = [0] * len(ctx.story.quotes)
    ctx.conv_turn = [0] * len(ctx.story.quotes)
    for pi, para in enumerate(ctx.paras):
        if not para.quotes:
            continue
        if pi != last_para + 1:
            run, turn = run + 1, 0
            ctx.run_turns[run] = []
        else:
            turn += 1
        ctx.run_turns[run].append(list(para.quotes))
        for qi in para.quotes:
            ctx.turns[qi] = (run, turn)
        # a conversation goes on over a narration paragraph or two in the same chapter
        if pi - last_para > _CONV_GAP + 1 or not ctx.conv_quotes or \
                ctx.story.paragraphs[pi].chapter != ctx.story.paragraphs[last_para].chapter:
            ctx.conv_quotes.append([])
            ctx.conv_turns.append([])
        ctx.conv_quotes[-1].extend(para.quotes)
        ctx.conv_turns[-1].append(list(para.quotes))
        for qi in para.quotes:
            ctx.conv[qi] = len(ctx.conv_quotes) - 1
            ctx.conv_turn[qi] = len(ctx.conv_turns[-1]) - 1
        last_para = pi


def _head_is_subject(token) -> bool:
    # "Mr. Knightley": the title token's head is the subject
    return token.dep_ == "compound" and token.head.dep_ in ("nsubj", "nsubjpass")


def _vocative(doc, span) -> bool:
    """True if a name inside a quote addresses someone (`Lily, please`, `Come here, Lily!`)."""
    i, j = span.start, span.end - 1
    before = doc[i - 1] if i > 0 else None
    after = doc[j + 1] if j + 1 < len(doc) else None
    if before is not None and before.lower_ in ("dear", "my", "oh", "o", "poor", "dearest"):
        before = doc[i - 2] if i > 1 else None
    open_before = before is None or before.is_punct or before.is_quote or before.is_space
    close_after = after is None or after.text in (",", "!", "?", ".", ";", "--", "\u2014") \
        or after.is_quote
    return open_before and close_after


def _narrator(ctx: Context) -> str | None:
    """In a first-person story, the character named in dialogue but hardly in narration,
    above all the one called by name in the replies to what `I said`, and never one a
    speech tag names as someone else (`Sirius says`)."""
    quotes = ctx.story.quotes
    inside: dict[str, int] = {}
    for names in ctx.in_quote_names.values():
        for _, char, vocative in names:
            inside[char] = inside.get(char, 0) + 1 + 2 * vocative
    # "Details, Remus." just before or after a quote tagged `I say`: Remus is the narrator
    for qi, tag in enumerate(ctx.tags):
        if tag.kind != "pronoun" or tag.gender != "first":
            continue
        for k in (qi - 1, qi + 1):
            if 0 <= k < len(quotes) and abs((quotes[k].paragraph or 0) - (quotes[qi].paragraph or 0)) <= 2:
                for _, char, vocative in ctx.in_quote_names.get(k, []):
                    if vocative:
                        inside[char] = inside.get(char, 0) + 4
    tagged = Counter(tag.character for tag in ctx.tags if tag.kind == "name" and tag.character)
    outside: dict[str, int] = {}
    for para in ctx.paras:
        for _, char, _ in para.names:
            outside[char] = outside.get(char, 0) + 1
    best, score = None, 0.0
    for char, n in inside.items():
        s = n / (1 + outside.get(char, 0) + 2 * tagged[char]) * math.log1p(n)
        if s > score:
            best, score = char, s
    return best if score >= 3 else None


# --- speech tags ----------------------------------------------------------------------------

def find_tag(story: Story, quote: Quote, quote_at, name_at) -> Tag:
    """The speech tag next to a quote (after it, between its parts, or before it)."""
    paragraphs = story.paragraphs
    pi = quote.paragraph if quote.paragraph is not None else 0
    # the paragraph holding the last span (a speech over several paragraphs ends there)
    end_pi = pi
    while end_pi + 1 < len(paragraphs) and paragraphs[end_pi].end < quote.end:
        end_pi += 1
    regions: list[tuple[int, int, bool]] = []  # (start, end, after)
    for (s0, e0), (s1, _) in zip(quote.spans, quote.spans[1:]):
        regions.append((e0, s1, True))
    last_para = paragraphs[end_pi]
    nxt = _next_quote_start(story, quote, last_para.end)
    regions.append((quote.end, min(nxt, last_para.end), True))
    first_para = paragraphs[pi]
    before_end = quote.start
    before_start = max(first_para.start, _prev_quote_end(story, quote, first_para.start))
    regions.append((before_start, before_end, False))
    for start, end, after in regions:
        if end <= start:
            continue
        para = paragraphs[end_pi] if after and start >= paragraphs[end_pi].start else first_para
        if para.doc is None:  # no parse: the plain patterns only
            tag = _tag_by_pattern(story, start, end, after, name_at)
            if tag is not None:
                return tag
            continue
        tag = _tag_in(story, para, start, end, after, name_at)
        if tag is None or tag.kind == "none":
            tag = _tag_by_pattern(story, start, end, after, name_at) or tag
        if tag is not None:
            return tag
    # "Emma laughed, and replied,⏎⏎"My being charming..."": the tag ends the paragraph before
    if before_start == first_para.start and pi > 0 and story.text[first_para.start:quote.start].strip() == "":
        prev = paragraphs[pi - 1]
        tail = story.text[prev.start:prev.end].rstrip()
        if prev.doc is not None and _prev_quote_end(story, quote, prev.start) <= prev.start:
            start = prev.start
            if not tail.endswith((",", ":", "--", "\u2014")):
                # "She went on, however.": only the last sentence, and only a speech verb
                last = list(prev.doc.sents)[-1]
                start = max(start, prev.start + last.start_char)
            tag = _tag_in(story, prev, start, prev.end, False, name_at)
            if tag is not None and tag.kind != "none":
                return tag
        elif prev.doc is not None and tail.endswith((",", ":", "--", "\u2014")) and \
                quote_at(prev.end - 1) is None:
            # "replied Emma; and ... he burst out,⏎⏎": a second tag after the previous quote's
            start = max(prev.start, _prev_quote_end(story, quote, prev.start))
            tag = _tag_in(story, prev, start, prev.end, False, name_at)
            theirs = _tag_in(story, prev, start, prev.end, True, name_at)
            if tag is not None and tag.kind != "none" and (theirs is None or theirs.verb != tag.verb):
                return tag
    return Tag()


def _verb_forms() -> set[str]:
    irregular = {"said", "says", "told", "tells", "began", "begins", "thought", "went", "goes",
                 "put", "spoke", "wrote", "read", "sang", "cried", "replied", "lied", "answered",
                 "asked", "returned", "continued", "added", "exclaimed", "whispered", "observed",
                 "rejoined", "remarked", "resumed", "interrupted", "repeated", "called",
                 "murmured", "muttered", "shouted", "inquired", "enquired", "explained", "urged",
                 "retorted", "declared", "pursued", "cries", "replies", "asks", "answers"}
    forms = set(irregular)
    for verb in SPEECH_VERBS:
        forms.add(verb + ("d" if verb.endswith("e") else "ed"))
        forms.add(verb + "s")
    return forms


_VERB_FORMS = _verb_forms()
_PRONOUN_GENDER = {"he": "male", "she": "female", "i": "first", "we": "plural", "they": "plural"}


def _tag_by_pattern(story: Story, start: int, end: int, after: bool, name_at) -> Tag | None:
    """A plain `said Emma` / `Emma said` / `he said` right at the quote, when the parse missed it."""
    import re

    text = story.text[start:end]
    words = [(m.start() + start, m.group()) for m in re.finditer(r"[A-Za-z][\w.']*", text)]
    if not words:
        return None
    window = words[:5] if after else words[-5:]
    for k, (offset, word) in enumerate(window):
        if word.lower().rstrip(".") not in _VERB_FORMS:  # "Severus said."
            continue
        for j in (k + 1, k - 1, k + 2):
            if not 0 <= j < len(window):
                continue
            if not _clause_ends(story.text, window[max(j, k)], end):
                continue  # `Rosa said nothing.`, `Lily put the key down.`: no tag
            w_offset, w = window[j]
            char = name_at(w_offset)
            tag = Tag(verb=offset, after=after, start=w_offset, end=w_offset + len(w),
                      head=w.lower())
            if char is not None:
                tag.kind, tag.character = "name", char
                return tag
            if w.lower().rstrip(".") in _PRONOUN_GENDER:
                tag.kind, tag.gender = "pronoun", _PRONOUN_GENDER[w.lower().rstrip(".")]
                return tag
        return None
    return None


def _clause_ends(text: str, word: tuple[int, str], end: int) -> bool:
    """Whether the clause ends right after this word or an adverb after it (`said quietly,`):
    punctuation, or the end of the region."""
    offset, w = word
    if w.endswith("."):
        return True
    rest = re.sub(r"^\s*\w+ly\b", "", text[offset + len(w):end]).lstrip()
    return not rest or rest[0] in ",.!?;:-\u2014\u201c\u201d\"'"


def _next_quote_start(story: Story, quote: Quote, default: int) -> int:
    index = int(quote.id[1:]) if quote.id[1:].isdigit() else None
    if index is not None and index + 1 < len(story.quotes) and story.quotes[index] is quote:
        return story.quotes[index + 1].start
    later = [q.start for q in story.quotes if q.start >= quote.end]
    return min(later, default=default)


def _prev_quote_end(story: Story, quote: Quote, default: int) -> int:
    index = int(quote.id[1:]) if quote.id[1:].isdigit() else None
    if index is not None and 0 < index < len(story.quotes) and story.quotes[index] is quote:
        return story.quotes[index - 1].end
    earlier = [q.end for q in story.quotes if q.end <= quote.start]
    return max(earlier, default=default)


def _tag_in(story: Story, para, start: int, end: int, after: bool, name_at) -> Tag | None:
    doc = para.doc
    base = para.start
    region = doc.char_span(start - base, end - base, alignment_mode="expand")
    tokens = [t for t in region if not t.is_space] if region is not None else []
    if not tokens:
        return None
    if after:
        # the tag is the clause right after the quote: stop at the end of its sentence
        cut = []
        for t in tokens:
            cut.append(t)
            if t.text in (".", "!", "?", ";") and len(cut) > 1:
                break
        tokens = cut[:30]
    else:
        text = story.text[start:end].rstrip()
        if not text or text[-1] not in ",:;\u2014-." and len(tokens) > 12:
            return None
        # only the sentence leading into the quote
        k = len(tokens)
        while k > 0 and tokens[k - 1].text not in (".", "!", "?") or k == len(tokens):
            k -= 1
            if k <= 0:
                break
        tokens = tokens[max(k, 0):][-30:]
    token_ids = {t.i for t in tokens}
    verbs = [t for t in tokens if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in SPEECH_VERBS]
    if not verbs:
        return _possessive_tag(tokens, base, after, name_at)
    verb = verbs[0] if after else verbs[-1]  # the verb nearest the quote
    if _says_something_else(verb, token_ids):
        return None
    subject = _subject(verb, token_ids)
    tag = Tag(verb=base + verb.idx, after=after)
    tag.addressee = _spoken_to(verb, base, name_at)
    if subject is None:
        return tag if len(tokens) <= 6 else None
    head = subject
    sub_start = base + min(t.idx for t in subject.subtree if t.i in token_ids or t.i == subject.i)
    sub_end = base + subject.idx + len(subject.text)
    tag.start, tag.end, tag.head = sub_start, sub_end, head.lower_
    char = name_at(base + head.idx)
    if char is None:
        for t in subject.subtree:
            if t.i in token_ids:
                char = char or name_at(base + t.idx)
    lower = head.lower_
    if char is not None and (head.pos_ == "PROPN" or lower not in _MALE | _FEMALE | _FIRST):
        tag.kind, tag.character = "name", char
    elif lower in ("he", "she", "i", "we", "they"):
        tag.kind = "pronoun"
        tag.gender = {"he": "male", "she": "female", "i": "first"}.get(lower, "plural")
    elif lower in _NOT_TAG_SUBJECTS:
        return tag
    elif verb.lemma_.lower() not in _SAYING_VERBS and not _person_subject(story, head):
        # "The rain went on.", "The door opened": a verb that is speech only when a person does it
        return None
    else:
        tag.kind = "nominal"
    return tag


def _says_something_else(verb, token_ids: set[int]) -> bool:
    """`Rosa said nothing.`, `He thought the door should be shut.`, `She put the key down.`:
    a verb next to a quote whose own object or clause is what was said or done (or that says
    nothing) does not tag the quote. A person (`asked him:`) or a speech noun (`answered the
    question:`) as object still does."""
    for child in verb.children:
        if child.i not in token_ids:
            continue  # the quote itself, parsed as the verb's complement
        if child.dep_ == "neg":
            return True
        if child.i < verb.i + 12 and (child.dep_ == "ccomp" or (
                child.dep_ == "xcomp" and child.tag_ not in ("VBG", "VBN"))):
            return True  # (`asked Ron, frowning`: a participle is a manner, not what was said)
        if child.dep_ == "dobj" and child.pos_ != "PROPN" and child.lower_ not in _OBJECT_OK \
                and child.lemma_.lower() not in _SPEECH_OR_PERSON_NOUNS:
            return True
    return False


_OBJECT_OK = {"him", "her", "them", "me", "us", "you", "it", "this", "these", "so", "one",
              "something", "following", "news", "story", "tale", "truth", "prayer", "lines"}


# verbs that report speech whatever their subject ("a voice said", "the stranger replied")
_SAYING_VERBS = {"say", "ask", "reply", "answer", "exclaim", "whisper", "mutter", "murmur",
                 "shout", "rejoin", "retort", "inquire", "enquire", "remark", "observe",
                 "declare", "explain", "interrupt", "repeat", "demand", "respond", "tell",
                 "stammer", "stutter", "interpose", "interject", "speak", "cry",
                 "mumble", "protest", "insist", "announce", "inform", "drawl"}
_PERSON_NOUNS = _FEMALE_NOUNS | _MALE_NOUNS | {
    "one", "someone", "somebody", "everyone", "everybody", "nobody", "anyone", "other",
    "others", "both", "all", "each", "person", "people", "child", "children", "stranger",
    "friend", "servant", "visitor", "guest", "officer", "man", "woman", "men", "women",
    "voice", "companion", "lawyer", "judge", "professor", "policeman", "soldier", "driver",
    "clerk", "boy", "girl", "lady", "gentleman", "ladies", "gentlemen", "parson", "vicar",
    "rector", "curate", "cousin", "baby", "youth", "crowd", "speaker", "former", "latter",
    "maid", "footman", "coachman", "porter", "guard", "inspector", "mate", "sailor",
    "cook", "gardener", "count", "countess", "baron", "baroness", "marquis", "earl",
    "creature", "fellow", "lover", "partner", "neighbour", "neighbor", "host", "hostess",
    "pupil", "student", "teacher", "master", "mistress", "miss", "madam", "madame", "mrs",
    "mr", "sir", "dame", "old", "young", "new", "first", "second", "third", "last",
}


def _person_subject(story: Story, head) -> bool:
    """Whether a tag subject that is no name or pronoun can be a person: a proper noun, a
    person noun or entity, or a word of a cast member's name (`the count`)."""
    lower = head.lower_
    if head.pos_ == "PROPN" or head.ent_type_ == "PERSON" or lower in _PERSON_NOUNS:
        return True
    words = story.__dict__.get("_cast_name_words")
    if words is None:
        words = {w for c in story.characters for form in [c.name, *c.aliases]
                 for w in _WORD_RE.findall(form.lower())}
        story.__dict__["_cast_name_words"] = words
    return lower in words


_SPEECH_NOUNS = {"answer", "reply", "language", "inquiry", "enquiry", "question", "remark",
                 "observation", "exclamation", "cry", "words", "response", "comment", "rejoinder",
                 "retort", "declaration", "complaint", "reproach", "speech", "greeting",
                 "whisper", "voice", "salutation", "address", "advice", "exclamations"}
#: Objects by which a verb of speech still tags the quote (`answered the question:`).
_SPEECH_OR_PERSON_NOUNS = _SPEECH_NOUNS | _PERSON_NOUNS


def _possessive_tag(tokens, base: int, after: bool, name_at) -> Tag | None:
    """`"...," was Mrs Smith's answer` / `was his reply`: the owner of a speech noun."""
    for token in tokens[:12] if after else tokens[-12:]:
        if token.lower_ not in _SPEECH_NOUNS:
            continue
        for child in token.children:
            if child.dep_ != "poss":
                continue
            tag = Tag(verb=base + token.idx, after=after, start=base + child.idx,
                      end=base + child.idx + len(child.text), head=child.lower_)
            char = name_at(base + child.idx)
            if char is not None:
                tag.kind, tag.character = "name", char
            elif child.lower_ in ("his", "her", "my"):
                tag.kind = "pronoun"
                tag.gender = {"his": "male", "her": "female", "my": "first"}[child.lower_]
            else:
                tag.kind = "nominal"
            return tag
    return None


def _subject(verb, token_ids: set[int]):
    for t in (verb, verb.head if verb.dep_ in ("xcomp", "conj", "ccomp", "advcl") else None):
        if t is None:
            continue
        for child in t.children:
            if child.dep_ in ("nsubj", "nsubjpass") and child.i in token_ids:
                return child
    # "said the old man" parsed as an object
    for child in verb.rights:
        if child.dep_ in ("dobj", "attr", "npadvmod") and child.i in token_ids and (
                child.pos_ in ("PROPN", "NOUN") and child.i - verb.i <= 4):
            return child
    return None


def _spoken_to(verb, base: int, name_at) -> str | None:
    """`said to Lily`, `told Lily`, `asked Lily`: the character spoken to."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ == "to":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return name_at(base + obj.idx) or _compound_name(obj, base, name_at)
        if child.dep_ in ("dobj", "dative") and verb.lemma_ in ("tell", "ask", "answer", "assure",
                                                                 "warn", "inform", "beg", "urge"):
            return name_at(base + child.idx) or _compound_name(child, base, name_at)
    return None


def _compound_name(token, base: int, name_at) -> str | None:
    for t in token.subtree:
        found = name_at(base + t.idx)
        if found:
            return found
    return None


# --- the ranker -----------------------------------------------------------------------------

FEATURES = (
    "bias_like", "tag_name", "tag_name_other", "tag_pron_match", "tag_pron_mismatch",
    "tag_pron_unknown", "tag_pron_rank0", "tag_pron_rank1", "tag_pron_rank2",
    "tag_first_narrator", "tag_plural", "tag_nominal", "tag_nominal_alias", "tag_before",
    "no_tag", "para_before", "para_after", "para_subject", "para_first_subject", "para_only",
    "para_last_before", "para_first_after", "in_quote", "vocative", "prev_para_name",
    "prev_para_subject", "prev_para_last", "recency0", "recency1", "recency2", "dist_last",
    "dist_next", "prominence", "narrator", "narrator_first_person", "tag_addressee",
    "prev_voc_named",
    # conversation (second pass)
    "prev1_same_para", "prev1", "prev2", "next1_same_para", "next1", "next2",
    "prev1_explicit", "prev2_explicit", "next1_explicit", "next2_explicit", "prev_voc",
    "next_voc", "prev_addressed", "alt_prev2_diff", "no_tag_prev2", "no_tag_prev1",
    "prev1_conf", "prev2_conf", "next2_conf", "same_para_other",
    # turn-taking with the quotes the sieve decided (both passes)
    "run_back_even", "run_back_odd", "run_fwd_even", "run_fwd_odd", "run_first_turn",
    "run_two_party_other", "run_participant", "run_participant_count",
    "tag_nominal_gender_match", "tag_nominal_gender_mismatch",
    "pred_back_even", "pred_back_odd", "pred_fwd_even", "pred_fwd_odd",
    "chapter_focal", "pron_focal0", "pron_focal1", "nominal_assoc",
    # the two sides of an alternating exchange: turns at even / odd distance in the run
    "par_known_even", "par_known_odd", "par_voc_odd", "par_voc_even", "par_gender_match",
    "par_gender_mismatch", "par_pred_even", "par_pred_odd", "tag_nominal_word",
    "conv_known", "conv_pred", "conv_pair",
    # the turns of a conversation counted over its narration breaks
    "after_break", "cpar_known_even", "cpar_known_odd", "cpar_pred_even", "cpar_pred_odd",
    "break_prev_pred", "break_prev2_pred",
    # `he said`: the nearest subject of that gender in the narration before
    "tag_pron_subj0", "tag_pron_subj1",
    # `he said` in a conversation whose main speakers include one man (second pass)
    "tag_pron_conv_unique", "tag_pron_conv_shared",
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}


def candidates(ctx: Context, qi: int, previous: list | None) -> list[str]:
    """The characters a quote's speaker is chosen from: those named or speaking nearby."""
    story = ctx.story
    quote = story.quotes[qi]
    pi = quote.paragraph or 0
    seen: dict[str, float] = {}
    lo = bisect.bisect_left(ctx.name_starts, story.paragraphs[max(pi - _WINDOW, 0)].start)
    hi = bisect.bisect_left(ctx.name_starts,
                            story.paragraphs[min(pi + 2, len(story.paragraphs) - 1)].end)
    for k in range(lo, hi):
        char = ctx.name_chars[k]
        seen[char] = max(seen.get(char, 0.0), -abs(ctx.name_starts[k] - quote.start))
    if previous is not None:
        for k in range(max(qi - 6, 0), min(qi + 4, len(story.quotes))):
            speaker = previous[k][0]
            if speaker is not None:
                seen[speaker] = max(seen.get(speaker, -1e9), -abs(k - qi) * 50.0)
    # the known speakers of the conversation this quote belongs to
    run, _ = ctx.turns[qi] if ctx.turns else (None, 0)
    for turn in ctx.run_turns.get(run, []):
        for k in turn:
            if ctx.known and ctx.known[k]:
                seen.setdefault(ctx.known[k], -abs(story.quotes[k].start - quote.start) - 2000.0)
    if ctx.conv:
        for k in conversation_window(ctx, qi):
            if ctx.known[k]:
                seen.setdefault(ctx.known[k], -abs(story.quotes[k].start - quote.start) - 2500.0)
            elif previous is not None and previous[k][0] and previous[k][1] >= _CONV_CANDIDATE:
                seen.setdefault(previous[k][0], -abs(story.quotes[k].start - quote.start) - 2500.0)
    tag = ctx.tags[qi]
    if tag.kind == "name" and tag.character:
        seen[tag.character] = 1.0
    if tag.kind == "nominal":
        # "said the count", "said Denham" that the cast did not mark: a character of that name
        for char in _word_characters(ctx, tag.head):
            seen.setdefault(char, -3000.0)
    if ctx.narrator:
        seen.setdefault(ctx.narrator, -1e6)
    if not seen:
        # nothing nearby: the most prominent characters
        for cid, _ in sorted(ctx.prominence.items(), key=lambda kv: -kv[1])[:3]:
            seen[cid] = -1e9
    ranked = sorted(seen, key=lambda c: -seen[c])
    return ranked[:_MAX_CANDIDATES]


def features(ctx: Context, qi: int, cands: list[str], previous: list | None) -> list[list[float]]:
    """One feature row per candidate speaker of quote `qi`."""
    story = ctx.story
    quote = story.quotes[qi]
    tag = ctx.tags[qi]
    pi = quote.paragraph or 0
    para = ctx.paras[pi]
    narration_before = [(o, c, s) for o, c, s in para.names if o < quote.start]
    narration_after = [(o, c, s) for o, c, s in para.names if o >= quote.end]
    subjects = [c for _, c, s in para.names if s]
    prev_para = ctx.paras[pi - 1] if pi > 0 else _Para()
    prev_has_quotes = bool(prev_para.quotes)
    inside = ctx.in_quote_names.get(qi, [])
    # recency among names before the quote (or before a pronoun tag)
    anchor = tag.start if tag.kind == "pronoun" and tag.start is not None else quote.start
    recent = _recent_names(ctx, anchor, 12)
    rank_all = {c: r for r, c in enumerate(recent)}
    compatible = [c for c in recent if _gender_ok(ctx.gender.get(c), tag.gender)]
    rank_g = {c: r for r, c in enumerate(compatible)}
    prev_quote = story.quotes[qi - 1] if qi > 0 else None
    prev_voc = {c for _, c, v in ctx.in_quote_names.get(qi - 1, []) if v} if qi > 0 else set()
    rows = []
    for cand in cands:
        key = (qi, cand)
        if key in ctx.base_rows:
            f = list(ctx.base_rows[key])

            def put(name: str, value: float = 1.0, f: list[float] = f) -> None:
                f[_INDEX[name]] = value

            if previous is not None:
                _conversation(ctx, qi, cand, previous, put, prev_quote)
            rows.append(f)
            continue
        f = [0.0] * len(FEATURES)

        def put(name: str, value: float = 1.0, f: list[float] = f) -> None:
            f[_INDEX[name]] = value

        put("bias_like")
        gender = ctx.gender.get(cand)
        if tag.kind == "name":
            put("tag_name" if tag.character == cand else "tag_name_other")
        elif tag.kind == "pronoun":
            if tag.gender in ("male", "female"):
                if gender is None:
                    put("tag_pron_unknown")
                elif gender == tag.gender:
                    put("tag_pron_match")
                else:
                    put("tag_pron_mismatch")
                r = rank_g.get(cand)
                if r is not None and r <= 2:
                    put(f"tag_pron_rank{r}")
            elif tag.gender == "first":
                if cand == ctx.narrator:
                    put("tag_first_narrator")
            else:
                put("tag_plural")
        elif tag.kind == "nominal":
            put("tag_nominal")
            if _nominal_matches(story, cand, tag.head):
                put("tag_nominal_alias")
            if cand in _word_characters(ctx, tag.head):
                put("tag_nominal_word")
            noun_gender = ("female" if tag.head in _FEMALE_NOUNS
                           else "male" if tag.head in _MALE_NOUNS else None)
            if noun_gender and gender:
                put("tag_nominal_gender_match" if noun_gender == gender
                    else "tag_nominal_gender_mismatch")
        else:
            put("no_tag")
        if tag.kind != "none" and not tag.after:
            put("tag_before")
        if tag.addressee == cand:
            put("tag_addressee")
        before_chars = [c for _, c, _ in narration_before]
        after_chars = [c for _, c, _ in narration_after]
        if cand in before_chars:
            put("para_before")
            if before_chars[-1] == cand:
                put("para_last_before")
        if cand in after_chars:
            put("para_after")
            if after_chars[0] == cand:
                put("para_first_after")
        if cand in subjects:
            put("para_subject")
            if subjects[0] == cand:
                put("para_first_subject")
        if {c for _, c, _ in para.names} == {cand}:
            put("para_only")
        if any(c == cand for _, c, _ in inside):
            put("in_quote")
        if any(c == cand and v for _, c, v in inside):
            put("vocative")
        if not prev_has_quotes:
            pnames = [c for _, c, _ in prev_para.names]
            if cand in pnames:
                put("prev_para_name")
                if pnames[-1] == cand:
                    put("prev_para_last")
            if any(c == cand and s for _, c, s in prev_para.names):
                put("prev_para_subject")
        r = rank_all.get(cand)
        if r is not None and r <= 2:
            put(f"recency{r}")
        focal = ctx.focal.get(story.paragraphs[pi].chapter, {})
        if focal.get("any", [None])[:1] == [cand]:
            put("chapter_focal")
        if tag.kind == "pronoun" and tag.gender in ("male", "female"):
            ranked = focal.get(tag.gender, [])
            if ranked[:1] == [cand]:
                put("pron_focal0")
            elif ranked[1:2] == [cand]:
                put("pron_focal1")
        put("dist_last", _distance_before(ctx, cand, quote.start))
        put("dist_next", _distance_after(ctx, cand, quote.end))
        put("prominence", ctx.prominence.get(cand, 0.0))
        if cand == ctx.narrator:
            put("narrator")
            if ctx.first_person:
                put("narrator_first_person")
        if cand in prev_voc:
            put("prev_voc_named")
        _run_features(ctx, qi, cand, put)
        ctx.base_rows[key] = list(f)
        if previous is not None:
            _conversation(ctx, qi, cand, previous, put, prev_quote)
        rows.append(f)
    return rows


def _conversation(ctx: Context, qi: int, cand: str, previous: list, put, prev_quote) -> None:
    story = ctx.story
    quotes = story.quotes
    pi = quotes[qi].paragraph or 0

    def near(k: int) -> bool:
        return 0 <= k < len(quotes) and abs((quotes[k].paragraph or 0) - pi) <= 3

    def spoke(k: int) -> bool:
        return near(k) and previous[k][0] == cand

    def explicit(k: int) -> bool:
        return near(k) and ctx.tags[k].kind == "name" and ctx.tags[k].character == cand

    same_para_prev = qi > 0 and quotes[qi - 1].paragraph == quotes[qi].paragraph
    same_para_next = qi + 1 < len(quotes) and quotes[qi + 1].paragraph == quotes[qi].paragraph
    if spoke(qi - 1):
        put("prev1_same_para" if same_para_prev else "prev1")
        put("prev1_conf", previous[qi - 1][1])
    if spoke(qi + 1):
        put("next1_same_para" if same_para_next else "next1")
    if spoke(qi - 2):
        put("prev2")
        put("prev2_conf", previous[qi - 2][1])
        if near(qi - 1) and previous[qi - 1][0] != cand and not same_para_prev:
            put("alt_prev2_diff")
        if ctx.tags[qi].kind == "none":
            put("no_tag_prev2")
    if spoke(qi - 1) and ctx.tags[qi].kind == "none" and not same_para_prev:
        put("no_tag_prev1")
    if spoke(qi + 2):
        put("next2")
        put("next2_conf", previous[qi + 2][1])
    if explicit(qi - 1):
        put("prev1_explicit")
    if explicit(qi - 2):
        put("prev2_explicit")
    if explicit(qi + 1):
        put("next1_explicit")
    if explicit(qi + 2):
        put("next2_explicit")
    if near(qi - 1) and any(c == cand and v for _, c, v in ctx.in_quote_names.get(qi - 1, [])):
        put("prev_voc")
    if near(qi + 1) and any(c == cand and v for _, c, v in ctx.in_quote_names.get(qi + 1, [])):
        put("next_voc")
    if near(qi - 1) and ctx.tags[qi - 1].addressee == cand:
        put("prev_addressed")
    same = [k for k in ctx.paras[pi].quotes if k != qi and previous[k][0] == cand]
    if same:
        put("same_para_other")
    # "said the Jew" elsewhere in the book: whom the previous pass gave that description to
    tag = ctx.tags[qi]
    if tag.kind == "nominal" and tag.head:
        votes = _nominal_votes(ctx, previous).get(tag.head)
        if votes:
            total = sum(votes.values()) - (previous[qi][0] == cand)
            share = (votes[cand] - (previous[qi][0] == cand)) / total if total > 0 else 0.0
            put("nominal_assoc", max(share, 0.0))
    _parity_predicted(ctx, qi, cand, previous, put)
    _conv_predicted(ctx, qi, cand, previous, put)
    _break_predicted(ctx, qi, cand, previous, put)
    # turn-taking with the confident speakers of the previous pass
    for step, name in ((-1, "pred_back"), (+1, "pred_fwd")):
        found = _nearest_confident(ctx, qi, step, previous)
        if found and found[0] == cand:
            put(f"{name}_even" if found[1] % 2 == 0 else f"{name}_odd")


def _nominal_votes(ctx: Context, previous: list) -> dict[str, Counter]:
    """Nominal tag head -> the previous pass's speakers of the quotes it tags."""
    cached = ctx.nominal_votes
    if cached is not None and cached[0] is previous:
        return cached[1]
    votes: dict[str, Counter] = {}
    for k, tag in enumerate(ctx.tags):
        if tag.kind == "nominal" and tag.head and previous[k][0]:
            votes.setdefault(tag.head, Counter())[previous[k][0]] += 1
    ctx.nominal_votes = (previous, votes)
    return votes


def _nearest_turn(ctx: Context, qi: int, step: int, limit: int,
                  speaker_of: Callable[[int], str | None]) -> tuple[str, int] | None:
    """The first speaker `speaker_of` gives in the nearest turns (back or forward) of the run."""
    run, turn = ctx.turns[qi]
    turns = ctx.run_turns.get(run, [])
    for d in range(1, limit + 1):
        t = turn + step * d
        if not 0 <= t < len(turns):
            return None
        for k in turns[t]:
            speaker = speaker_of(k)
            if speaker:
                return speaker, d
    return None


def _nearest_confident(ctx: Context, qi: int, step: int, previous: list,
                       limit: int = 12, confidence: float = 0.7) -> tuple[str, int] | None:
    """The nearest turn whose previous-pass speaker was confident enough."""
    return _nearest_turn(ctx, qi, step, limit,
                         lambda k: previous[k][0] if previous[k][1] >= confidence else None)


def _nearest_known(ctx: Context, qi: int, step: int, limit: int = 8) -> tuple[str, int] | None:
    """The nearest turn (back or forward) of the same run whose speaker the sieve decided."""
    return _nearest_turn(ctx, qi, step, limit, lambda k: ctx.known[k])


def _parity(ctx: Context, qi: int) -> dict:
    """Evidence from the turns around quote `qi` in its run, by side of the exchange: turns at
    even distance (the speaker's own side in an A-B-A-B exchange) and at odd distance."""
    cached = ctx.parity.get(qi)
    if cached is not None:
        return cached
    run, turn = ctx.turns[qi]
    turns = ctx.run_turns.get(run, [])
    out = {"known": (Counter(), Counter()), "voc": (Counter(), Counter()),
           "gender": Counter(), "turns": ([], [])}
    for t in range(max(turn - _PARITY, 0), min(turn + _PARITY + 1, len(turns))):
        if t == turn:
            continue
        side = (t - turn) % 2  # 0: even distance, 1: odd
        out["turns"][side].append(t)
        for k in turns[t]:
            if ctx.known[k]:
                out["known"][side][ctx.known[k]] += 1
            for char in {c for _, c, v in ctx.in_quote_names.get(k, []) if v}:
                out["voc"][side][char] += 1
            tag = ctx.tags[k]
            if side == 0 and tag.kind == "pronoun" and tag.gender in ("male", "female"):
                out["gender"][tag.gender] += 1
    ctx.parity[qi] = out
    return out


_PARITY = 8  # turns looked at on each side for the sides of an exchange
_CONV_GAP = 2  # narration paragraphs a conversation goes on over
_CONV_SPAN = 20  # quotes looked at on each side in a conversation
_CONV_CANDIDATE = 0.7  # confidence at which a speaker of the conversation becomes a candidate


def conversation_window(ctx: Context, qi: int) -> list[int]:
    """The other quotes of quote `qi`'s conversation, at most `_CONV_SPAN` on each side."""
    quotes = ctx.conv_quotes[ctx.conv[qi]] if ctx.conv else []
    k = bisect.bisect_left(quotes, qi)
    return [j for j in quotes[max(k - _CONV_SPAN, 0):k + _CONV_SPAN + 1] if j != qi]


def _conv_features(ctx: Context, qi: int, cand: str, put) -> None:
    """Whether the sieve names cand as a speaker of this conversation (beyond the run)."""
    if qi not in ctx.conv_known:
        ctx.conv_known[qi] = Counter(
            ctx.known[j] for j in conversation_window(ctx, qi) if ctx.known[j])
    n = ctx.conv_known[qi][cand]
    if n:
        put("conv_known", min(n, 4) / 4)


def _conv_predicted(ctx: Context, qi: int, cand: str, previous: list, put) -> None:
    """The previous pass's share of the conversation for cand, and whether cand is one of its
    two main speakers."""
    entry = ctx.conv_pred.get(qi)
    if entry is None or entry[0] is not previous:
        mass: Counter = Counter()
        window = conversation_window(ctx, qi)
        for j in window:
            if previous[j][0]:
                mass[previous[j][0]] += previous[j][1]
        total = sum(mass.values())
        top2 = [c for c, _ in mass.most_common(2)]
        pair = len(top2) == 2 and sum(mass[c] for c in top2) / total >= 0.8
        entry = (previous, mass, total, top2 if pair else [])
        ctx.conv_pred[qi] = entry
    _, mass, total, top2 = entry
    if total:
        put("conv_pred", mass[cand] / total)
    if cand in top2:
        put("conv_pair")
    tag = ctx.tags[qi]
    if total and tag.kind == "pronoun" and tag.gender in ("male", "female") \
            and ctx.gender.get(cand) == tag.gender and mass[cand] / total >= 0.15:
        # the conversation's speakers of that gender (a fifth of its talk or more)
        same = [c for c, m in mass.items() if m / total >= 0.15 and ctx.gender.get(c) == tag.gender]
        put("tag_pron_conv_unique" if same == [cand] else "tag_pron_conv_shared")


def _parity_features(ctx: Context, qi: int, cand: str, put) -> None:
    par = _parity(ctx, qi)
    for side, suffix in ((0, "even"), (1, "odd")):
        n = par["known"][side][cand]
        if n:
            put(f"par_known_{suffix}", min(n, 3) / 3)
        n = par["voc"][side][cand]
        if n:
            put(f"par_voc_{suffix}", min(n, 3) / 3)
    genders = par["gender"]
    total = genders["male"] + genders["female"]
    gender = ctx.gender.get(cand)
    if total and gender in ("male", "female"):
        share = genders[gender] / total
        put("par_gender_match", share)
        put("par_gender_mismatch", 1.0 - share)


def _parity_predicted(ctx: Context, qi: int, cand: str, previous: list, put) -> None:
    """Confidence-weighted share of the turns on each side that the previous pass gave to cand."""
    run, _ = ctx.turns[qi]
    _put_side_shares(put, "par_pred", ctx.run_turns.get(run, []), _parity(ctx, qi)["turns"],
                     cand, previous)


def _put_side_shares(put, prefix: str, turns: list[list[int]], sides, cand: str,
                     previous: list) -> None:
    """`prefix_even`/`prefix_odd`: the confidence-weighted share of the quotes in the turns on
    each side of the exchange that the previous pass gave to cand."""
    for side, suffix in ((0, "even"), (1, "odd")):
        got = total = 0.0
        for t in sides[side]:
            for k in turns[t]:
                speaker, confidence = previous[k]
                total += 1
                if speaker == cand:
                    got += confidence
        if total:
            put(f"{prefix}_{suffix}", got / total)


def _word_characters(ctx: Context, word: str) -> list[str]:
    """The characters with `word` in one of their names (lower case), when at most two have it."""
    if not ctx.name_words:
        index: dict[str, list[str]] = {}
        for character in ctx.story.characters:
            for form in [character.name, *character.aliases]:
                for w in _WORD_RE.findall(form.lower()):
                    if len(w) > 2 and character.id not in index.setdefault(w, []):
                        index[w].append(character.id)
        ctx.name_words = index or {"": []}
    found = ctx.name_words.get(word, [])
    return found if len(found) <= 2 else []


def _conv_turn_window(ctx: Context, qi: int) -> tuple[list[int], list[int]] | None:
    """Turns of quote `qi`'s conversation at even and odd distance, counted over its narration
    breaks, or None when the conversation has no break near the quote (the run's parity then
    says the same)."""
    if not ctx.conv_turns:
        return None
    turns = ctx.conv_turns[ctx.conv[qi]]
    at = ctx.conv_turn[qi]
    run, turn = ctx.turns[qi]
    run_len = len(ctx.run_turns.get(run, []))
    lo, hi = max(at - _PARITY, 0), min(at + _PARITY + 1, len(turns))
    # the run covers every conversation turn in the window: no break to look over
    if at - turn <= lo and at - turn + run_len >= hi:
        return None
    sides: tuple[list[int], list[int]] = ([], [])
    for t in range(lo, hi):
        if t != at:
            sides[(t - at) % 2].append(t)
    return sides


def _break_features(ctx: Context, qi: int, cand: str, put) -> None:
    """The sides of the exchange counted over narration breaks inside a conversation."""
    turn = ctx.turns[qi][1]
    if turn == 0 and ctx.conv_turn and ctx.conv_turn[qi] > 0:
        put("after_break")
    sides = _conv_turn_window(ctx, qi)
    if sides is None:
        return
    turns = ctx.conv_turns[ctx.conv[qi]]
    for side, suffix in ((0, "even"), (1, "odd")):
        n = sum(1 for t in sides[side] for k in turns[t] if ctx.known[k] == cand)
        if n:
            put(f"cpar_known_{suffix}", min(n, 3) / 3)


def _break_predicted(ctx: Context, qi: int, cand: str, previous: list, put) -> None:
    """The previous pass's speakers of the turns over the conversation's narration breaks, and of
    the last two turns before the break this quote follows."""
    sides = _conv_turn_window(ctx, qi)
    if sides is None:
        return
    turns = ctx.conv_turns[ctx.conv[qi]]
    _put_side_shares(put, "cpar_pred", turns, sides, cand, previous)
    turn = ctx.turns[qi][1]
    at = ctx.conv_turn[qi]
    if turn == 0 and at > 0:
        last = turns[at - 1][-1]
        if previous[last][0] == cand:
            put("break_prev_pred", previous[last][1])
        if at > 1 and previous[turns[at - 2][-1]][0] == cand and previous[last][0] != cand:
            put("break_prev2_pred", previous[turns[at - 2][-1]][1])


def _pronoun_subjects(ctx: Context, qi: int, gender: str) -> list[str]:
    """Characters of `gender` named as a subject in the narration before quote `qi`'s pronoun
    tag (its own paragraph, then up to three before), nearest first."""
    story = ctx.story
    quote = story.quotes[qi]
    tag = ctx.tags[qi]
    anchor = tag.start if tag.start is not None else quote.start
    pi = quote.paragraph or 0
    found: list[str] = []
    for p in range(pi, max(pi - 4, -1), -1):
        for offset, char, subject in reversed(ctx.paras[p].names):
            if subject and offset < anchor and ctx.gender.get(char) == gender \
                    and char not in found:
                found.append(char)
        if len(found) >= 2:
            break
    return found


def _run_features(ctx: Context, qi: int, cand: str, put) -> None:
    _parity_features(ctx, qi, cand, put)
    _break_features(ctx, qi, cand, put)
    tag = ctx.tags[qi]
    if tag.kind == "pronoun" and tag.gender in ("male", "female"):
        subjects = _pronoun_subjects(ctx, qi, tag.gender)
        if subjects[:1] == [cand]:
            put("tag_pron_subj0")
        elif subjects[1:2] == [cand]:
            put("tag_pron_subj1")
    _conv_features(ctx, qi, cand, put)
    run, turn = ctx.turns[qi]
    if turn == 0:
        put("run_first_turn")
    if run not in ctx.run_known:
        ctx.run_known[run] = Counter(ctx.known[k] for t in ctx.run_turns.get(run, []) for k in t
                                     if ctx.known[k])
    said = ctx.run_known[run][cand] - (ctx.known[qi] == cand)
    if said:
        put("run_participant")
        put("run_participant_count", min(said, 5) / 5)
    back = _nearest_known(ctx, qi, -1)
    fwd = _nearest_known(ctx, qi, +1)
    for found, name in ((back, "run_back"), (fwd, "run_fwd")):
        if found and found[0] == cand:
            put(f"{name}_even" if found[1] % 2 == 0 else f"{name}_odd")
    # a two-person exchange: the other party of the nearest decided turn at odd distance
    parties = {f[0] for f in (back, fwd) if f}
    if len(parties) == 2 and cand in parties:
        for f in (back, fwd):
            if f and f[0] != cand and f[1] % 2 == 1:
                put("run_two_party_other")


def _gender_ok(gender: str | None, wanted: str | None) -> bool:
    if wanted not in ("male", "female"):
        return True
    return gender is None or gender == wanted


def _recent_names(ctx: Context, offset: int, limit: int) -> list[str]:
    k = bisect.bisect_left(ctx.name_starts, offset) - 1
    out: list[str] = []
    while k >= 0 and len(out) < limit and offset - ctx.name_starts[k] < 4000:
        char = ctx.name_chars[k]
        if char not in out:
            out.append(char)
        k -= 1
    return out


def _distance_before(ctx: Context, cand: str, offset: int) -> float:
    k = bisect.bisect_left(ctx.name_starts, offset) - 1
    while k >= 0 and offset - ctx.name_starts[k] < 5000:
        if ctx.name_chars[k] == cand:
            return 1.0 - math.log1p(offset - ctx.name_starts[k]) / math.log1p(5000)
        k -= 1
    return 0.0


def _distance_after(ctx: Context, cand: str, offset: int) -> float:
    k = bisect.bisect_left(ctx.name_starts, offset)
    while k < len(ctx.name_starts) and ctx.name_starts[k] - offset < 1000:
        if ctx.name_chars[k] == cand:
            return 1.0 - math.log1p(ctx.name_starts[k] - offset) / math.log1p(1000)
        k += 1
    return 0.0


def _nominal_matches(story: Story, cand: str, head: str) -> bool:
    character = story.character(cand)
    if character is None or not head:
        return False
    words = {w.lower() for form in [character.name, *character.aliases] for w in form.split()}
    return head in words


# --- scoring --------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def load_model() -> dict:
    """The shipped ranker weights (`ficlens/data/speaker_model.json`)."""
    text = resources.files("ficlens.data").joinpath("speaker_model.json").read_text("utf-8")
    return json.loads(text)


def score_rows(weights: dict, rows: list[list[float]]) -> list[float]:
    """Ranker scores of candidate feature rows (a logistic model or a one-layer MLP)."""
    import numpy as np

    index, layers = _prepared(weights)
    h = np.asarray(rows, dtype=float)[:, index]
    for k, (w, b) in enumerate(layers):
        h = h @ w + b
        if k < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h.reshape(-1).tolist()


_PREPARED: dict[int, tuple] = {}


def _prepared(weights: dict) -> tuple:
    """The weights as numpy arrays, converted once per model."""
    import numpy as np

    key = id(weights)
    if key not in _PREPARED or _PREPARED[key][0] is not weights:
        index = np.asarray([_INDEX[n] for n in weights["features"]])
        if weights.get("type", "logreg") == "logreg":
            layers = [(np.asarray(weights["coef"], dtype=float).reshape(-1, 1),
                       np.asarray([weights["intercept"]], dtype=float))]
        else:
            layers = [(np.asarray(w, dtype=float), np.asarray(b, dtype=float))
                      for w, b in zip(weights["coefs"], weights["intercepts"])]
        _PREPARED[key] = (weights, index, layers)
    return _PREPARED[key][1], _PREPARED[key][2]


def sieve(ctx: Context, qi: int) -> tuple[str, float] | None:
    """The speaker a high-precision rule gives: a named tag subject, or `I said` in a
    first-person story (the narrator)."""
    tag = ctx.tags[qi]
    if tag.kind == "name" and tag.character:
        return tag.character, 0.97
    if tag.kind == "pronoun" and tag.gender == "first" and ctx.narrator:
        return ctx.narrator, 0.9
    return None


def predict(ctx: Context, weights: dict, previous: list | None) -> list[tuple[str | None, float]]:
    """(speaker id, confidence) for every quote of the story."""
    out: list[tuple[str | None, float]] = []
    for qi in range(len(ctx.story.quotes)):
        cands = candidates(ctx, qi, previous)
        if not cands:
            out.append((None, 0.0))
            continue
        decided = sieve(ctx, qi) or _resumed(ctx, qi, out)
        if decided is not None:
            out.append(decided)
            continue
        scores = score_rows(weights, features(ctx, qi, cands, previous))
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        best = scores.index(top)
        out.append((cands[best], exp[best] / sum(exp)))
    return out


_DASHES = ("\u2014", "\u2013", "--", "-")


def _resumed(ctx: Context, qi: int, out: list[tuple[str | None, float]]
             ) -> tuple[str | None, float] | None:
    """An untagged speech that picks up, after a dash, the speech cut off by a dash two turns
    before (`"That was one time—"` / `"Twice."` / `"—and it was hardly my fault"`): its
    speaker, the one whose words were cut off."""
    quotes = ctx.story.quotes
    if qi < 2 or ctx.tags[qi].kind != "none" or not quotes[qi].text.lstrip().startswith(_DASHES):
        return None
    cut, between = quotes[qi - 2], quotes[qi - 1]
    if not cut.text.rstrip().endswith(_DASHES) or not out[qi - 2][0]:
        return None
    paragraphs = [q.paragraph or 0 for q in (cut, between, quotes[qi])]
    if paragraphs[2] - paragraphs[0] > 3 or out[qi - 1][0] == out[qi - 2][0]:
        return None
    return out[qi - 2]


def run_model(ctx: Context, model: dict) -> list[tuple[str | None, float]]:
    """(speaker id, confidence) for every quote: the first pass, then the second pass (seeing
    the first's speakers of the neighbouring quotes) and its repeats."""
    out = predict(ctx, model["stage1"], None)
    for _ in range(1 + model.get("extra_passes", 0)):
        # the second pass again, now seeing its own (better) speakers of the neighbours
        out = predict(ctx, model["stage2"], out)
    return out
