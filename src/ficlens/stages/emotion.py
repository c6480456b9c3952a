"""Emotion: valence and the eight basic emotions of every quotation and narration sentence,
and how they run over story time for each character and each speaker -> addressee pair.

Valence is VADER's compound score (-1 ... 1; MIT licence), which handles negation,
intensifiers, `but` and capitals. The eight emotions (anger, anticipation, disgust,
fear, joy, sadness, surprise, trust) come from the NRC Emotion Lexicon (Mohammad &
Turney) as shipped inside the `nrclex` package (research use only: see the README),
with VADER's own negation and booster word lists applied to them: a negated emotion
word (`not happy`) counts half for its Plutchik opposite (sadness) instead of for
itself; a boosted one (`very angry`) counts 1.5 times.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
from collections import defaultdict
from functools import lru_cache
from typing import Any

from ficlens.model import Story

EMOTIONS: tuple[str, ...] = ("anger", "anticipation", "disgust", "fear", "joy", "sadness",
                             "surprise", "trust")
OPPOSITE = {"joy": "sadness", "sadness": "joy", "trust": "disgust", "disgust": "trust",
            "fear": "anger", "anger": "fear", "anticipation": "surprise",
            "surprise": "anticipation"}
SEGMENTS = 10  # time bins for a story without chapters
_NEGATION_SCOPE = 3  # words after a negator that it reaches
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?")


@lru_cache(maxsize=1)
def nrc_lexicon() -> dict[str, frozenset[str]]:
    """word -> the NRC emotions it evokes (read from nrclex's `nrc_en.json`)."""
    import nrclex

    path = os.path.join(os.path.dirname(nrclex.__file__), "data", "nrc_en.json")
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    return {w: frozenset(e for e in cats if e in OPPOSITE) for w, cats in raw.items()}


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _modifiers() -> tuple[frozenset[str], dict[str, float]]:
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE

    negators = {w.lower().replace("'", "") for w in NEGATE} | {"not", "no", "never", "nor",
                                                             "neither", "without", "nothing",
                                                             "nobody", "none", "hardly",
                                                             "scarcely", "barely", "nt"}
    return frozenset(negators), {w.lower(): s for w, s in BOOSTER_DICT.items()}


def _stem_lookup(word: str, lexicon: dict[str, frozenset[str]]) -> frozenset[str] | None:
    found = lexicon.get(word)
    if found is not None:
        return found
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
                         ("ing", ""), ("ing", "e"), ("ly", ""), ("ness", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            found = lexicon.get(word[: -len(suffix)] + repl)
            if found is not None:
                return found
    return None


def score_text(text: str) -> dict[str, float]:
    """Valence (-1 ... 1) and the eight emotions of a text, each emotion as the weighted
    count of its words (1 per word, 1.5 intensified, 0.5 for the opposite when negated)."""
    words = [w.lower().replace("\u2019", "'") for w in _WORD.findall(text)]
    lexicon = nrc_lexicon()
    negators, boosters = _modifiers()
    totals = dict.fromkeys(EMOTIONS, 0.0)
    negated_until = -1
    boost = 0.0
    for i, word in enumerate(words):
        bare = word.replace("'", "")
        if bare in negators or word.endswith("n't"):
            negated_until = i + _NEGATION_SCOPE
            continue
        if word in boosters:
            boost = 0.5 if boosters[word] > 0 else -0.5
            continue
        cats = _stem_lookup(word, lexicon)
        if cats:
            weight = 1.0 + boost
            for cat in cats:
                if i <= negated_until:
                    totals[OPPOSITE[cat]] += 0.5 * weight
                else:
                    totals[cat] += weight
        boost = 0.0
    scores = {"valence": round(float(_vader().polarity_scores(text)["compound"]), 4)}
    for cat in EMOTIONS:
        scores[cat] = round(totals[cat], 4)
    return scores


def score_emotions(story: Story, segments: int = SEGMENTS) -> Story:
    """Pipeline stage: `quote.emotion` for every quotation, and `story.emotions` with every
    narration sentence scored, per-character arcs and per-relationship valence arcs on an
    explicit time axis (chapters, or `segments` equal stretches of a one-chapter story)."""
    for quote in story.quotes:
        quote.emotion = score_text(quote.text)
    axis = time_axis(story, segments)
    starts = [b["start"] for b in axis["bins"]]

    def bin_of(offset: int) -> int:
        return max(0, min(len(starts) - 1, bisect.bisect_right(starts, offset) - 1))

    sentences = narration_sentences(story)
    subject_at = _subjects(story)
    speech: dict[str, list[list[dict[str, float]]]] = defaultdict(lambda: [[] for _ in starts])
    narration: dict[str, list[list[dict[str, float]]]] = defaultdict(lambda: [[] for _ in starts])
    pairs: dict[tuple[str, str], list[list[dict[str, float]]]] = defaultdict(lambda: [[] for _ in starts])
    for quote in story.quotes:
        if quote.speaker:
            b = bin_of(quote.start)
            speech[quote.speaker][b].append(quote.emotion)
            for target in quote.addressees:
                if target and target != quote.speaker:
                    pairs[(quote.speaker, target)][b].append(quote.emotion)
    rows = []
    for start, end, subjects in sentences:
        scores = score_text(story.text[start:end])
        rows.append({"start": start, "end": end, "valence": scores["valence"],
                     "emotions": {k: scores[k] for k in EMOTIONS if scores[k]}})
        b = bin_of(start)
        for cid in {c for c in (subject_at(s) for s in subjects) if c}:
            narration[cid][b].append(scores)
    names = {c.id: c.name for c in story.characters}
    characters = {}
    for cid, name in names.items():
        if cid in speech or cid in narration:
            characters[cid] = {"name": name,
                               "speech": _arc(speech.get(cid), len(starts)),
                               "narration": _arc(narration.get(cid), len(starts))}
    relationships = []
    for (src, dst), bins in sorted(pairs.items(), key=lambda kv: -sum(len(b) for b in kv[1])):
        arc = _arc(bins, len(starts), emotions=False)
        relationships.append({"source": src, "target": dst, **arc})
    story.emotions = {
        "method": "valence: VADER compound (-1..1); emotions: weighted count of NRC Emotion "
                  "Lexicon words (negated: half to the opposite emotion; intensified: 1.5)",
        "categories": list(EMOTIONS),
        "time_axis": axis,
        "sentences": rows,
        "characters": characters,
        "relationships": relationships,
    }
    return story


def time_axis(story: Story, segments: int = SEGMENTS) -> dict[str, Any]:
    """The bins arcs are measured in: the chapters, or equal stretches of one chapter."""
    chapters = [c for c in story.chapters if c.end > c.start]
    if len(chapters) >= 2:
        return {"unit": "chapter", "bins": [
            {"index": i, "label": c.title or f"Chapter {c.index}", "chapter": c.index,
             "start": c.start, "end": c.end} for i, c in enumerate(chapters)]}
    if story.paragraphs:
        lo, hi = story.paragraphs[0].start, story.paragraphs[-1].end
    else:
        lo, hi = 0, len(story.text)
    n = max(1, min(segments, (hi - lo) // 200 or 1))
    edges = [lo + (hi - lo) * k // n for k in range(n + 1)]
    return {"unit": "segment", "bins": [
        {"index": k, "label": f"{k + 1}/{n}", "start": edges[k], "end": edges[k + 1]}
        for k in range(n)]}


def narration_sentences(story: Story) -> list[tuple[int, int, list[int]]]:
    """Narration sentences (outside quotations) as (start, end, offsets of their subjects)."""
    quote_spans = sorted(s for q in story.quotes for s in q.spans)
    q_starts = [s for s, _ in quote_spans]
    out = []
    for paragraph in story.paragraphs:
        doc = paragraph.doc
        if doc is None:
            continue
        base = paragraph.start
        for sent in doc.sents:
            start, end = base + sent.start_char, base + sent.end_char
            if not _has_narration(start, end, quote_spans, q_starts):
                continue
            subjects = [base + t.idx for t in sent if t.dep_ in ("nsubj", "nsubjpass")
                        and _outside(base + t.idx, quote_spans, q_starts)]
            if any(t.is_alpha for t in sent):
                out.append((start, end, subjects))
    return out


def _outside(offset: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, offset) - 1
    return not (i >= 0 and spans[i][0] <= offset < spans[i][1])


def _has_narration(start: int, end: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, start) - 1
    covered = 0
    i = max(i, 0)
    while i < len(spans) and spans[i][0] < end:
        s, e = spans[i]
        covered += max(0, min(e, end) - max(s, start))
        i += 1
    return covered < 0.5 * (end - start)


def _subjects(story: Story) -> Any:
    """A lookup: offset -> the character whose mention covers it, or None."""
    mentions = sorted((m.start, m.end, m.character) for m in story.mentions if m.character)
    starts = [m[0] for m in mentions]

    def at(offset: int) -> str | None:
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and mentions[i][0] <= offset < mentions[i][1]:
            return mentions[i][2]
        return None

    return at


def _arc(bins: list[list[dict[str, float]]] | None, n: int, emotions: bool = True) -> dict[str, Any]:
    bins = bins or [[] for _ in range(n)]
    counts = [len(b) for b in bins]
    valence = [round(sum(s["valence"] for s in b) / len(b), 4) if b else None for b in bins]
    arc: dict[str, Any] = {"count": counts, "valence": valence,
                           "smoothed": smooth(valence, counts)}
    if emotions:
        arc["emotions"] = {
            cat: [round(sum(s[cat] for s in b) / len(b), 4) if b else None for b in bins]
            for cat in EMOTIONS}
        arc["emotions_smoothed"] = {cat: smooth(vals, counts) for cat, vals in arc["emotions"].items()}
    return arc


def smooth(values: list[float | None], weights: list[int], width: float = 1.0) -> list[float | None]:
    """A Gaussian-weighted moving average that skips empty bins (None) and weighs each bin
    by how much it holds; None where nothing lies within two bins."""
    out: list[float | None] = []
    n = len(values)
    for i in range(n):
        num = den = 0.0
        for j in range(max(0, i - 2), min(n, i + 3)):
            v = values[j]
            if v is None:
                continue
            w = math.exp(-((i - j) ** 2) / (2 * width * width)) * math.sqrt(max(weights[j], 1))
            num += w * v
            den += w
        out.append(round(num / den, 4) if den else None)
    return out
