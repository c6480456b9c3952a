"""ficlens: read fiction and fan fiction and get the story back as structured data.

>>> import ficlens
>>> story = ficlens.analyze("story.txt")          # doctest: +SKIP
>>> [(q.text, story.character(q.speaker).name) for q in story.quotes]  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from ficlens.errors import FiclensError, InputError  # noqa: E402
from ficlens.model import (  # noqa: E402
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
from ficlens.pipeline import analyze  # noqa: E402

__all__ = [
    "__version__",
    "analyze",
    "Story",
    "Chapter",
    "Scene",
    "Paragraph",
    "Quote",
    "Mention",
    "Character",
    "Place",
    "Metadata",
    "FiclensError",
    "InputError",
]
