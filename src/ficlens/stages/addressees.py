"""Addressees: to whom each quotation is said.

The characters a quotation calls by name (`"Lily, please"`) and the one a speech tag names
(`said to Severus`, `told Severus`) are addressees. Beyond them, a small learned model
(trained with the speaker ranker, `scripts/train_speaker_model.py`) scores each character
taking part in the conversation — the previous and next speakers, those who speak in the
same exchange, those named in the narration around it — and keeps those likely to be listening:
a two-person exchange gives the other party, a group scene can give several listeners.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from ficlens.model import Story
from ficlens.stages.speakers import Context, build_context, conversation_window, load_model

_GAP = 3  # paragraphs between two quotes of one conversation
_SPAN = 4  # quotes looked at on each side
_FAR = 12  # quotes looked at on each side for the wider scene
_FAR_GAP = 12  # paragraphs between two quotes of one scene
_GROUP_RE = re.compile(r"\b(?:you all|all of you|both of you|you both|you two|you three|"
                       r"everybody|everyone|gentlemen|ladies|friends|children|boys|girls|"
                       r"my dears|each of you|any of you|none of you)\b", re.IGNORECASE)

ADDRESSEE_FEATURES = (
    "bias", "vocative", "tag_addressee", "prev_speaker", "next_speaker", "prev2_speaker",
    "next2_speaker", "near_speaker", "near_speaker_count", "named_para", "named_prev_para",
    "named_in_quote", "prominence", "addressed_speaker", "speaker_addressed_them",
    "two_party", "same_para_quote", "voc_in_quote_other", "speaker_unknown",
    "run_speaker", "run_speaker_count", "named_recent", "named_recent_count",
    # the wider scene: who speaks or is named a little further away, and how many take part
    "named_after", "far_speaker", "far_speaker_count", "named_far", "group_speaker",
    "group_named", "group_cue", "group_cue_member", "conv_share", "conv_pair_other",
)
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
    rows = addressee_features(ctx, qi, cands, speakers)
    index = [_INDEX[n] for n in weights["features"]]
    threshold = weights.get("threshold", 0.5)
    found = list(sure)
    scored = []
    for cand, row in zip(cands, rows):
        z = weights["intercept"] + sum(c * row[i] for c, i in zip(weights["coef"], index))
        p = 1.0 / (1.0 + math.exp(-z))
        scored.append((p, cand))
        if p >= threshold and cand not in found:
            found.append(cand)
    if not found and scored:
        p, cand = max(scored)
        if p >= weights.get("fallback", 0.2):
            found.append(cand)
    return found


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
    return [c for c in dict.fromkeys(seen) if c != speaker]


def addressee_features(ctx: Context, qi: int, cands: list[str],
                       speakers: list[str | None]) -> list[list[float]]:
    """One feature row per candidate addressee of quote `qi`."""
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
        if cue:
            put("group_cue")
            if in_run.get(cand) or far.get(cand):
                put("group_cue_member")
        rows.append(f)
    return rows


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
