"""Places and scene locations: named places (`Diagon Alley`, `Pemberley`) and settings
(`the library`, `the portrait hole`), the characters seen at each, and where each scene is.

Named places are proper-noun phrases that spaCy tags as a place (GPE, LOC, FAC), that end
in a place word (`Gryffindor Tower`, `Grosvenor Street`), or that follow a preposition of
place (`at Pemberley`, `to Hogsmeade`) and are no character's name. Settings are noun
phrases whose head is a place noun. A scene's location is the place it names most,
counting a mention after a preposition of place (`in the library`) and one early in the
scene more.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from typing import Any

from ficlens.model import Place, Story


def _words(text: str) -> list[str]:
    return text.split()


#: Common nouns that name a setting (a place one can be in).
PLACE_NOUNS = frozenset(_words("""
abbey academy alcove alley apartment arbour arbor arcade attic avenue balcony ballroom bank  barn
basement bathroom battlefield bay beach  bedchamber bedroom  boathouse bookshop bower
bridge brook buffet bungalow  cabin cafe camp campus canal canyon capital  castle
cathedral cavern cave cell cellar cemetery chamber chapel church city classroom cliff cloister
closet club coast college common compartment conservatory  corridor cottage country
countryside county court courtroom courtyard cove creek crypt dais den desert dining diner
district ditch dock  dormitory downstairs drawing-room  driveway dungeon estate
factory farm farmhouse field  flat  forest fort fountain garden gallery garage
  glade glen greenhouse grounds grove gymnasium hall hallway hamlet harbour harbor
 heath  highway hill hillside hole home hospital hostel hotel house hovel hut inn
island kingdom kitchen lab laboratory lake landing lane lawn library lobby lodge loft lounge
manor mansion marsh meadow mill moor moorland mountain museum nation nursery oasis office
orchard palace pantry parish park parlour parlor  pasture path pavement pier 
platform playground plaza pond pool porch prison pub quarters quay ravine restaurant river
road  room ruins saloon sanctuary school schoolroom sea shed shop shore shrine sidewalk
square stable stables staircase stairs stairwell station  stream street study suite
swamp tavern temple terrace theatre theater throne-room tower town  trail tunnel
university upstairs vale valley vault veranda verandah village villa vineyard ward wardrobe
warehouse waterfront well wharf wilderness wing woods  workshop yard world earth land
building churchyard neighbourhood neighborhood ground plain planet region colony province
territory continent empire universe jail gaol plantation workhouse mall dominion hollow
parish heaven asylum edifice ocean establishment boulevard mine mines promontory dwelling gorge
tarn homestead vestibule scullery depot heights priory booth deck
""" + "place spot store"))

#: Last words that make a proper-noun phrase a place (`Gryffindor Tower`, `Hyde Park`).
PLACE_SUFFIXES = frozenset(_words("""
abbey alley arms avenue bay bridge castle cathedral chapel church close common cottage court
crescent cross dale downs estate farm fields forest gardens gate green grove hall harbour heath
hill hills hospital hotel house inn island isle lake lane lodge manor market mews mill moor
mount mountain palace park place priory road row school square station street terrace tower
town vale valley village way wharf wood woods yard
"""))

_LOCATIVE = frozenset({"in", "at", "into", "inside", "to", "from", "toward", "towards", "through",
                       "across", "near", "outside", "within", "onto", "around", "behind",
                       "beyond", "past", "along", "via", "reach", "reached", "enter", "entered",
                       "leave", "left", "visit", "visited"})
_PLACE_ENTS = frozenset({"GPE", "LOC", "FAC"})
_PLACE_ADVERBS = frozenset({"home", "upstairs", "downstairs", "indoors", "outdoors"})
_NOT_PLACES = frozenset({
    "god", "heaven", "lord", "christ", "i", "sir", "miss", "mr", "mrs", "esq", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "christmas", "easter",
})


def find_place_mentions(story: Story) -> list[tuple[int, int, str, str]]:
    """Every place mention as (start, end, kind, name); kind is `named`, `setting` or
    `deictic` (`there`, `here` pointing at a place; not gathered into `story.places`)."""
    character_words = _character_words(story)
    people = sorted((m.start, m.end) for m in story.mentions if m.kind == "name")
    people_starts = [s for s, _ in people]

    def is_person(start: int, end: int) -> bool:
        i = bisect.bisect_right(people_starts, end - 1) - 1
        return i >= 0 and people[i][0] < end and start < people[i][1]

    out: list[tuple[int, int, str, str]] = []
    for paragraph in story.paragraphs:
        doc = paragraph.doc
        if doc is None:
            continue
        base = paragraph.start
        taken: set[int] = set()
        for span in _named_spans(doc, character_words):
            taken.update(range(span[0], span[1]))
            toks = doc[span[0]:span[1]]
            if is_person(base + toks.start_char, base + toks.end_char) and not _place_context(doc, span):
                continue
            name = re.sub(r"\s+", " ", toks.text)
            name = re.sub(r"^(?:[Tt]he)\s+", "", name)
            out.append((base + toks.start_char, base + toks.end_char, "named", name))
        for tok in doc:
            if tok.i in taken or tok.pos_ != "NOUN" or tok.dep_ == "compound":
                continue
            lemma = tok.lemma_.lower()
            if lemma not in PLACE_NOUNS and tok.lower_ not in PLACE_NOUNS:
                continue
            if lemma == "place" and _idiomatic_place(tok):
                continue
            left, right = noun_phrase(doc, tok)
            start, end = doc[left].idx, doc[right].idx + len(doc[right].text)
            words = [t for t in doc[left:tok.i + 1]
                     if t.dep_ in ("compound", "amod") or t.i == tok.i]
            name = " ".join(t.lower_ for t in words if t.pos_ != "DET")
            out.append((base + start, base + end, "setting", name or lemma))
        for tok in doc:
            if tok.lower_ in _PLACE_ADVERBS and tok.pos_ == "ADV" and tok.i not in taken \
                    and tok.dep_ in ("advmod", "npadvmod", "pobj", "dobj"):
                out.append((base + tok.idx, base + tok.idx + len(tok.text), "setting", tok.lower_))
            # `there`/`here` pointing at a place (not the `there` of `there was`)
            if tok.lower_ in ("there", "here") and tok.pos_ == "ADV" and tok.dep_ != "expl":
                out.append((base + tok.idx, base + tok.idx + len(tok.text), "deictic", tok.lower_))
    out.sort()
    return out


def _place_context(doc: Any, span: tuple[int, int]) -> bool:
    """A place word ends the phrase, or a preposition of place comes before it."""
    i, j = span
    if doc[j - 1].lower_ in PLACE_SUFFIXES:
        return True
    k = i - 1
    if k >= 0 and doc[k].lower_ in ("the", "all"):
        k -= 1
    return k >= 0 and doc[k].lower_ in _LOCATIVE


def _idiomatic_place(tok: Any) -> bool:
    """`take place`, `in place of`, `in the first place`, `in his place`: no location."""
    if tok.head.lemma_ == "take" and tok.dep_ == "dobj":
        return True
    if any(c.dep_ == "prep" and c.lower_ == "of" for c in tok.children) and tok.head.lower_ == "in":
        return True
    return any(c.lower_ in ("first", "second", "last", "his", "her", "my", "your", "their", "its")
               for c in tok.children) and tok.head.lower_ == "in"


def noun_phrase(doc: Any, head: Any) -> tuple[int, int]:
    """The token range of the noun phrase headed by `head`: its modifiers and `of` phrases,
    but not a relative clause nor what is joined to it by `and` or set beside it."""
    left = head.i
    right = head.i
    for child in head.children:
        if child.dep_ in ("conj", "cc", "punct", "appos", "preconj", "case"):
            continue
        if child.dep_ == "relcl" and doc[child.left_edge.i - 1].is_punct:
            continue  # `the hall, where ...` adds to the phrase; `the hall where ...` is part of it
        left = min(left, child.left_edge.i)
        right = max(right, child.right_edge.i)
    while left < head.i and (doc[left].is_punct or doc[left].dep_ in ("cc", "preconj")):
        left += 1
    while right > head.i and (doc[right].is_punct or doc[right].dep_ in ("cc",)):
        right -= 1
    return left, right


def _character_words(story: Story) -> set[str]:
    words: set[str] = set()
    for character in story.characters:
        for alias in {character.name, *character.aliases}:
            words.add(alias.lower())
    return words


def _named_spans(doc: Any, character_words: set[str]) -> list[tuple[int, int]]:
    """Token spans of named places in a paragraph."""
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        if tok.pos_ != "PROPN" or not tok.text[:1].isupper():
            i += 1
            continue
        j = i
        while j < n:
            if doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper():
                j += 1
            elif (doc[j].lower_ == "of" and j + 1 < n and doc[j + 1].pos_ == "PROPN"
                  and doc[j - 1].lower_ in PLACE_SUFFIXES | PLACE_NOUNS):
                j += 1  # `Isle of Man`, `County of Kent`, not `Hurlbird of Stamford`
            else:
                break
        # a place word right after the proper noun belongs to it (`Gryffindor Tower`)
        if j < n and doc[j].lower_ in PLACE_SUFFIXES and doc[j].text[:1].isupper():
            j += 1
        words = [t.lower_ for t in doc[i:j]]
        text = doc[i:j].text.lower()
        ent = any(t.ent_type_ in _PLACE_ENTS for t in doc[i:j])
        person = any(t.ent_type_ == "PERSON" for t in doc[i:j])
        suffix = words[-1] in PLACE_SUFFIXES
        prev = doc[i - 1].lower_ if i > 0 else ""
        locative = prev in _LOCATIVE or (prev == "the" and i > 1 and doc[i - 2].lower_ in _LOCATIVE)
        is_character = text in character_words or any(w in character_words for w in words)
        if (words[0] in _NOT_PLACES or (is_character and not suffix)
                or (person and not suffix)):
            i = j
            continue
        if ent or suffix or (locative and not is_character):
            start = i - 1 if prev in ("the", "all") else i  # `the Congo`, `all England`
            spans.append((start, j))
        i = j
    return spans


def find_places(story: Story) -> Story:
    """Pipeline stage: `story.places` (each place with its mentions and the characters seen
    there) and `scene.location` for every scene."""
    mentions = [m for m in find_place_mentions(story) if m[2] != "deictic"]
    groups: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    display: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for start, end, kind, name in mentions:
        key = (kind, _place_key(name))
        groups[key].append((start, end))
        display[key][name] += 1
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0][0]))
    present = _characters_by_paragraph(story)
    para_starts = [p.start for p in story.paragraphs]
    places: list[Place] = []
    place_of_key: dict[tuple[str, str], Place] = {}
    for n, (key, spans) in enumerate(ordered):
        seen: Counter = Counter()
        for start, _ in spans:
            p = bisect.bisect_right(para_starts, start) - 1
            # sorted, so that ties in `most_common` come out the same on every run
            seen.update(sorted(present.get(p, ()), key=lambda cid: int(cid[1:])))
        place = Place(id=f"P{n}", name=display[key].most_common(1)[0][0], kind=key[0],
                      mentions=sorted(spans), characters=[cid for cid, _ in seen.most_common()])
        places.append(place)
        place_of_key[key] = place
    story.places = places
    _locate_scenes(story, mentions, place_of_key)
    return story


def _place_key(name: str) -> str:
    return re.sub(r"[^\w ]+", "", name.lower()).strip()


def _characters_by_paragraph(story: Story) -> dict[int, set[str]]:
    para_starts = [p.start for p in story.paragraphs]
    out: dict[int, set[str]] = defaultdict(set)

    def add(offset: int, cid: str | None) -> None:
        p = bisect.bisect_right(para_starts, offset) - 1
        if cid and p >= 0:
            out[p].add(cid)

    for mention in story.mentions:
        add(mention.start, mention.character)
    for quote in story.quotes:
        add(quote.start, quote.speaker)
    return out


def _locate_scenes(story: Story, mentions: list[tuple[int, int, str, str]],
                   place_of_key: dict[tuple[str, str], Place]) -> None:
    starts = [m[0] for m in mentions]
    for scene in story.scenes:
        lo = bisect.bisect_left(starts, scene.start)
        hi = bisect.bisect_left(starts, scene.end)
        scores: Counter = Counter()
        length = max(scene.end - scene.start, 1)
        for start, _end, kind, name in mentions[lo:hi]:
            place = place_of_key.get((kind, _place_key(name)))
            if place is None:
                continue
            weight = 1.0
            before = story.text[max(scene.start, start - 12):start].lower()
            if re.search(r"\b(?:in|at|into|inside|entered|reached)\s+(?:the\s+|a\s+|his\s+|her\s+)?$", before):
                weight += 1.0
            if start - scene.start < length / 4:
                weight += 0.5
            if kind == "named":
                weight += 0.25
            scores[place.name] += weight
        scene.location = scores.most_common(1)[0][0] if scores and scores.most_common(1)[0][1] >= 1.5 else None
