"""ficlens: read fiction and fan fiction and get the story back as structured data.

>>> import ficlens
>>> story = ficlens.analyze("story.txt")          # doctest: +SKIP
>>> [(q.text, story.character(q.speaker).name) for q in story.quotes]  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from ficlens.errors import FiclensError, InputError
from ficlens.model import (
    Chapter,
    Character,
    Mention,
    Metadata,
    Paragraph,
    Place,
    Quote,
    Scene,
    Story,
)
from ficlens.pipeline import analyze

__all__ = [
    "Chapter",
    "Character",
    "FiclensError",
    "InputError",
    "Mention",
    "Metadata",
    "Paragraph",
    "Place",
    "Quote",
    "Scene",
    "Story",
    "__version__",
    "analyze",
]
