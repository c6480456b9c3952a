"""Addressees: to whom each quotation is said.

In order of strength: the characters a quotation calls by name (`"Lily, please"`), the one a
speech tag names (`said to Severus`, `told Severus`), and otherwise the other party of the
conversation — the last different speaker before the quote, else the next one after it.
"""

from __future__ import annotations

from ficlens.model import Story
from ficlens.stages.speakers import build_context

_GAP = 2  # paragraphs between two quotes of one conversation


def find_addressees(story: Story) -> Story:
    """Pipeline stage: set `quote.addressees` (character ids, the speaker never among them)."""
    if not story.quotes:
        return story
    ctx = build_context(story)
    quotes = story.quotes
    for qi, quote in enumerate(quotes):
        speaker = quote.speaker
        found: list[str] = []

        def add(char: str | None) -> None:
            if char and char != speaker and char not in found:
                found.append(char)

        for _, char, vocative in ctx.in_quote_names.get(qi, []):
            if vocative:
                add(char)
        add(ctx.tags[qi].addressee)
        if not found:
            add(_partner(quotes, qi, speaker, -1))
        if not found:
            add(_partner(quotes, qi, speaker, +1))
        quote.addressees = found
    return story


def _partner(quotes, qi: int, speaker: str | None, step: int) -> str | None:
    """The nearest different speaker in the same conversation, looking back or forward."""
    para = quotes[qi].paragraph or 0
    k = qi + step
    while 0 <= k < len(quotes):
        other = quotes[k]
        gap = abs((other.paragraph or 0) - para)
        if gap > _GAP:
            return None
        if other.speaker and other.speaker != speaker:
            return other.speaker
        para = other.paragraph or 0
        k += step
    return None
