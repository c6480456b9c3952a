"""Exceptions ficlens raises: one base, one subclass per kind of failure."""

from __future__ import annotations


class FiclensError(Exception):
    """Base of every ficlens error; carries the file (if any) and a message a user can act on."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InputError(FiclensError):
    """The input cannot be read as a story (missing, empty, binary, too large, ...)."""


class EncodingError(InputError):
    """The text encoding of the input cannot be decided."""


class FormatError(InputError):
    """The input is in a known format but is broken beyond use (bad EPUB, no chapters)."""


class CastError(InputError):
    """The `--cast` file cannot be read."""


class StageError(FiclensError):
    """A pipeline stage failed on a story."""

    def __init__(self, message: str, path: str | None = None, stage: str | None = None) -> None:
        super().__init__(message, path)
        self.stage = stage
