"""Addressees: to whom each quotation is said.

The characters a quotation calls by name (`"Lily, please"`) and the one a speech tag names
(`said to Severus`, `told Severus`) are addressees. Beyond them, a small learned model
(trained with the speaker ranker, `scripts/train_speaker_model.py`) scores each character
taking part in the scene — the previous and next speakers, those who speak in the same
exchange or conversation, those named in the narration around it or earlier in the chapter,
those the narration turns to (`turning to Severus`, `answered him`, `Lily's question`) — and
keeps those likely to be listening: a two-person exchange gives the other party, a group scene
can give several listeners; a character not yet in the scene (neither named in its narration
nor heard speaking since it began, nor the one who answers) is never one. A second pass sees
the first pass's listeners of the quote and of the quotes around it (who was just spoken to,
how many listen nearby), so that one quote's decision between one listener and the group
agrees with its neighbours'.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ficlens.model import Story
from ficlens.stages.speakers import (
    SPEECH_VERBS,
    Context,
    build_context,
    conversation_window,
    load_model,
    scene_presence,
    token_at,
)

_GAP = 3  # paragraphs between two quotes of one conversation
_SPAN = 4  # quotes looked at on each side
_FAR = 12  # quotes looked at on each side for the wider scene
_FAR_GAP = 12  # paragraphs between two quotes of one scene
_SCENE = 40  # paragraphs of the chapter looked back at for who is present
_WE_RE = re.compile(r"\b(?:we|us|our|ours|let's)\b", re.IGNORECASE)
_GROUP_RE = re.compile(r"\b(?:you all|all of you|both of you|you both|you two|you three|"
                       r"everybody|everyone|gentlemen|ladies|friends|children|boys|girls|"
                       r"my dears|each of you|any of you|none of you)\b", re.IGNORECASE)

FIRST_PASS_FEATURES = (
    "bias", "vocative", "tag_addressee", "prev_speaker", "next_speaker", "prev2_speaker",
    "next2_speaker", "near_speaker", "near_speaker_count", "named_para", "named_prev_para",
    "named_in_quote", "prominence", "addressed_speaker", "speaker_addressed_them",
    "two_party", "same_para_quote", "voc_in_quote_other", "speaker_unknown",
    "run_speaker", "run_speaker_count", "named_recent", "named_recent_count",
    # the wider scene: who speaks or is named a little further away, and how many take part
    "named_after", "far_speaker", "far_speaker_count", "named_far", "group_speaker",
    "group_named", "group_cue", "group_cue_member", "conv_share", "conv_pair_other",
    # the narration turns to a listener: `turning to X`, `answered X`, `X's question`, `told him`
    "narr_to", "narr_object", "narr_owner", "narr_before", "narr_after", "narr_pron_match",
    "narr_pron_other", "narr_plural",
    # a large scene: who was named earlier in the chapter, who speaks in the conversation
    "scene_named", "scene_recent", "big_scene_member", "scene_only",
    # the quote itself: a question, `we`/`us`, its length, the size of its scene
    "q_question", "q_we", "q_length", "scene_size",
    # not yet in the scene: neither named in its narration nor heard speaking before the quote,
    # nor the one who answers it
    "not_yet",
)
# second pass: the first pass's listeners of this quote and of the quotes around it
SECOND_PASS_FEATURES = (
    "p1", "p1_top", "p1_second", "p1_shared", "prev_same_heard", "prev_heard", "next_heard",
    "reply_to", "replied_by", "conv_heard",
    # how many listen: this quote's and its neighbours' first-pass listener counts
    "q_above", "q_mass", "nb_above", "nb_heard", "p1_rank",
)
ADDRESSEE_FEATURES = FIRST_PASS_FEATURES + SECOND_PASS_FEATURES
_INDEX = {name: i for i, name in enumerate(ADDRESSEE_FEATURES)}


def find_addressees(story: Story) -> Story:
    """Pipeline stage: set `quote.addressees` (character ids, the speaker never among them)."""
    if not story.quotes:
        return story
    ctx = build_context(story)
    weights = load_model().get("addressees")
    speakers = [q.speaker for q in story.quotes]
    for qi, quote in enumerate(story.quotes):
        quote.addressees = predict_addressees(ctx, qi, speakers, weights)
    return story


def predict_addressees(ctx: Context, qi: int, speakers: list[str | None],
                       weights: dict | None) -> list[str]:
    """The addressees of quote `qi`, given every quote's speaker."""
    speaker = speakers[qi]
    cands = addressee_candidates(ctx, qi, speakers)
    sure = [c for c in _named(ctx, qi) if c != speaker]
    if weights is None or not cands:
        found = list(sure)
        if not found:
            partner = _partner(ctx, qi, speakers, -1) or _partner(ctx, qi, speakers, +1)
            if partner:
                found.append(partner)
        return found
    first = None
    if weights.get("stage2"):
        first = first_pass(ctx, speakers, weights)
        weights = weights["stage2"]
    rows = addressee_features(ctx, qi, cands, speakers, first)
    threshold = weights.get("threshold", 0.5)
    found = list(sure)
    scored = []
    for cand, p, row in zip(cands, _probabilities(weights, rows), rows):
        if row[_INDEX["not_yet"]]:
            # no one listens before they come in: as a hard rule this keeps F1 (5 folds,
            # 0.678 -> 0.679) and raises precision (0.687 -> 0.698) over the feature alone
            continue
        scored.append((p, cand))
        if p >= threshold and cand not in found:
            found.append(cand)
    if not found and scored:
        p, cand = max(scored)
        if p >= weights.get("fallback", 0.2):
            found.append(cand)
    return found


def first_pass(ctx: Context, speakers: list[str | None], weights: dict) -> list[dict[str, float]]:
    """Per quote, the first-pass probability that each candidate is listening (kept on the
    context for this list of speakers and these weights)."""
    cached = ctx.addressee_first
    if cached is not None and cached[0] is speakers and cached[1] is weights:
        return cached[2]
    out = []
    for qi in range(len(speakers)):
        cands = addressee_candidates(ctx, qi, speakers)
        rows = addressee_features(ctx, qi, cands, speakers) if cands else []
        out.append(dict(zip(cands, _probabilities(weights, rows))))
    ctx.addressee_first = (speakers, weights, out)
    return out


def _probabilities(weights: dict, rows: list[list[float]]) -> list[float]:
    """The probability that each candidate row is a listener (a logistic model or an MLP)."""
    index = [_INDEX[n] for n in weights["features"]]
    if weights.get("type", "logreg") == "mlp":
        import numpy as np

        if not rows:
            return []
        h = np.asarray(rows, dtype=float)[:, index]
        layers = list(zip(weights["coefs"], weights["intercepts"]))
        for k, (w, b) in enumerate(layers):
            h = h @ np.asarray(w, dtype=float) + np.asarray(b, dtype=float)
            if k < len(layers) - 1:
                h = np.maximum(h, 0.0)
        z = np.clip(h.reshape(-1), -30.0, 30.0)
        return (1.0 / (1.0 + np.exp(-z))).tolist()
    out = []
    for row in rows:
        z = weights["intercept"] + sum(c * row[i] for c, i in zip(weights["coef"], index))
        out.append(1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0))))
    return out


def _named(ctx: Context, qi: int) -> list[str]:
    out = [c for _, c, vocative in ctx.in_quote_names.get(qi, []) if vocative]
    if ctx.tags[qi].addressee:
        out.append(ctx.tags[qi].addressee)
    return list(dict.fromkeys(out))


def _near(ctx: Context, a: int, b: int) -> bool:
    """True if quotes `a` and `b` both exist and are close enough to be one conversation."""
    quotes = ctx.story.quotes
    if not (0 <= a < len(quotes) and 0 <= b < len(quotes)):
        return False
    return abs((quotes[a].paragraph or 0) - (quotes[b].paragraph or 0)) <= _GAP


def addressee_candidates(ctx: Context, qi: int, speakers: list[str | None]) -> list[str]:
    """Characters who may be listening: speakers and names around the quote."""
    speaker = speakers[qi]
    seen: list[str] = list(_named(ctx, qi))
    for d in range(1, _SPAN + 1):
        for k in (qi - d, qi + d):
            if _near(ctx, k, qi) and speakers[k]:
                seen.append(speakers[k])
    pi = ctx.story.quotes[qi].paragraph or 0
    for p in range(max(pi - 6, 0), pi + 1):
        seen.extend(c for _, c, _ in ctx.paras[p].names)
    seen.extend(_run_speakers(ctx, qi, speakers))
    seen.extend(c for _, c, _ in ctx.in_quote_names.get(qi, []))
    # the wider scene: speakers a little further away, names a little after the quote
    seen.extend(_far_speakers(ctx, qi, speakers))
    for p in range(pi + 1, min(pi + 4, len(ctx.paras))):
        seen.extend(c for _, c, _ in ctx.paras[p].names)
    # a large scene: the conversation's speakers and those named earlier in the chapter
    seen.extend(speakers[k] for k in conversation_window(ctx, qi) if speakers[k])
    seen.extend(_scene_names(ctx, pi))
    return [c for c in dict.fromkeys(seen) if c != speaker]


def _scene_names(ctx: Context, pi: int) -> dict[str, tuple[int, int]]:
    """The characters named in the narration of the `_SCENE` paragraphs up to paragraph `pi`
    in its chapter: {id: (times named, paragraphs since last named)}."""
    paragraphs = ctx.story.paragraphs
    chapter = paragraphs[pi].chapter
    out: dict[str, tuple[int, int]] = {}
    for p in range(pi, max(pi - _SCENE, -1), -1):
        if paragraphs[p].chapter != chapter:
            break
        for _, c, _ in ctx.paras[p].names:
            n, dist = out.get(c, (0, pi - p))
            out[c] = (n + 1, dist)
    return out


def addressee_features(ctx: Context, qi: int, cands: list[str], speakers: list[str | None],
                       first: list[dict[str, float]] | None = None) -> list[list[float]]:
    """One feature row per candidate addressee of quote `qi` (with `first`, the first pass's
    probabilities per quote, also the second-pass features)."""
    quotes = ctx.story.quotes
    speaker = speakers[qi]
    pi = quotes[qi].paragraph or 0
    vocatives = {c for _, c, v in ctx.in_quote_names.get(qi, []) if v}
    in_quote = {c for _, c, _ in ctx.in_quote_names.get(qi, [])}
    para_names = {c for _, c, _ in ctx.paras[pi].names}
    prev_names = {c for p in range(max(pi - 2, 0), pi) for _, c, _ in ctx.paras[p].names}
    near = [speakers[k] for d in range(1, _SPAN + 1) for k in (qi - d, qi + d)
            if _near(ctx, k, qi) and speakers[k]]
    parties = set(near) | ({speaker} if speaker else set())
    in_run = _run_speakers(ctx, qi, speakers)
    recent: dict[str, int] = {}
    for p in range(max(pi - 6, 0), pi + 1):
        for _, c, _ in ctx.paras[p].names:
            recent[c] = recent.get(c, 0) + 1
    prev_k = _neighbour(ctx, qi, speakers, -1)
    next_k = _neighbour(ctx, qi, speakers, +1)
    after_names = {c for p in range(pi + 1, min(pi + 4, len(ctx.paras)))
                   for _, c, _ in ctx.paras[p].names}
    after_names |= {c for o, c, _ in ctx.paras[pi].names if o >= quotes[qi].end}
    far = _far_speakers(ctx, qi, speakers)
    far_names: dict[str, int] = {}
    for p in range(max(pi - 12, 0), min(pi + 4, len(ctx.paras))):
        for _, c, _ in ctx.paras[p].names:
            far_names[c] = far_names.get(c, 0) + 1
    group = len(set(in_run) | ({speaker} if speaker else set())) >= 3
    conv = Counter(speakers[k] for k in conversation_window(ctx, qi) if speakers[k])
    conv_total = sum(conv.values())
    top2 = [c for c, _ in conv.most_common(2)]
    pair = len(top2) == 2 and sum(conv[c] for c in top2) / conv_total >= 0.8 and speaker in top2
    cue = bool(_GROUP_RE.search(quotes[qi].text))
    scene = _scene_names(ctx, pi)
    roster = set(conv) | set(scene)
    big = len(set(conv)) >= 4
    cues, pronouns = _cues(ctx, pi)
    text = quotes[qi].text
    quote_facts = (("q_question", float("?" in text)), ("q_we", float(bool(_WE_RE.search(text)))),
                   ("q_length", min(math.log1p(len(text.split())) / 6, 1.0)),
                   ("scene_size", min(len(roster), 10) / 10))
    present = scene_presence(ctx, speakers)[qi]
    before = _cues(ctx, pi - 1)[0] if pi > 0 and not ctx.paras[pi - 1].quotes else {}
    after = _cues(ctx, pi + 1)[0]
    rows = []
    for cand in cands:
        f = [0.0] * len(ADDRESSEE_FEATURES)

        def put(name: str, value: float = 1.0, f: list[float] = f) -> None:
            f[_INDEX[name]] = value

        put("bias")
        if cand in vocatives:
            put("vocative")
        if vocatives and cand not in vocatives:
            put("voc_in_quote_other")
        if ctx.tags[qi].addressee == cand:
            put("tag_addressee")
        if prev_k is not None and speakers[prev_k] == cand:
            put("prev_speaker")
            if quotes[prev_k].paragraph == quotes[qi].paragraph:
                put("same_para_quote")
        if next_k is not None and speakers[next_k] == cand:
            put("next_speaker")
        for step, name in ((-1, "prev2_speaker"), (+1, "next2_speaker")):
            k = _neighbour(ctx, qi, speakers, step, skip=1)
            if k is not None and speakers[k] == cand:
                put(name)
        count = near.count(cand)
        if count:
            put("near_speaker")
            put("near_speaker_count", min(count, 4) / 4)
        if cand in para_names:
            put("named_para")
        if cand in prev_names:
            put("named_prev_para")
        if cand in in_quote:
            put("named_in_quote")
        put("prominence", ctx.prominence.get(cand, 0.0))
        # the previous quote by cand called the speaker by name: a reply to cand
        if prev_k is not None and speakers[prev_k] == cand and speaker in {
                c for _, c, v in ctx.in_quote_names.get(prev_k, []) if v}:
            put("addressed_speaker")
        if next_k is not None and speakers[next_k] == cand and cand in vocatives:
            put("speaker_addressed_them")
        if len(parties) == 2 and cand in parties:
            put("two_party")
        if speaker is None:
            put("speaker_unknown")
        if in_run.get(cand):
            put("run_speaker")
            put("run_speaker_count", min(in_run[cand], 6) / 6)
        if recent.get(cand):
            put("named_recent")
            put("named_recent_count", min(recent[cand], 4) / 4)
        if cand in after_names:
            put("named_after")
        if far.get(cand):
            put("far_speaker")
            put("far_speaker_count", min(far[cand], 6) / 6)
        if far_names.get(cand):
            put("named_far", min(far_names[cand], 6) / 6)
        if group and in_run.get(cand):
            put("group_speaker")
        if group and recent.get(cand):
            put("group_named")
        if conv_total and conv[cand]:
            put("conv_share", conv[cand] / conv_total)
        if pair and cand in top2:
            put("conv_pair_other")
        if cand in scene:
            n, dist = scene[cand]
            put("scene_named", min(n, 8) / 8)
            put("scene_recent", 1.0 - dist / _SCENE)
        if big and cand in roster:
            put("big_scene_member")
        if not (in_run.get(cand) or far.get(cand) or conv[cand] or recent.get(cand)
                or cand in after_names or cand in in_quote):
            put("scene_only")
        if (cand not in present and cand not in vocatives and ctx.tags[qi].addressee != cand
                and not (next_k is not None and speakers[next_k] == cand)):
            put("not_yet")  # and not the one who answers: a scene can open on a question
        for name, value in quote_facts:
            put(name, value)
        for kind in cues.get(cand, ()):
            put("narr_" + kind)
        if cand in before:
            put("narr_before")
        if cand in after:
            put("narr_after")
        if pronouns - {"plural"}:
            put("narr_pron_match" if ctx.gender.get(cand) in pronouns else "narr_pron_other")
        if "plural" in pronouns:
            put("narr_plural")
        if cue:
            put("group_cue")
            if in_run.get(cand) or far.get(cand):
                put("group_cue_member")
        rows.append(f)
    if first is not None:
        _second_pass(ctx, qi, cands, speakers, first, rows)
    return rows


def _second_pass(ctx: Context, qi: int, cands: list[str], speakers: list[str | None],
                 first: list[dict[str, float]], rows: list[list[float]]) -> None:
    """Fill the second-pass features: this quote's first-pass listeners, those of the quotes
    around it, and whether the neighbouring turns were said to this speaker."""
    speaker = speakers[qi]
    mine = first[qi]
    ranked = sorted(mine.values(), reverse=True)
    above = sum(p >= 0.5 for p in ranked)
    window = conversation_window(ctx, qi)
    prev_same = next((k for k in reversed(window) if k < qi and k >= qi - 8
                      and speakers[k] == speaker and speaker), None)
    prev_q = qi - 1 if _near(ctx, qi - 1, qi) else None
    next_q = qi + 1 if _near(ctx, qi + 1, qi) else None
    prev_k = _neighbour(ctx, qi, speakers, -1)
    next_k = _neighbour(ctx, qi, speakers, +1)
    neighbours = [k for k in range(qi - 3, qi + 4) if k != qi and _near(ctx, k, qi)]
    nb_above = sum(sum(v >= 0.5 for v in first[k].values()) for k in neighbours)
    for cand, f in zip(cands, rows):
        p = mine.get(cand, 0.0)
        f[_INDEX["p1"]] = p
        f[_INDEX["q_above"]] = min(above, 6) / 6
        f[_INDEX["q_mass"]] = min(sum(ranked), 6.0) / 6
        f[_INDEX["p1_rank"]] = sum(v > p for v in ranked) / max(len(ranked), 1)
        if neighbours:
            f[_INDEX["nb_above"]] = min(nb_above / len(neighbours), 6) / 6
            heard = [first[k].get(cand, 0.0) for k in neighbours if speakers[k] != cand]
            if heard:
                f[_INDEX["nb_heard"]] = sum(heard) / len(heard)
        if ranked and p >= ranked[0]:
            f[_INDEX["p1_top"]] = 1.0
        elif len(ranked) > 1 and p >= ranked[1]:
            f[_INDEX["p1_second"]] = 1.0
        if p >= 0.5 and above >= 2:
            f[_INDEX["p1_shared"]] = 1.0
        if prev_same is not None:
            f[_INDEX["prev_same_heard"]] = first[prev_same].get(cand, 0.0)
        if prev_q is not None and speakers[prev_q] != cand:
            f[_INDEX["prev_heard"]] = first[prev_q].get(cand, 0.0)
        if next_q is not None and speakers[next_q] != cand:
            f[_INDEX["next_heard"]] = first[next_q].get(cand, 0.0)
        if prev_k is not None and speakers[prev_k] == cand and speaker:
            f[_INDEX["reply_to"]] = first[prev_k].get(speaker, 0.0)
        if next_k is not None and speakers[next_k] == cand and speaker:
            f[_INDEX["replied_by"]] = first[next_k].get(speaker, 0.0)
        others = [first[k].get(cand, 0.0) for k in window if speakers[k] != cand]
        if others:
            f[_INDEX["conv_heard"]] = sum(others) / len(others)


# verbs whose `to X` / `at X` turns a character towards a listener (`turning to Emma`)
_TOWARD_VERBS = SPEECH_VERBS | {
    "turn", "look", "glance", "smile", "nod", "talk", "bow", "wave", "beckon", "stare", "gaze",
    "appeal", "address", "lean", "bend", "motion", "gesture", "frown", "wink", "laugh", "raise",
    "hold", "hand", "come", "step", "walk", "move", "shake", "point"}
_TOWARD_PREPS = {"to", "at", "towards", "toward", "upon"}
# verbs whose object is the one spoken to (`answered Emma`, `thanked him`)
_OBJECT_VERBS = {
    "address", "answer", "ask", "tell", "assure", "thank", "greet", "remind", "warn", "inform",
    "beg", "implore", "entreat", "interrupt", "face", "question", "urge", "congratulate", "scold",
    "reassure", "persuade", "advise", "command", "order", "bid", "salute", "accost", "correct",
    "contradict", "tease", "invite", "console", "comfort", "reprove", "rebuke", "interrogate",
    "caution", "admonish", "coax", "soothe", "hail", "call", "kiss", "approach", "join"}
# nouns whose owner is the one answered (`Emma's question`, `in answer to her`)
_RESPONSE_NOUNS = {"question", "inquiry", "enquiry", "remark", "observation", "speech", "words",
                   "reply", "answer", "appeal", "request", "proposal", "look", "glance",
                   "challenge", "exclamation", "greeting", "suggestion", "entreaty", "summons"}
_OBJECT_PRONOUNS = {"him": "male", "her": "female", "them": "plural", "us": "plural"}


def _addressed(token) -> str | None:
    """How the narration turns to the person `token` names: `to` (`turned to X`, `said to X`),
    `object` (`answered X`), `owner` (`X's question`: a reply to X); None if it does not."""
    head = token.head
    if token.dep_ == "pobj" and head.lower_ in _TOWARD_PREPS:
        governor = head.head
        if governor.pos_ in ("VERB", "AUX") and governor.lemma_.lower() in _TOWARD_VERBS:
            return "to"
        if governor.lemma_.lower() in _RESPONSE_NOUNS:
            return "to"
    if token.dep_ in ("dobj", "dative") and head.pos_ in ("VERB", "AUX") and \
            head.lemma_.lower() in _OBJECT_VERBS:
        return "object"
    if token.dep_ == "poss" and head.lemma_.lower() in _RESPONSE_NOUNS:
        return "owner"
    return None


def _cues(ctx: Context, pi: int) -> tuple[dict[str, set[str]], set[str]]:
    """The characters the narration of paragraph `pi` turns to ({id: kinds}, kinds `to`,
    `object`, `owner`) and the genders of the object pronouns it turns to (`told him`)."""
    cache = ctx.addressee_cues
    if pi in cache:
        return cache[pi]
    names: dict[str, set[str]] = {}
    pronouns: set[str] = set()
    cache[pi] = (names, pronouns)
    if not 0 <= pi < len(ctx.paras):
        return cache[pi]
    paragraph = ctx.story.paragraphs[pi]
    doc = paragraph.doc
    if doc is None:
        return cache[pi]
    base = paragraph.start
    for offset, char, _ in ctx.paras[pi].names:
        token = token_at(doc, offset - base)
        if token is None:
            continue
        # the name's head: `Mr. Knightley` hangs from `Knightley`
        while token.dep_ == "compound" and token.head.i != token.i:
            token = token.head
        kind = _addressed(token)
        if kind:
            names.setdefault(char, set()).add(kind)
    spans = [span for qi in _para_quotes(ctx, pi) for span in ctx.story.quotes[qi].spans]
    for token in doc:
        gender = _OBJECT_PRONOUNS.get(token.lower_)
        if gender is None or _addressed(token) not in ("to", "object"):
            continue
        at = base + token.idx
        if not any(s <= at < e for s, e in spans):
            pronouns.add(gender)
    return cache[pi]


def _para_quotes(ctx: Context, pi: int) -> list[int]:
    """Quotes that start in paragraph `pi` or the one before (a speech may run over)."""
    return [qi for p in (pi - 1, pi) if p >= 0 for qi in ctx.paras[p].quotes]


def _run_speakers(ctx: Context, qi: int, speakers: list[str | None]) -> dict[str, int]:
    """How often each character speaks in the run of talk around quote `qi` (at most 20 turns)."""
    run, turn = ctx.turns[qi]
    counts: dict[str, int] = {}
    for quotes in ctx.run_turns.get(run, [])[max(turn - 20, 0):turn + 21]:
        for k in quotes:
            if k != qi and speakers[k]:
                counts[speakers[k]] = counts.get(speakers[k], 0) + 1
    return counts


def _far_speakers(ctx: Context, qi: int, speakers: list[str | None]) -> dict[str, int]:
    """How often each character speaks within `_FAR` quotes of quote `qi` in the same scene."""
    quotes = ctx.story.quotes
    pi = quotes[qi].paragraph or 0
    counts: dict[str, int] = {}
    for k in range(max(qi - _FAR, 0), min(qi + _FAR + 1, len(quotes))):
        if k != qi and speakers[k] and abs((quotes[k].paragraph or 0) - pi) <= _FAR_GAP:
            counts[speakers[k]] = counts.get(speakers[k], 0) + 1
    return counts


def _neighbour(ctx: Context, qi: int, speakers: list[str | None], step: int,
               skip: int = 0) -> int | None:
    """The nearest quote (back or forward) in the conversation by someone other than the speaker."""
    k = qi + step
    seen = 0
    while _near(ctx, k, qi):
        if speakers[k] and speakers[k] != speakers[qi]:
            if seen == skip:
                return k
            seen += 1
        k += step
    return None


def _partner(ctx: Context, qi: int, speakers: list[str | None], step: int) -> str | None:
    k = _neighbour(ctx, qi, speakers, step)
    return speakers[k] if k is not None else None
