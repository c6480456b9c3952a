"""Places and scene locations: named places (`Diagon Alley`, `Pemberley`) and settings
(`the library`, `the portrait hole`), the characters seen at each, and where each scene is.

Named places are proper-noun phrases judged over the whole story: the evidence of every
occurrence of a name is summed (a preposition of place before it, a place word in it
(`Gryffindor Tower`, `Kellynch Hall`), spaCy's place label, `the county of ...`) against
the evidence that it names a person (a title, spaCy's person label, the subject of a verb
of doing, the cast and who speaks), and a name that wins as a place is a place at every
occurrence. Settings are noun phrases headed by a place noun, cut where LitBank's entity
annotation cuts them (no `, which ...` clause, no `for`/`from` phrase); the phrase around a
place that names a part of it (`the top of the stairs`) is a setting too. `there`/`here`
count when they point at a place. Each such place word is a candidate with the spans it
could have; the span model (`ficlens.stages.place_model`, trained on LitBank) picks the span
of settings, of `there`/`here`, of place words before a noun (`the kitchen door`) and of
names the evidence narrowly judges persons, or drops them; the rules' span stands for the
rest. A scene's location is the place it names most, counting
a mention after a preposition of place (`in the library`) and one early in the scene more.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from ficlens.model import Place, Story
from ficlens.stages.lexicon import given_names, person_nouns
from ficlens.stages.place_model import Candidate, choose, load_model, whole_words


def _words(text: str) -> list[str]:
    return text.split()


#: Common nouns that name a setting (a place one can be in).
PLACE_NOUNS = frozenset(_words("""
abbey academy alcove alley apartment arbour arbor arcade attic avenue balcony ballroom bank  barn
basement bathroom battlefield bay beach  bedchamber bedroom  boathouse bookshop bower
bridge brook buffet bungalow  cabin cafe camp campus canal canyon capital  castle
cathedral cavern cave cell cellar cemetery chamber chapel church city classroom cliff cloister
closet club coast college common compartment conservatory  corridor cottage country
countryside county court courtroom courtyard cove creek crypt dais den desert dining 
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
building churchyard neighbourhood neighborhood  plain planet region colony province
territory continent empire universe jail gaol plantation workhouse mall dominion hollow
parish heaven asylum edifice ocean establishment boulevard mine mines promontory dwelling gorge
tarn homestead vestibule scullery depot heights priory booth deck
passage passageway parapet pit metropolis studio residence slope site plateau realm gulf
prairie thoroughfare precipice locality frontier vicinity schoolhouse stairway mountainside
port borough shire madhouse roadside wayside gangway reservoir skyscraper convent nunnery
monastery lair pagoda storeroom outhouse kennel farmland hell alp cornfield wheatfield isle
islet estuary waterway surroundings haunt armoury armory resort lodging lodgings berth
demesne landscape rectory vicarage parsonage manse deanery barracks garrison fortress
citadel stronghold rampart ramparts moat turret belfry steeple catacomb catacombs tomb
sepulchre mausoleum graveyard chancel nave aisle vestry sacristy refectory infirmary
surgery clinic morgue mortuary penitentiary courthouse townhouse tenement boardinghouse
guesthouse motel alehouse coffeehouse coffee-house teahouse bakery marketplace market-place
bazaar emporium foundry forge smithy brewery distillery tannery quarry colliery jetty marina
lighthouse terminus airport hangar byre cowshed pigsty sty henhouse dovecote granary silo
hayloft garret larder washhouse lavatory privy boudoir parlor sitting-room living-room
dining-room breakfast-room morning-room smoking-room billiard-room counting-house anteroom
antechamber ante-room foyer gallery patio quadrangle shrubbery summerhouse gazebo pavilion
grotto labyrinth paddock fen bog mire lagoon mere rivulet channel strait headland peninsula
reef hillock knoll ridge crag peak dell ravine gully gulch woodland copse thicket jungle
steppe savanna savannah tundra upland uplands lowland lowlands highlands suburb suburbs
paradise purgatory byway footpath towpath causeway crossroads junction piazza embankment
promenade esplanade gateway kitchen-garden cabin hut shanty shack tent wigwam
tepee igloo castle keep chateau villa woodshed bakehouse encampment
enclosure inclosure backwater morass cataract waterfall forestland zoo habitation railway
downtown commonwealth
""" + "place store"))

#: Last words that make a proper-noun phrase a place (`Gryffindor Tower`, `Hyde Park`).
PLACE_SUFFIXES = frozenset(_words("""
abbey alley arms avenue bay bridge castle cathedral chapel church close common cottage court
crescent cross dale downs estate farm fields forest gardens gate green grove hall harbour heath
hill hills hospital hotel house inn island isle lake lane lodge manor market mews mill moor
mount mountain palace park place priory road row school square station street terrace tower
town vale valley village way wharf wood woods yard
"""))

#: Words before a name that make it a place: strongly (`in Raveloe`) or a little (`to Paris`,
#: which also goes with persons: `wrote to Lucy`).
_STRONG_LOCATIVE = frozenset({"in", "at", "into", "inside", "within", "near", "outside",
                              "throughout", "across", "beyond", "via", "towards", "toward"})
_LOCATIVE = frozenset({"to", "from", "through", "onto", "around", "behind", "past", "along",
                       "reach", "reached", "enter", "entered", "leave", "left", "visit",
                       "visited", "above", "below", "over", "between"})
#: Prepositions after which an ambiguous noun is a place (`into the water`, `at the bar`).
_SPATIAL = _STRONG_LOCATIVE | frozenset({"on", "upon", "onto", "to", "from", "through",
                                         "over", "under", "by", "along", "off", "around"})
#: Nouns that are places only after a preposition of place (`fell into the water`, not `a
#: glass of water`).
_LOCATIVE_ONLY = frozenset(_words("""
water waters
"""))
#: Nouns that take a place as part of them (`the top of the stairs`, `one of the towns`).
_PARTS = frozenset(_words("""
top bottom side part parts depths recesses outskirts summit margin border borders extremity
limit limits stretch one portion
"""))
#: Nouns before `of` + name that make the name a place (`the county of Kent`).
_REGION_NOUNS = frozenset(_words("""
county city town village state province district kingdom island isle shire parish suburb
port republic duchy region borough hamlet country land colony
"""))
#: Words that start a place name (`Mount Everest`, `Lake George`, `Fort Duquesne`).
_PLACE_PREFIXES = frozenset(_words("mount lake fort cape port isle river loch glen"))
#: More last words of place names, used here only (`Howards End`, `Wuthering Heights`).
_MORE_SUFFIXES = frozenset(_words("""
end heights point hollow gables towers corner plantation ranch springs falls bridge market
quay reach mills gardens inn chambers palace cathedral college tavern club mall drive circus
parade path landing
"""))
#: Words joined by `of` to the name after them (`Isle of Man`, `State of New York`).
_OF_NAMES = PLACE_SUFFIXES | PLACE_NOUNS | _MORE_SUFFIXES | _REGION_NOUNS
#: Places a person owns or lives in: `the house of Agnes` is hers, and says nothing of her
#: being a place (`the streets of Manchester`, `the county of Kent` do).
_OWNED = frozenset(_words("""
house home cottage room chamber residence farm office shop study bedroom kitchen garden
property lodging lodgings quarters dwelling apartment tent hut cabin
"""))
#: Titles: a name after one is a person (`Mrs. Hall`, `Lady Castle`).
_TITLES = frozenset(_words("""
mr mrs ms miss mister master sir madam madame mme mlle mademoiselle monsieur herr frau
signor signora dr doctor professor prof captain capt colonel col major general lieutenant
sergeant admiral lord lady dame count countess duke duchess baron baroness prince princess
king queen aunt uncle cousin rev reverend father mother brother sister squire judge
"""))
#: Verbs whose subject may well be a place (`London lay under fog`); the subject of any
#: other verb is more likely a person.
_PLACE_VERBS = frozenset(_words("""
be lie stand stretch rise extend seem remain become have contain border overlook face
"""))
#: The least evidence that makes a name a place: one preposition of place, a place word
#: in the name, or spaCy's place label seen once with nothing against it.
_MIN_PLACE = 1.0
#: The weight of spaCy's entity label for a name, over all its occurrences.
_LABEL_WEIGHT = 2.5
#: Lower-case words inside place names (`Fort du Quesne`, `Place de la Concorde`).
_PARTICLES = frozenset(_words("de du la le les des del della di da von van der den"))
#: Verbs of going (`went to Raveloe`, `sailed from Deptford`).
_MOTION_VERBS = frozenset(_words("""
go come return travel drive walk ride sail move fly run hurry journey emigrate flee escape
march steam row proceed retire remove start set head arrive depart
"""))
#: Verbs that take `at` without a place (`looked at Lucy`).
_LOOK_VERBS = frozenset(_words("""
look stare glance gaze peer glare smile laugh frown nod wink point shout yell grin sneer
scowl rush fly jump snap bark hint aim
"""))
#: Endings of place names (English and German towns and counties; not `-ton` or `-ford`,
#: which end as many surnames).
_PLACE_ENDINGS = r"(?:shire|chester|caster|cester|borough|burgh|burg|bury|ville|minster|mouth|stadt|heim)$"
#: Verbs whose object is a person (`tell Newton to come`).
_PERSON_OBJECT_VERBS = frozenset(_words("""
tell ask order bid marry kiss thank beg urge persuade kill hug embrace help answer call
introduce invite love hate pity blame forgive trust obey
"""))
#: Adjectives said of persons before their names (`poor Becky`).
_FOND_WORDS = frozenset(_words("poor dear dearest little darling sweet"))
#: Dependents after a place noun that are not part of its phrase.
_NOT_PHRASE_DEPS = frozenset({"conj", "cc", "punct", "appos", "preconj", "case", "npadvmod"})
#: Settings too vague to be where a scene happens (`all the world`, `the place`).
_VAGUE_SETTINGS = frozenset(_words("""
world worlds earth place places spot universe heaven heavens hell globe land ground region
regions country way parts somewhere
"""))
#: Plurals of place nouns that mostly mean something else.
_OTHER_SENSE = frozenset(_words("wings temples"))
#: Words that open a phrase without belonging to it (`all the house`, `just such a place`).
_NOT_IN_PHRASE = frozenset(_words("all just only even what perhaps both half"))
#: Verbs of going and staying (`went there`, `lived there`).
_STAY_VERBS = frozenset(_words("""
go come get live stay remain arrive be sit stand lie stop return wait find take bring send
walk run leave meet dwell put keep
"""))
#: Words before `there`/`here` that make them a direction (`up there`, `over here`).
_DIRECTIONS = frozenset(_words("up down out over back along around round"))
_PLACE_ENTS = frozenset({"GPE", "LOC", "FAC"})
_PLACE_ADVERBS = frozenset({"home", "upstairs", "downstairs", "indoors", "outdoors"})
_NOT_PLACES = frozenset({
    "god", "heaven", "lord", "christ", "i", "sir", "miss", "mr", "mrs", "esq", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "christmas", "easter",
})


def find_place_mentions(story: Story, model: dict | None | bool = True
                        ) -> list[tuple[int, int, str, str]]:
    """Every place mention as (start, end, kind, name); kind is `named`, `setting` or
    `deictic` (`there`, `here` pointing at a place; not gathered into `story.places`).
    `model`: True for the shipped span model, False or None for the rules alone, or a
    model dict (as `scripts/train_place_model.py` writes it)."""
    return _place_mentions(story, model)[0]


def place_candidates(story: Story) -> list[Candidate]:
    """Every place candidate of the story (a head word, the rules' span for it and the
    other spans it could have), before any is chosen."""
    return _candidates(story)[0]


def _place_mentions(story: Story, model: dict | None | bool = True
                    ) -> tuple[list[tuple[int, int, str, str]], set[str]]:
    """The place mentions, and the keys of the named places that some mention shows to be
    places by its own words (`in Raveloe`, `Kellynch Hall`)."""
    cands, anchored = _candidates(story)
    if model is True:
        model = load_model()
    out = choose(cands, model or None)
    return sorted(set(out)), anchored


def _candidates(story: Story) -> tuple[list[Candidate], set[str]]:
    """The place candidates, and the keys of the anchored named places."""
    candidates = []  # (paragraph, token span, NameEvidence)
    for paragraph in story.paragraphs:
        if paragraph.doc is not None:
            candidates.extend((paragraph, span, ev) for span, ev in _named_candidates(paragraph.doc))
    # `persons`: `Temple` the man is no temple
    places, persons, margins = _place_names(story, [ev for _, _, ev in candidates])

    quote_spans = sorted((q.start, q.end) for q in story.quotes)
    quote_starts = [q[0] for q in quote_spans]

    def quoted(offset: int) -> bool:
        k = bisect.bisect_right(quote_starts, offset) - 1
        return k >= 0 and offset < quote_spans[k][1]

    out: list[Candidate] = []
    named_by_paragraph: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for paragraph, span, ev in candidates:
        if ev.titled:
            continue
        doc = paragraph.doc
        base = paragraph.start
        root = _root(doc, span)
        if root.dep_ == "poss":
            continue  # `Tippoo's household`: mostly a person's, and never the place itself
        region = root.head.head if root.dep_ == "pobj" and root.head.lower_ == "of" else None
        if region is not None and not (region.lemma_.lower() in _REGION_NOUNS
                                       and region.pos_ == "NOUN"):
            region = None
        if ev.key not in places:
            # (`the village of Kellynch` stays one mention, of the village)
            if margins.get(ev.key, -99.0) >= _DOUBTFUL and ev.key not in _NOT_PLACES \
                    and region is None:
                # a name the rules judge a person, narrowly: the model may yet take it
                left, right = _named_extent(doc, span)
                info = _name_info(ev, margins[ev.key], quoted(base + doc[span[0]].idx))
                name = re.sub(r"\s+", " ", doc[span[0]:span[1]].text)
                out.append(Candidate(doc, base, root, "named", name, None, (left, right - 1),
                                     "doubtful-name", info))
            continue
        left, right = _named_extent(doc, span)
        left, whole = _whole_words(doc, left, right - 1)
        if doc[whole].text[:1].isupper():
            right = whole + 1  # `Kingsbere-sub-Greenhill`, not `London-pride`
        if _elliptical_possessive(doc, right):
            right += 1  # `at Klein's`: the shop or house is the place, `'s` and all
        named_by_paragraph[id(paragraph)].append((left, right))
        name = re.sub(r"\s+", " ", doc[span[0]:span[1]].text)
        name = re.sub(r"^(?:[Tt]he)\s+", "", name)
        info = _name_info(ev, margins.get(ev.key, 0.0), quoted(base + doc[span[0]].idx))
        core = (left, right - 1)
        if region is not None:
            # `the village of Kellynch` is one mention of Kellynch
            r_left, _ = _setting_phrase(doc, region)
            named_by_paragraph[id(paragraph)].append((region.i, region.i + 1))
            out.append(Candidate(doc, base, root, "named", name, None, core, "name", info))
            out.append(Candidate(doc, base, region, "named", name, (r_left, right - 1),
                                 (region.i, region.i), "region", info))
        else:
            out.append(Candidate(doc, base, root, "named", name, core, core, "name", info))
        outer = _partitive(doc, root, base)
        if outer is not None:
            out.append(outer)

    for paragraph in story.paragraphs:
        doc = paragraph.doc
        if doc is None:
            continue
        base = paragraph.start
        taken: set[int] = set()
        for i, j in named_by_paragraph.get(id(paragraph), ()):
            taken.update(range(i, j))
        out.extend(_settings(doc, base, taken, persons, quoted))
        out.extend(_adverbs(doc, base, taken, quoted))
    _near_places(out)
    anchored = {ev.key for _, _, ev in candidates if ev.anchored and ev.key in places}
    return out, anchored


def _near_places(cands: list[Candidate]) -> None:
    """Tell each `there`/`here` how near the last place named before it is: `there` points
    back at a place more often when one was just named."""
    named = sorted(c.base + c.head.idx for c in cands if c.role in ("name", "setting", "region"))
    for cand in cands:
        if cand.kind != "deictic":
            continue
        at = cand.base + cand.head.idx
        k = bisect.bisect_left(named, at) - 1
        gap = at - named[k] if k >= 0 else 10**9
        near = "<80" if gap < 80 else "<300" if gap < 300 else "<1000" if gap < 1000 else "far"
        cand.info.append(f"last-place{near}")


#: How far below the person evidence a name's place evidence may be for the span model to
#: see it as a candidate.
_DOUBTFUL = -4.0


def _name_info(ev: NameEvidence, margin: float, in_quote: bool) -> list[str]:
    """Features of one occurrence of a named place for the span model."""
    bucket = next((f"<{b}" for b in (-2, 0, 2, 4, 8) if margin < b), ">=8")
    here = ev.place - ev.person
    local = "<-1" if here < -1 else "<0" if here < 0 else "0" if here == 0 else "<2" if here < 2 else ">=2"
    # whether it is a common given name (`Lucy`), which the margin counts once per story
    given = ev.key.split()[0] in given_names() if ev.key else False
    return [f"margin{bucket}", f"label:{ev.label}", f"anchored:{ev.anchored}",
            f"quoted:{in_quote}", f"here{local}", f"margin{bucket}|here{local}",
            f"margin{bucket}|label:{ev.label}", f"given:{given}"]


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


def _setting_phrase(doc: Any, head: Any) -> tuple[int, int]:
    """The noun phrase of a setting, without a leading `all`, `just` or `what`
    (`all the house` is `the house`)."""
    left, right = noun_phrase(doc, head)
    # what follows a comma, and `for`/`from` phrases, mostly go with the verb or add a
    # remark; LitBank's place phrases end before them
    right = head.i
    for child in head.children:
        if child.i < head.i or child.dep_ in _NOT_PHRASE_DEPS or (
                child.dep_ == "prep" and child.lower_ in ("for", "from")):
            continue
        if child.dep_ == "advmod" and child.lower_ in ("there", "here") and child.n_rights == 0:
            continue  # `that city there`: the adverb points at the place, a mention of its own
        if child.dep_ == "relcl" and _misread_clause(doc, head, child):
            continue
        if doc[child.left_edge.i - 1].is_punct and child.left_edge.i - 1 > head.i:
            continue
        right = max(right, child.right_edge.i)
    for k in range(head.i + 1, right + 1):
        if doc[k].text in ("--", "\u2014", "\u2013", ";"):
            right = k - 1  # a dash or a semicolon ends the phrase: what follows is a remark
            break
    while right > head.i and (doc[right].is_punct or doc[right].is_space or doc[right].dep_ == "cc"
                              or (doc[right].lower_ in ("there", "here") and doc[right].dep_ == "advmod")):
        # and `the church of that city there`
        right -= 1
    while left < head.i and (doc[left].dep_ in ("predet", "advmod", "preconj", "cc")
                             or doc[left].lower_ in _NOT_IN_PHRASE or doc[left].is_punct
                             or doc[left].is_space):
        left += 1
    inside = [t.text for t in doc[left:right + 1]]
    if inside.count("\u201c") > inside.count("\u201d") or inside.count('"') % 2 == 1:
        # `the “parlour,”`: the quotation marks around a name are part of it
        for k in range(right + 1, min(right + 4, len(doc))):
            if doc[k].text in ("\u201d", '"'):
                right = k
                break
            if not doc[k].is_punct:
                break
    return _whole_words(doc, left, right)


_whole_words = whole_words


def _elliptical_possessive(doc: Any, i: int) -> bool:
    """Whether token `i` is a possessive `'s` with no noun after it (`dined at Klein's.`)."""
    if i >= len(doc) or doc[i].lower_ not in ("'s", "\u2019s"):
        return False
    k = _after(doc, i)
    return k >= len(doc) or doc[k].pos_ not in ("NOUN", "PROPN", "ADJ", "NUM", "ADV")


def _glued_to(doc: Any, tok: Any) -> bool:
    """Whether `tok` ends a hyphenated word with a preposition or determiner inside it
    (`lilies-of-the-valley`, `stay-at-home`)."""
    parts = []
    k = tok.i
    while k >= 2 and doc[k - 1].text == "-" and doc[k - 1].whitespace_ == "" \
            and doc[k - 2].whitespace_ == "":
        k -= 2
        parts.append(doc[k])
    # the first part may be one (`by-street`)
    return any(t.pos_ in ("ADP", "DET", "PART") for t in parts[:-1])


def _misread_clause(doc: Any, head: Any, clause: Any) -> bool:
    """Whether a clause spaCy hangs on a place noun as a relative clause without a relative
    word is rather the main clause after a fronted place phrase (`In the kitchen she heard a
    sound`): its verb has an object of its own (a relative clause lacks one: `the church he
    attended`), or the place phrase opens the sentence."""
    first = clause.left_edge
    if first.tag_ in ("WDT", "WP", "WP$", "WRB") or first.lower_ == "that" or first.dep_ == "prep":
        return False
    if not any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children):
        return False  # `the place to find him`: an infinitive, which LitBank keeps
    if any(c.dep_ == "dobj" and c.tag_ != "PRP" for c in clause.children):
        return True  # but `the rooms she promised us`: the gap is the second object
    prep = head.head
    if head.dep_ != "pobj" or prep.dep_ != "prep":
        return False
    k = prep.i - 1
    while k >= prep.sent.start and (doc[k].is_punct or doc[k].is_space):
        k -= 1
    return k < prep.sent.start


def _settings(doc: Any, base: int, taken: set[int], persons: set[str], quoted: Any
              ) -> list[Candidate]:
    """Noun phrases headed by a place noun (`the library`, `the portrait hole`), and the
    phrase around one when its head is a part of it (`the top of the stairs`)."""
    out: list[Candidate] = []
    for tok in doc:
        if tok.i in taken or not _noun_like(doc, tok) or (
                tok.pos_ == "PROPN" and tok.lower_ in persons):
            continue
        lemma = tok.lemma_.lower()
        if tok.dep_ == "compound":
            # `the kitchen stove`: LitBank marks such words only now and then, so the rules
            # leave them out and the span model judges them
            if tok.pos_ == "NOUN" and (lemma in PLACE_NOUNS or tok.lower_ in PLACE_NOUNS) \
                    and tok.head.pos_ == "NOUN" and not _glued_to(doc, tok) and not (
                    tok.i + 1 < len(doc) and doc[tok.i + 1].text == "-"):
                info = [f"quoted:{quoted(base + tok.idx)}", f"of:{_word_class_name(tok.head)}"]
                out.append(Candidate(doc, base, tok, "setting", lemma, None, (tok.i, tok.i),
                                     "compound", info))
            continue
        if lemma in _LOCATIVE_ONLY or tok.lower_ in _LOCATIVE_ONLY:
            if not _after_locative(doc, tok):
                continue
        elif lemma not in PLACE_NOUNS and tok.lower_ not in PLACE_NOUNS:
            continue
        if lemma == "place" and _idiomatic_place(tok):
            continue
        if tok.lower_ == "mine" and not any(c.dep_ == "det" for c in tok.children):
            continue  # the pronoun `of mine`
        if tok.i + 1 < len(doc) and doc[tok.i + 1].text == "-":
            continue  # `sea-going`
        if lemma == "yard" and any(c.dep_ == "nummod" for c in tok.children):
            continue  # `four yards from me`
        if tok.lower_ in _OTHER_SENSE or (lemma == "study" and any(
                c.lower_ == "of" for c in tok.children)):
            continue  # a bird's wings, a man's temples, the study of the law
        left, right = _setting_phrase(doc, tok)
        if _glued_to(doc, tok):
            continue  # `lilies-of-the-valley`, `stay-at-home`: a word built around it
        words = [t for t in doc[left:tok.i + 1]
                 if (t.dep_ in ("compound", "amod") and t.head.i == tok.i) or t.i == tok.i]
        name = " ".join(t.lower_ for t in words if t.pos_ != "DET")
        info = [f"quoted:{quoted(base + tok.idx)}"]
        out.append(Candidate(doc, base, tok, "setting", name or lemma, (left, right),
                             (left, tok.i), "setting", info))
        outer = _partitive(doc, tok, base)
        if outer is not None:
            out.append(outer)
    return out


#: What a place word before a noun may describe: a part of the place (`the kitchen door`),
#: someone of the place (`the village doctor`), or something else (`a county family`).
_PLACE_PARTS = frozenset(_words("""
door doors window windows wall walls table fire fireplace floor roof steps step stairs gate
chimney stove hearth garden yard porch corner grate shelf"""))
_PLACE_PEOPLE = frozenset(_words("""
doctor practitioner servant maid girl boy man men woman women people folk folks children
keeper master mistress parson clergyman schoolmaster"""))


def _word_class_name(tok: Any) -> str:
    lemma = tok.lemma_.lower()
    if lemma in _PLACE_PARTS:
        return "part"
    if lemma in _PLACE_PEOPLE or lemma in person_nouns():
        return "people"
    if lemma in PLACE_NOUNS:
        return "place"
    return "other"


def _noun_like(doc: Any, tok: Any) -> bool:
    """A common noun, or a place word spaCy tagged otherwise: `Heaven` on its own, `the flat`,
    `a deep well` (a determiner before it shows it is a noun)."""
    if tok.pos_ == "NOUN":
        return True
    if tok.pos_ == "PROPN":
        b, a = _before(doc, tok.i), _after(doc, tok.i)
        alone = all(doc[k].pos_ != "PROPN" for k in (b, a) if 0 <= k < len(doc))
        return alone and tok.dep_ != "poss" and tok.ent_type_ != "PERSON" and (
            b < 0 or doc[b].lower_.rstrip(".") not in _TITLES)
    return tok.pos_ in ("ADJ", "ADV", "VERB") and tok.dep_ in ("pobj", "dobj", "nsubj", "attr", "conj") \
        and any(c.dep_ == "det" for c in tok.children)


def _after_locative(doc: Any, tok: Any) -> bool:
    """The noun is the object of a preposition of place (`into the water`)."""
    return tok.dep_ == "pobj" and tok.head.lower_ in _SPATIAL


def _partitive(doc: Any, tok: Any, base: int = 0) -> Candidate | None:
    """The phrase a place is part of (`the top of [the stairs]`, `one of [the towns]`), as a
    candidate headed by the part, or None."""
    if tok.dep_ != "pobj" or tok.head.lower_ != "of":
        return None
    outer = tok.head.head
    if outer.lower_ not in _PARTS or outer.pos_ not in ("NOUN", "NUM", "PRON"):
        return None
    left, right = _setting_phrase(doc, outer)
    right = max(right, tok.right_edge.i)
    inner = tok.text if tok.pos_ == "PROPN" else tok.lower_
    return Candidate(doc, base, outer, "setting", f"{outer.lower_} of {inner}", (left, right),
                     (left, outer.i), "partitive", [])


def _adverbs(doc: Any, base: int, taken: set[int], quoted: Any) -> list[Candidate]:
    """`home`, `upstairs`; `there` and `here` pointing at a place (kind `deictic`).
    `quoted(offset)` tells whether an offset is inside a quotation."""
    out: list[Candidate] = []
    n = len(doc)
    for tok in doc:
        if tok.i in taken:
            continue
        start = base + tok.idx
        if tok.lower_ in _PLACE_ADVERBS and tok.pos_ == "ADV" \
                and tok.dep_ in ("advmod", "npadvmod", "pobj", "dobj"):
            out.append(Candidate(doc, base, tok, "setting", tok.lower_, (tok.i, tok.i),
                                 (tok.i, tok.i), "adverb", [f"quoted:{quoted(start)}"]))
        if tok.lower_ not in ("there", "here") or tok.pos_ != "ADV" or tok.dep_ == "expl":
            continue
        b, a = _before(doc, tok.i), _after(doc, tok.i)
        prev = doc[b].lower_ if b >= 0 else ""
        nxt = doc[a].lower_ if a < n else ""
        pair = ("here", "there")
        # `here and there`, `up there`, `over here`: a direction or a manner, not a place
        if prev in _DIRECTIONS or (prev == "and" and b > 0 and doc[_before(doc, b)].lower_ in pair) \
                or (nxt == "and" and _after(doc, a) < n and doc[_after(doc, a)].lower_ in pair):
            continue
        info = [f"quoted:{quoted(start)}", f"prev:{prev in _SPATIAL}",
                f"stay:{tok.head.lemma_ in _STAY_VERBS}"]
        # in speech, `here` is mostly the speaker's now (`here you are`), and `there` a place
        # only with a verb of going or staying; the span model may yet take one with a verb
        # of staying or going (`stay here`, `come here`), which the rules leave out
        if quoted(start) and prev not in ("in", "into", "from", "through", "near") and (
                tok.lower_ == "here" or tok.head.lemma_ not in _STAY_VERBS):
            if tok.head.lemma_ in _STAY_VERBS:
                out.append(Candidate(doc, base, tok, "deictic", tok.lower_, None, (tok.i, tok.i),
                                     "deictic-speech", info))
            continue
        out.append(Candidate(doc, base, tok, "deictic", tok.lower_, (tok.i, tok.i), (tok.i, tok.i),
                             "deictic", info))
    return out


@dataclass
class NameEvidence:
    """One occurrence of a proper-noun phrase and what speaks for a place or a person."""

    key: str
    place: float = 0.0
    person: float = 0.0
    titled: bool = False
    #: the phrase itself says it is a place (`in Raveloe`, `Kellynch Hall`), not just spaCy
    anchored: bool = False
    #: spaCy's entity label: "place", "person" or None
    label: str | None = None


def _named_candidates(doc: Any) -> list[tuple[tuple[int, int], NameEvidence]]:
    """Proper-noun phrases of a paragraph (token spans) with the evidence each gives."""
    out: list[tuple[tuple[int, int], NameEvidence]] = []
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        if tok.pos_ != "PROPN" or not tok.text[:1].isupper():
            i += 1
            continue
        j = _proper_run_end(doc, i)
        while j - i > 1 and _heading_word(doc, i):
            i += 1  # `CHAPTER I Chiswick Mall`, `II Blodgett College`: the heading is no name
        # `Leichardt's Town`, `King's Chapel`, `Lincoln's Inn Hall`
        if j + 1 < n and doc[j].lower_ in ("'s", "\u2019s"):
            k = _proper_run_end(doc, j + 1) if doc[j + 1].text[:1].isupper() else j + 1
            if k > j + 1 and _is_suffix(doc[k - 1]):
                j = k
        # a place word right after the proper noun belongs to it (`Gryffindor Tower`)
        k = _after(doc, j - 1)
        if k < n and _is_suffix(doc[k]):
            j = k + 1
        out.append(((i, j), _evidence(doc, i, j)))
        i = j
    return out


#: Words that open a heading before a name (`Chapter 3 Diagon Alley`, `Letter 2 Archangel`).
_HEADING_WORDS = frozenset(_words("chapter book part letter volume canto section"))


def _heading_word(doc: Any, i: int) -> bool:
    """Whether token `i`, first of a proper-noun run, belongs to a heading rather than to
    the name: a heading word, the number after one (`Chapter 3`), or a Roman numeral of two
    letters or more (`II`; `I` alone is mostly the pronoun)."""
    tok = doc[i]
    if tok.lower_ in _HEADING_WORDS:
        return tok.is_title or tok.is_upper
    roman = tok.is_upper and re.fullmatch(r"[IVXLC]+\.?", tok.text) is not None
    prev = _before(doc, i)
    after_heading = prev >= 0 and doc[prev].lower_ in _HEADING_WORDS
    return (roman or tok.like_num) and after_heading or roman and len(tok.text.rstrip(".")) > 1


def _before(doc: Any, i: int) -> int:
    """The index of the word before token `i`, over the line breaks of hard-wrapped text
    (-1 at the start)."""
    i -= 1
    while i >= 0 and doc[i].is_space:
        i -= 1
    return i


def _after(doc: Any, i: int) -> int:
    """The index of the word after token `i`, over line breaks (len(doc) at the end)."""
    i += 1
    while i < len(doc) and doc[i].is_space:
        i += 1
    return i


def _proper_run_end(doc: Any, i: int) -> int:
    j = i
    n = len(doc)
    while j < n:
        if j > i and doc[j].is_sent_start:
            break  # a heading or a letter's address runs into the next sentence
        if j > i and _opens_name(doc[j]):
            break  # `in Australia Mrs. Lynde had a cousin`: a title opens the next name
        if (doc[j].is_space and j > i and j + 1 < n and doc[j + 1].pos_ == "PROPN"
                and doc[j + 1].text[:1].isupper()):
            j += 1  # `Green⏎Gables` in hard-wrapped text
        elif doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper():
            j += 1
        elif (doc[j].lower_ == "of" and j + 1 < n and doc[j + 1].pos_ == "PROPN"
              and j > i and doc[j - 1].lower_ in _OF_NAMES):
            j += 1  # `Isle of Man`, `County of Kent`, not `Hurlbird of Stamford`
        elif (doc[j].lower_ in _PARTICLES and j > i and j + 1 < n
              and doc[j + 1].text[:1].isupper()):
            j += 1  # `Fort du Quesne`, `Place de la Greve`
        else:
            break
    return j


def _opens_name(tok: Any) -> bool:
    """An abbreviated title (`Mrs.`, `Dr.`, `Mr`), which starts a person's name rather than
    going on with the one before it."""
    title = tok.lower_.rstrip(".")
    return tok.text[:1].isupper() and title in _TITLES and (
        tok.text.endswith(".") or title in ("mr", "mrs", "ms", "dr"))


def _is_suffix(tok: Any) -> bool:
    return tok.text[:1].isupper() and (tok.lower_ in PLACE_SUFFIXES or tok.lower_ in _MORE_SUFFIXES)


def _evidence(doc: Any, i: int, j: int) -> NameEvidence:
    """What the words around one occurrence of the name `doc[i:j]` say about it."""
    words = [t.lower_.rstrip(".") for t in doc[i:j]]
    text = " ".join(t.text for t in doc[i:j])
    ev = NameEvidence(key=_name_key(text))
    prev_i = _before(doc, i)
    before = doc[prev_i] if prev_i >= 0 else None
    if prev_i >= 0 and doc[prev_i].lower_ in ("the", "all"):
        prev_i = _before(doc, prev_i)
    prev = doc[prev_i].lower_ if prev_i >= 0 else ""
    if words[0] in _TITLES or (before is not None and before.lower_.rstrip(".") in _TITLES
                               and before.text[:1].isupper()):
        ev.titled = True
        ev.person += 3.0
    if words[0] in _NOT_PLACES or all(w in _NOT_PLACES for w in words):
        ev.person += 3.0
    if len(words) > 1 and (_is_suffix(doc[j - 1]) or words[0] in _PLACE_PREFIXES):
        ev.place += 2.0  # `Kellynch Hall`, `Mount Pleasant`; `Dale` alone is a man
        ev.anchored = True
    ents = Counter(t.ent_type_ for t in doc[i:j] if t.ent_type_)
    if ents:
        label = ents.most_common(1)[0][0]
        ev.label = "place" if label in _PLACE_ENTS else "person" if label == "PERSON" else None
    root = _root(doc, (i, j))
    if root.dep_ in ("poss", "compound", "amod", "nmod") and root.head.i >= j:
        prev = ""  # `in Giotto's time`, `in the Barry garden`: the preposition is the noun's
    if prev in _STRONG_LOCATIVE:
        # `looked at Lucy`, `smiled at him`: the preposition goes with a look, not a place
        strong = doc[prev_i].head.lemma_ not in _LOOK_VERBS
        ev.anchored = ev.anchored or strong
        ev.place += 3.0 if strong else 0.5
    elif prev in _LOCATIVE:
        # `went to Raveloe`, `sailed from Deptford` (but `wrote to Lucy`)
        strong = doc[prev_i].head.lemma_ in _MOTION_VERBS
        ev.anchored = ev.anchored or strong
        ev.place += 2.0 if strong else 0.5
    elif prev == "of" and prev_i > 0 and doc[_before(doc, prev_i)].lower_ in _OF_NAMES \
            and doc[_before(doc, prev_i)].lemma_.lower() not in _OWNED:
        ev.place += 2.0  # `the county of Somerset`
        ev.anchored = True
    if j < len(doc) and doc[j].lower_ == "," and j + 1 < len(doc) and doc[j + 1].ent_type_ == "GPE":
        ev.place += 1.0  # `Clarence, South Carolina`
    if root.dep_ == "nsubj" and root.head.lemma_ not in _PLACE_VERBS:
        ev.person += 1.5  # `Dale studied the clouds`; places mostly just are, lie or stand
    if root.dep_ in ("dobj", "dative") and root.head.lemma_ in _PERSON_OBJECT_VERBS:
        ev.person += 1.5  # `tell Newton to ...`
    if any(c.dep_ == "amod" and c.lower_ in _FOND_WORDS for c in root.children):
        ev.person += 1.5  # `poor Becky`, `dear Tibby`
    nouns = person_nouns()
    if (root.dep_ == "appos" and root.head.lemma_.lower() in nouns) or any(
            c.dep_ == "appos" and c.lemma_.lower() in nouns for c in root.children):
        ev.person += 1.5  # `Bessie, the nurse`, `his compatriot Turkey`
    if (root.dep_ == "appos" and root.head.lemma_.lower() in PLACE_NOUNS) or any(
            c.dep_ in ("appos", "attr") and c.lemma_.lower() in PLACE_NOUNS for c in
            (*root.children, *(root.head.children if root.dep_ == "nsubj" else ()))):
        ev.place += 2.0  # `Bistritz, the post town`, `Raveloe is a village`
    if re.search(_PLACE_ENDINGS, words[-1]):
        ev.place += 1.0  # `Glamorganshire`, `Winchester`, `Edinburgh`
    return ev


def _root(doc: Any, span: tuple[int, int]) -> Any:
    i, j = span
    for tok in doc[i:j]:
        if not (i <= tok.head.i < j) or tok.head.i == tok.i:
            return tok
    return doc[j - 1]


def _named_extent(doc: Any, span: tuple[int, int]) -> tuple[int, int]:
    """The token range of a named place with its determiner and adjectives (`the old
    Pyncheon House`, `eastern Maine`), unless it only modifies a noun (`the London road`)."""
    i, j = span
    root = _root(doc, span)
    if root.dep_ in ("compound", "amod", "nmod") and root.head.i >= j:
        return i, j
    left = i
    for child in root.children:
        if child.i < i and child.dep_ in ("det", "amod", "nummod") or (
                child.i < i and child.dep_ == "poss" and child.pos_ == "PRON"):
            left = min(left, child.left_edge.i)
    while left < i and (doc[left].dep_ in ("predet", "advmod", "preconj", "cc", "punct")
                        or doc[left].lower_ in _NOT_IN_PHRASE):
        left += 1
    return left, j


def _name_key(text: str) -> str:
    """A name compared across its occurrences: `The Leichardt's Town` = `leichardt s town`."""
    return re.sub(r"\W+", " ", re.sub(r"^the\s+", "", text.lower())).strip()


def _place_names(story: Story, evidence: list[NameEvidence]
                 ) -> tuple[set[str], set[str], dict[str, float]]:
    """The proper-noun phrases (keys) that name places in this story, those that name
    persons, and for each name the margin of its place evidence over its person evidence:
    the evidence of all their occurrences is summed, with the cast's word on who is a
    person."""
    place: Counter = Counter()
    person: Counter = Counter()
    labels: dict[str, Counter] = defaultdict(Counter)
    for ev in evidence:
        place[ev.key] += ev.place
        person[ev.key] += ev.person
        labels[ev.key][ev.label] += 1
    # spaCy labels a word much the same way wherever it stands, so its label counts once
    # per name (as the share of occurrences), where the contexts count at every occurrence
    for key, counts in labels.items():
        total = sum(counts.values())
        place[key] += _LABEL_WEIGHT * counts["place"] / total
        person[key] += _LABEL_WEIGHT * counts["person"] / total
    for key in place:
        if key in given_names():
            person[key] += 1.5  # once: a word's being a given name says nothing per use
    speaking = {q.speaker for q in story.quotes if q.speaker}
    aliases: set[str] = set()
    for character in story.characters:
        # a character whom the user named is a person, whatever spaCy says; one who speaks
        # most likely is (the cast and speakers stages err now and then)
        weight = 1000.0 if character.given else 4.0 if character.id in speaking else 1.5
        for alias in {character.name, *character.aliases}:
            key = _name_key(alias)
            aliases.add(key)
            if key in place:
                person[key] += weight
    # a name the coreference stage took for one of the cast (`Cordelia` for `Lady Cordelia`)
    linked = {_name_key(m.text) for m in story.mentions if m.kind == "name" and m.character}
    for key in (linked - aliases) & set(place):
        person[key] += 1.5
    # `the Wilcoxes` is the family of a `Mr. Wilcox`
    surnames = {key.split()[-1] for key in aliases | linked}
    surnames |= {ev.key.split()[-1] for ev in evidence if ev.titled}
    for key in place:
        if " " not in key and key.endswith("s") and (key[:-1] in surnames or (
                key.endswith("es") and key[:-2] in surnames)):
            person[key] += 50.0  # out of the span model's reach too
    places = {key for key, score in place.items() if score > person[key] and score >= _MIN_PLACE}
    persons = {key for key, score in person.items() if score > place[key] and key not in _NOT_PLACES}
    return places, persons, {key: place[key] - person[key] for key in place}


def find_places(story: Story) -> Story:
    """Pipeline stage: `story.places` (each place with its mentions and the characters seen
    there) and `scene.location` for every scene."""
    found, anchored = _place_mentions(story)
    mentions = [m for m in found if m[2] != "deictic"]
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
    _locate_scenes(story, mentions, place_of_key, anchored)
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


_AT = re.compile(r"\b(?:in|at|into|inside|entered|reached)\s+"
                 r"(?:the\s+|a\s+|his\s+|her\s+|their\s+|my\s+|our\s+)?$")


def _locate_scenes(story: Story, mentions: list[tuple[int, int, str, str]],
                   place_of_key: dict[tuple[str, str], Place], anchored: set[str]) -> None:
    """Each scene's location: the place it names most, a mention after a preposition of
    place (`in the library`) or early in the scene counting more. Settings too vague to be
    a scene's whereabouts (`the world`, `the place`) and names that no mention shows to be
    a place by its own words (persons spaCy took for places, mostly) are left out."""
    starts = [m[0] for m in mentions]
    for scene in story.scenes:
        lo = bisect.bisect_left(starts, scene.start)
        hi = bisect.bisect_left(starts, scene.end)
        scores: Counter = Counter()
        length = max(scene.end - scene.start, 1)
        for start, _end, kind, name in mentions[lo:hi]:
            place = place_of_key.get((kind, _place_key(name)))
            if place is None or (kind == "named" and _name_key(name) not in anchored) or (
                    kind == "setting" and name.split()[-1] in _VAGUE_SETTINGS):
                continue
            weight = 1.0
            if _AT.search(story.text[max(scene.start, start - 14):start].lower()):
                weight += 1.0
            if start - scene.start < length / 4:
                weight += 0.5
            if kind == "named":
                weight += 0.25
            scores[place.name] += weight
        best = scores.most_common(1)
        scene.location = best[0][0] if best and best[0][1] >= 1.5 else None
