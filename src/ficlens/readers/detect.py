"""Reading raw input safely: size limits, binary sniffing, encodings, format detection."""

from __future__ import annotations

import codecs
import os
import zipfile
from pathlib import Path

from ficlens.errors import EncodingError, InputError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Magic numbers of common binary formats that are not stories.
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x7fELF": "an executable",
    b"\x1f\x8b": "a gzip archive",
    b"BZh": "a bzip2 archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\xd0\xcf\x11\xe0": "an MS Office document",
    b"ID3": "an MP3 file",
    b"OggS": "an Ogg file",
    b"RIFF": "a RIFF (audio/video) file",
    b"SQLite format 3": "an SQLite database",
    b"PAR1": "a Parquet file",
}


def read_bytes(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes, after checking it exists, is a file, is not empty and is under the limit."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError("no such file", name)
    if p.is_dir():
        raise InputError("is a directory, not a story file", name)
    if not p.is_file():
        raise InputError("is not a regular file", name)
    size = p.stat().st_size
    if size == 0:
        raise InputError("file is empty", name)
    if size > max_bytes:
        raise InputError(
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit "
            "(raise it with --max-size)",
            name,
        )
    try:
        with p.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", name) from exc
    if len(data) > max_bytes:
        raise InputError(f"file is over the {max_bytes / 1e6:.1f} MB limit", name)
    return data


def sniff_binary(data: bytes) -> str | None:
    """A description of the binary format these bytes are in, or None if they may be text."""
    if data.startswith(b"PK\x03\x04"):
        return None  # a zip: possibly an EPUB, checked by the caller
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            return what
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
                        codecs.BOM_UTF32_BE)):
        return None
    if b"\x00" in head:
        return "binary data (contains NUL bytes)"
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if head and control / len(head) > 0.05:
        return "binary data (many control bytes)"
    return None


def decode(data: bytes, name: str | None = None) -> tuple[str, str]:
    """The decoded text (BOM removed, nothing else changed) and the encoding used.

    UTF-8 (with or without BOM) and UTF-16/32 with BOM are decided exactly; anything
    else goes to charset-normalizer, and an undecidable encoding is an error rather
    than silent mojibake.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding + "-sig"
            except UnicodeDecodeError as exc:
                raise EncodingError(
                    f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(byte {exc.start})",
                    name,
                ) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is None:
        raise EncodingError("cannot decide the text encoding (not UTF-8, no known encoding fits)", name)
    encoding = best.encoding
    # Western fiction that is not UTF-8 is nearly always Windows-1252; prefer it when it
    # decodes cleanly and the detector picked a close single-byte cousin.
    if encoding.replace("_", "-").lower() in {"latin-1", "iso8859-1", "iso-8859-1", "cp1250",
                                               "cp1252", "windows-1252", "iso8859-15"}:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise EncodingError(f"cannot decide the text encoding ({encoding} fails: {exc})", name) from exc
    if best.chaos > 0.3:
        raise EncodingError(
            f"cannot decide the text encoding (best guess {encoding} looks garbled)", name
        )
    return text, encoding


def detect_format(data: bytes, path: str | None = None) -> str:
    """The story format of these bytes: ao3-epub, ao3-html, novel-text or archive-text.

    Decided from content first; the extension only breaks ties.
    """
    if data.startswith(b"PK\x03\x04"):
        return "ao3-epub"
    suffix = Path(path).suffix.lower() if path else ""
    head = data[:4096].lower()
    for bom in (codecs.BOM_UTF8,):
        if head.startswith(bom):
            head = head[len(bom):]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            head = data[:8192].decode("utf-16").lower().encode("utf-8")
        except UnicodeDecodeError:
            pass
    stripped = head.lstrip()
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head or (
        suffix in {".html", ".htm", ".xhtml"} and b"<" in head
    ):
        return "ao3-html"
    if suffix == ".epub":
        return "ao3-epub"
    return "text"


def is_zip(data: bytes) -> bool:
    """True if the bytes are a zip archive."""
    import io

    return data.startswith(b"PK\x03\x04") and zipfile.is_zipfile(io.BytesIO(data))
