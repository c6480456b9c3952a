"""The place span model: for each place candidate (a head word the rules of
`ficlens.stages.places` found), the spans it could have (the bare phrase, with each of the
phrases after it, with or without a leading `all`), and a logistic model that picks one or
none. LitBank includes a following prepositional phrase, participle or relative clause in
some place mentions and not in others; which one it takes depends on several things at once
(the preposition, what its object is, the head word's kind, a comma), which a weighted sum
of such features learns better than one hand rule per dependent. Trained by
`scripts/train_place_model.py`; weights in `ficlens/data/place_model.json`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass
class Candidate:
    """A place head word and what the rules made of it."""

    doc: Any
    #: the paragraph's offset in the story
    base: int
    head: Any
    #: `named`, `setting` or `deictic`
    kind: str
    name: str
    #: the rules' span (token range, both ends included), or None: the rules emit nothing
    rule: tuple[int, int] | None
    #: the smallest span the head can have (token range, both ends included)
    core: tuple[int, int]
    #: `name`, `region`, `partitive`, `setting`, `adverb`, `deictic`, ...
    role: str
    #: features of the head in its context
    info: list[str] = field(default_factory=list)


def whole_words(doc: Any, left: int, right: int) -> tuple[int, int]:
    """The token range `left..right` (inclusive) widened so that it does not cut a hyphenated
    word (`over-grown`, `Kingsbere-sub-Greenhill`), which spaCy splits at its hyphens."""
    def joined(k: int) -> bool:  # token k and the next are one word, with a hyphen between
        return doc[k].whitespace_ == "" and doc[k + 1].whitespace_ == "" and doc[k + 1].text == "-"

    while left >= 2 and doc[left - 2].is_alpha and joined(left - 2):
        left -= 2
        # `the post-road`: spaCy may hang the article on the first part
        while left > 0 and doc[left - 1].dep_ == "det" and left <= doc[left - 1].head.i <= right:
            left -= 1
    while right + 2 < len(doc) and doc[right + 2].is_alpha and joined(right):
        right += 2
    return left, right


@lru_cache(maxsize=1)
def load_model() -> dict | None:
    """The shipped model (`ficlens/data/place_model.json`), or None when there is none."""
    try:
        text = resources.files("ficlens.data").joinpath("place_model.json").read_text("utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text)


def _offsets(cand: Candidate, span: tuple[int, int]) -> tuple[int, int]:
    doc = cand.doc
    left, right = span
    return cand.base + doc[left].idx, cand.base + doc[right].idx + len(doc[right].text)


def choose(cands: list[Candidate], model: dict | None) -> list[tuple[int, int, str, str]]:
    """The mentions (start, end, kind, name) chosen among the candidates: the rules' span of
    each, or with a model, its most likely span when likely enough."""
    out: list[tuple[int, int, str, str]] = []
    thresholds = model["roles"] if model is not None else {}
    for cand in cands:
        threshold = thresholds.get(cand.role)
        if threshold is None:  # the rules decide where the model does not beat them
            if cand.rule is not None:
                out.append((*_offsets(cand, cand.rule), cand.kind, cand.name))
            continue
        best, p = best_option(cand, model)
        if best is not None and p >= threshold:
            out.append((*_offsets(cand, best), cand.kind, cand.name))
    return out


def best_option(cand: Candidate, model: dict) -> tuple[tuple[int, int] | None, float]:
    """The candidate's most likely span and its probability."""
    weights = model["weights"]
    bias = model.get("bias", 0.0)
    best, best_p = None, 0.0
    common = head_features(cand)
    for span in options(cand):
        z = bias + sum(weights.get(f, 0.0) for f in features(cand, span, common))
        p = 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))
        if p > best_p:
            best, best_p = span, p
    return best, best_p


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Kinds of place word, so that what the model learns of one carries to the others.
_CLASSES = {
    "room": _words("""
room bedroom kitchen parlour parlor chamber study library hall hallway corridor passage closet
attic cellar pantry nursery drawing-room dining-room sitting-room boudoir office lobby
staircase stairs landing gallery ballroom bathroom loft garret schoolroom apartment
apartments quarters suite vestibule anteroom antechamber cell compartment cabin wing"""),
    "building": _words("""
house cottage church castle inn hotel shop school palace mansion manor farmhouse hut cabin
tavern chapel cathedral abbey mill barn stable stables prison lodge villa tower building
hospital theatre theater temple station store office factory warehouse museum bank club
college university court courthouse parsonage rectory vicarage convent monastery home
dwelling residence establishment pub restaurant cafe"""),
    "settlement": _words("""
town city village hamlet country county kingdom nation parish capital state province
district borough colony empire metropolis suburb neighbourhood neighborhood territory realm
republic shire port"""),
    "nature": _words("""
forest wood woods field fields meadow hill hills mountain mountains river sea lake ocean
shore coast beach island valley vale moor heath marsh swamp desert plain prairie cliff cave
glen glade grove orchard garden park lawn pasture brook stream creek pond bay harbour harbor
bank wilderness jungle woodland thicket hillside countryside"""),
    "route": _words("""
road street lane path avenue bridge highway alley track trail way footpath pavement
sidewalk square thoroughfare boulevard passageway"""),
    "vague": _words("""
world place places spot earth land ground region regions parts universe heaven hell
somewhere"""),
}
_MOTION = _words("""
go come return travel drive walk ride sail move fly run hurry journey flee escape march
proceed retire arrive depart enter leave reach climb cross follow lead hasten wander stroll
rush creep step turn get send bring take carry""")
_STAY = _words("""
be live stay remain sit stand lie dwell wait sleep rest stop settle lodge reside meet
dine work play hide keep find""")
_SEE = _words("look stare glance gaze peer see watch view survey face overlook open")
_PERSON_PRONOUNS = _words("i me you he him she her we us they them myself himself herself")
_TIME_ENTS = frozenset({"DATE", "TIME"})
_PLACE_ENTS = frozenset({"GPE", "LOC", "FAC"})
_RELATIVE_WORDS = _words("which who whom whose that where when")


def _word_class(tok: Any) -> str:
    lemma = tok.lemma_.lower()
    for name, words in _CLASSES.items():
        if lemma in words or tok.lower_ in words:
            return name
    if tok.pos_ == "PROPN":
        return "propn"
    return "other"


def _object_class(tok: Any) -> str:
    """What a phrase after the head is about: a place, a person, a time or something else."""
    objs = [c for c in tok.children if c.dep_ in ("pobj", "dobj", "nsubj", "attr")]
    if not objs:
        return "none"
    obj = objs[0]
    if obj.ent_type_ in _PLACE_ENTS or _word_class(obj) in ("room", "building", "settlement",
                                                            "nature", "route"):
        return "place"
    if obj.ent_type_ == "PERSON" or obj.lower_ in _PERSON_PRONOUNS:
        return "person"
    if obj.ent_type_ in _TIME_ENTS:
        return "time"
    return obj.pos_.lower()


def _dependent_type(doc: Any, child: Any) -> str:
    """A dependent after the head: its relation, its preposition or the form of its verb,
    and whether a comma comes before it."""
    dep = child.dep_
    if dep == "prep":
        kind = f"prep:{child.lower_}"
    elif dep in ("relcl", "acl"):
        first = child.left_edge
        rel = "wh" if first.lower_ in _RELATIVE_WORDS else "bare"
        kind = f"{dep}:{rel}:{child.tag_}"
    elif dep in ("punct", "cc"):
        kind = dep
    else:
        kind = dep
    k = child.left_edge.i - 1
    comma = k >= 0 and doc[k].is_punct
    return kind + (":comma" if comma else "")


def _trim_right(doc: Any, right: int, floor: int) -> int:
    while right > floor and (doc[right].is_punct or doc[right].is_space or doc[right].dep_ == "cc"):
        right -= 1
    return right


def options(cand: Candidate) -> list[tuple[int, int]]:
    """The spans a candidate could have (token ranges, both ends included), the rules' span
    first: from its core or with what comes before it (`all the house`), to its core or to
    the end of each phrase after it."""
    if cand.role in ("adverb", "deictic", "deictic-speech"):
        return [cand.rule or cand.core]
    doc, head = cand.doc, cand.head
    left0, right0 = cand.core
    lefts = {left0}
    rights = {right0}
    if cand.rule is not None:
        lefts.add(cand.rule[0])
        rights.add(cand.rule[1])
    before = [c.left_edge.i for c in head.children
              if c.i < left0 and c.dep_ not in ("punct", "cc", "conj", "case")]
    if before:
        full = min(before)
        while full < left0 and (doc[full].is_punct or doc[full].is_space):
            full += 1
        lefts.add(full)
    # (not for a place word before a noun: `the` in `the kitchen door` is the door's)
    loose = _loose_left(doc, min(lefts)) if cand.role == "setting" else None
    if loose is not None:
        lefts.add(loose)
    for child in head.children:
        if child.i > right0 and child.dep_ not in ("punct", "cc"):
            rights.add(_trim_right(doc, child.right_edge.i, right0))
    spans = [cand.rule] if cand.rule is not None else []
    for left in sorted(lefts):
        for right in sorted(rights):
            if right - left <= _MAX_TOKENS:
                span = whole_words(doc, left, right)
                if span not in spans:
                    spans.append(span)
    return spans


_MAX_TOKENS = 80


def _loose_left(doc: Any, left: int) -> int | None:
    """Where a setting's phrase would start with the determiner and adjectives before
    `left` that spaCy hung elsewhere (`the empty, echoing hall`), or None when there are
    none."""
    k = left - 1
    start = None
    while k >= 0 and not doc[k + 1].is_sent_start:
        tok = doc[k]
        if tok.pos_ == "DET" or tok.dep_ == "poss":
            return k
        if tok.pos_ in ("ADJ", "NUM") or tok.tag_ in ("VBG", "VBN"):
            start = k  # (`echoing`, `overgrown`: participles as adjectives)
        elif not (tok.pos_ in ("CCONJ", "ADV") or tok.text == ","):
            break
        k -= 1
    return start


def _bucket(n: int) -> str:
    return "0" if n == 0 else "1-2" if n <= 2 else "3-5" if n <= 5 else "6-10" if n <= 10 \
        else "11-20" if n <= 20 else "21+"


def head_features(cand: Candidate) -> list[str]:
    """Features of the candidate's head word in its context, the same for all its spans."""
    head = cand.head
    cls = _word_class(head)
    det = next((c for c in head.children if c.dep_ in ("det", "poss") and c.i < head.i), None)
    det_kind = "none" if det is None else det.lower_ if det.lower_ in ("the", "a", "an", "this",
                                                                       "that", "these", "those") \
        else "poss" if det.dep_ == "poss" else "other"
    dep = head.dep_
    gov = head.head
    prep = gov.lower_ if dep == "pobj" else "-"
    out = [f"role:{cand.role}", f"kind:{cand.kind}", f"cls:{cls}", f"dep:{dep}", f"det:{det_kind}",
           f"plural:{head.tag_ in ('NNS', 'NNPS')}", f"prep:{prep}", f"ent:{head.ent_type_ or '-'}",
           f"role:{cand.role}|cls:{cls}", f"role:{cand.role}|dep:{dep}", f"cls:{cls}|prep:{prep}",
           f"cls:{cls}|det:{det_kind}", f"norule:{cand.rule is None}"]
    out.extend(cand.info)
    out.extend(f"role:{cand.role}|{f}" for f in cand.info)
    # what the phrase hangs on: `in the kitchen` after a verb of going or staying is where
    # something happens; `the door of the kitchen`, `a passage in the book` are not
    attach = gov.head if dep == "pobj" else gov
    verb = attach.lemma_.lower() if attach.pos_ in ("VERB", "AUX") else ""
    vclass = "motion" if verb in _MOTION else "stay" if verb in _STAY else \
        "see" if verb in _SEE else "verb" if verb else attach.pos_.lower()
    out.extend((f"attach:{vclass}", f"attach:{vclass}|role:{cand.role}",
                f"attach:{vclass}|prep:{prep}", f"attach:{vclass}|cls:{cls}"))
    if cand.kind == "deictic":
        sent = head.sent
        out.extend((f"there:{head.lower_}|dep:{dep}|attach:{vclass}",
                    f"there:{head.lower_}|first:{head.i == sent.start}",
                    f"there:{head.lower_}|last:{head.i + 2 >= sent.end}"))
    if cand.kind != "named":
        # the place word itself (all of them from the word lists of `places`): `office` and
        # `passage` are seldom places, `kitchen` nearly always
        lemma = head.lemma_.lower()
        has_of = any(c.dep_ == "prep" and c.lower_ == "of" for c in head.children)
        out.extend((f"lemma:{lemma}", f"lemma:{lemma}|of:{has_of}", f"lemma:{lemma}|prep:{prep}"))
    return out


def features(cand: Candidate, span: tuple[int, int], common: list[str] | None = None) -> list[str]:
    """The features of one span of a candidate (`common`: its head features, if computed)."""
    doc, head = cand.doc, cand.head
    left, right = span
    left0, right0 = cand.core
    role = cand.role
    cls = _word_class(head)
    out = list(common if common is not None else head_features(cand))
    out.append(f"rule:{span == cand.rule}")
    out.append(f"rule:{span == cand.rule}|role:{role}")
    if cand.rule is not None:
        out.append(f"vsrule:{_cmp(left, cand.rule[0])}{_cmp(right, cand.rule[1])}")
    n_right = right - right0
    out.append(f"rlen:{_bucket(max(n_right, 0))}")
    out.append(f"rlen:{_bucket(max(n_right, 0))}|role:{role}")
    if left < left0 and all(c.left_edge.i > left for c in head.children):
        out.append("left+loose")  # words before the phrase that spaCy hung elsewhere
    if left < left0:
        first = doc[left]
        out.append(f"left+:{first.lower_ if first.dep_ == 'predet' or first.pos_ == 'DET' else first.pos_}")
    elif left > left0:
        out.append("left-")
    for child in head.children:
        if child.i <= right0 or child.dep_ in ("punct", "cc"):
            continue
        inside = child.i <= right
        tag = "in" if inside else "out"
        kind = _dependent_type(doc, child)
        obj = _object_class(child)
        out.append(f"{tag}:{kind}")
        out.append(f"{tag}:{kind}|role:{role}")
        out.append(f"{tag}:{kind}|cls:{cls}")
        out.append(f"{tag}:{kind}|obj:{obj}")
        out.append(f"{tag}:{child.dep_}|obj:{obj}")
        out.append(f"{tag}:{child.dep_}|len:{_bucket(child.right_edge.i - child.left_edge.i + 1)}")
        if inside and child.right_edge.i > right:
            out.append("cut-inside")
    return out


def _cmp(a: int, b: int) -> str:
    return "=" if a == b else "<" if a < b else ">"
