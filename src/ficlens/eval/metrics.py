"""The measures: quote matching, precision/recall/F1, speaker accuracy, addressee scores,
the mapping of predicted characters to gold characters, and the character-split share.

Every function works on plain spans, names and ids so it can be tested on tiny inputs.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence

from ficlens.eval.data import normalize_name

Span = tuple[int, int]

#: A gold quote is found when one predicted quote covers at least this share of its characters.
MATCH_THRESHOLD = 0.5

#: Words that do not identify a person on their own (ignored by the word fallback of the mapping).
NAME_FILLERS = frozenset({
    "mr", "mrs", "miss", "ms", "mx", "dr", "lady", "lord", "sir", "madam", "madame", "mademoiselle",
    "monsieur", "master", "mistress", "professor", "prof", "captain", "capt", "colonel", "col",
    "major", "general", "aunt", "uncle", "cousin", "father", "mother", "sister", "brother", "saint",
    "st", "the", "old", "young", "little", "of", "de", "la", "le", "du", "van", "von",
})


def covered(gold: Sequence[Span], predicted: Sequence[Span]) -> int:
    """How many characters of the gold spans lie inside the predicted spans."""
    total = 0
    for gs, ge in gold:
        for ps, pe in predicted:
            lo, hi = max(gs, ps), min(ge, pe)
            if hi > lo:
                total += hi - lo
    return total


def span_length(spans: Sequence[Span]) -> int:
    """The number of characters the spans cover (spans of one quote never overlap)."""
    return sum(max(0, e - s) for s, e in spans)


def match_quotes(gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]],
                 threshold: float = MATCH_THRESHOLD) -> dict[int, int]:
    """Gold quote index -> predicted quote index, one to one.

    A pair qualifies when the predicted spans cover at least `threshold` of the gold
    quote's characters; pairs are taken greedily, best coverage first (then most
    characters covered, then text order), each quote used at most once.
    """
    order = sorted(range(len(predicted)), key=lambda i: min((s for s, _ in predicted[i]), default=0))
    starts = [min((s for s, _ in predicted[i]), default=0) for i in order]
    ends = [max((e for _, e in predicted[i]), default=0) for i in order]
    longest = max((e - s for s, e in zip(starts, ends)), default=0)
    pairs: list[tuple[float, int, int, int]] = []
    for g, spans in enumerate(gold):
        if not spans:
            continue
        g_start = min(s for s, _ in spans)
        g_end = max(e for _, e in spans)
        length = span_length(spans)
        hi = bisect_left(starts, g_end)
        i = hi - 1
        while i >= 0 and starts[i] >= g_start - longest:
            if ends[i] > g_start:
                p = order[i]
                if length == 0:
                    chars, share = 1, 1.0 if covered([(g_start, g_start + 1)], predicted[p]) else 0.0
                else:
                    chars = covered(spans, predicted[p])
                    share = chars / length
                if chars and share >= threshold:
                    pairs.append((share, chars, g, p))
            i -= 1
    pairs.sort(key=lambda t: (-t[0], -t[1], t[2], t[3]))
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _share, _chars, g, p in pairs:
        if g in matched or p in used:
            continue
        matched[g] = p
        used.add(p)
    return matched


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    """Precision, recall and F1 (0.0 when undefined) with the counts they come from."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def _words(forms: Iterable[str]) -> set[str]:
    return {w for form in forms for w in form.replace("'s", "").split() if w not in NAME_FILLERS}


def map_characters(predicted: Mapping[str, Sequence[str]], gold: Mapping[str, Iterable[str]],
                   prominence: Mapping[str, int] | None = None) -> dict[str, str | None]:
    """Predicted character id -> gold character name (or None), by names alone.

    `predicted` gives each id its name first, then its aliases; `gold` gives each gold
    character its alias set; `prominence` (optional) the number of gold quotations of each
    gold character. Names are compared after `normalize_name`. A predicted character maps
    to the gold character that ranks highest on, in order: (1) how many of its name forms
    are gold aliases, (2) whether its main name is one, (3) how many distinctive words
    (titles and fillers such as `Mr`, `the` left out) its names share with the gold
    aliases, (4) the gold character's prominence (the more prominent bearer of a shared
    name). It maps to nobody when nothing is shared or when two gold characters tie on
    all four. Several predicted ids may map to one gold character.
    """
    prominence = prominence or {}
    gold_forms = {name: {normalize_name(a) for a in aliases} | {normalize_name(name)}
                  for name, aliases in gold.items()}
    gold_words = {name: _words(forms) for name, forms in gold_forms.items()}
    mapping: dict[str, str | None] = {}
    for pid, names in predicted.items():
        forms = [normalize_name(n) for n in names if n and n.strip()]
        if not forms:
            mapping[pid] = None
            continue
        main, unique = forms[0], set(forms)
        words = _words(unique)
        best: tuple[int, int, int, int] = (0, 0, 0, 0)
        winners: list[str] = []
        for name, aliases in gold_forms.items():
            shared = (len(unique & aliases), int(main in aliases), len(words & gold_words[name]))
            if shared == (0, 0, 0):
                continue
            key = (*shared, prominence.get(name, 0))
            if key > best:
                best, winners = key, [name]
            elif key == best:
                winners.append(name)
        mapping[pid] = winners[0] if len(winners) == 1 else None
    return mapping


def split_characters(speakers: Sequence[tuple[str | None, str | None, str | None]],
                     min_quotes: int = 5) -> dict:
    """The character-split measure.

    `speakers` has one `(gold speaker, predicted speaker id, gold name that id maps to)`
    per gold quotation (predicted fields None when the quote was missed or unattributed).
    A gold character is eligible with at least `min_quotes` gold quotations; it is split
    when the predicted speakers of its quotations include two or more different ids that
    map to it. Returns eligible, split, share (split / eligible) and the split names with
    their ids.
    """
    counts: dict[str, int] = {}
    ids: dict[str, set[str]] = {}
    for gold, pid, mapped in speakers:
        if gold is None:
            continue
        counts[gold] = counts.get(gold, 0) + 1
        if pid is not None and mapped == gold:
            ids.setdefault(gold, set()).add(pid)
    eligible = [name for name, n in counts.items() if n >= min_quotes]
    split = {name: sorted(ids[name]) for name in eligible if len(ids.get(name, ())) >= 2}
    return {"eligible": len(eligible), "split": len(split),
            "share": len(split) / len(eligible) if eligible else 0.0, "split_characters": split}
