"""Reading raw input safely: size limits, binary sniffing, encodings, format detection."""

from __future__ import annotations

import codecs
import os
import re
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
        if utf16_without_bom(data) is not None:
            return None
        return "binary data (contains NUL bytes)"
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if head and control / len(head) > 0.05:
        return "binary data (many control bytes)"
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" for mostly-Latin UTF-16 text that has no byte-order mark."""
    head = data[:8192]
    if len(head) < 4 or len(head) % 2:
        head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    even_zero = even.count(0) / len(even)
    odd_zero = odd.count(0) / len(odd)
    if odd_zero > 0.7 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.7 and odd_zero < 0.05:
        return "utf-16-be"
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
    utf16 = utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError as exc:
            raise EncodingError(f"looks like {utf16} without a byte-order mark but is not valid "
                                f"{utf16} (byte {exc.start})", name) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    utf8_runs, other_high = _utf8_evidence(data[:2_000_000])
    if utf8_runs >= 2 and utf8_runs >= 0.5 * other_high:
        raise EncodingError(
            "cannot decide the text encoding: it mixes UTF-8 with another encoding "
            f"({utf8_runs} UTF-8 sequences, {other_high} other non-ASCII bytes)",
            name,
        )
    # Western fiction that is not UTF-8 is nearly always Windows-1252 (smart quotes,
    # accented letters): take it when every non-ASCII character reads as Western text.
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and looks_western(western):
        return western, "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is None:
        raise EncodingError("cannot decide the text encoding (not UTF-8, no known encoding fits)", name)
    encoding = best.encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise EncodingError(f"cannot decide the text encoding ({encoding} fails: {exc})", name) from exc
    if best.chaos > 0.2 or (encoding.startswith(("latin", "iso8859", "cp125")) and not looks_western(text)
                             and best.language in ("", "Unknown")):
        raise EncodingError(
            f"cannot decide the text encoding (best guess {encoding} looks garbled)", name
        )
    return text, encoding


_UTF8_SEQ_RE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_WESTERN_EXTRA = set("\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u20ac\u2022\u2122\u0152\u0153"
                     "\u0160\u0161\u017d\u017e\u0178\u02c6\u02dc\u201a\u201e\u2020\u2021\u2030"
                     "\u2039\u203a\u0192")


def _utf8_evidence(data: bytes) -> tuple[int, int]:
    """(valid UTF-8 multi-byte sequences, other non-ASCII bytes) in the data."""
    runs = 0
    covered = 0
    for match in _UTF8_SEQ_RE.finditer(data):
        runs += 1
        covered += len(match.group(0))
    high = sum(1 for b in data if b >= 0x80)
    return runs, high - covered


def looks_western(text: str) -> bool:
    """True if the non-ASCII characters read as Western European text, not mojibake.

    Every one must be a Latin-1 letter or sign or Windows-1252 punctuation, and they
    must mostly stand alone or in pairs inside ASCII words (`café`, `Größe`): runs
    of three or more are what Cyrillic or UTF-8 read as Windows-1252 look like.
    """
    high = 0
    in_runs = 0
    run = 0
    for char in text + " ":
        if ord(char) < 0x80:
            if run >= 3:
                in_runs += run
            run = 0
            continue
        if not (0xA0 <= ord(char) <= 0xFF or char in _WESTERN_EXTRA):
            return False
        high += 1
        run += 1
    return high == 0 or in_runs <= 0.15 * high


def detect_format(data: bytes, path: str | None = None) -> str:
    """The story format of these bytes: ao3-epub, ao3-html, novel-text or archive-text.

    Decided from content first; the extension only breaks ties.
    """
    if data.startswith(b"PK\x03\x04"):
        return "ao3-epub"
    suffix = Path(path).suffix.lower() if path else ""
    head = data[:4096].lower()
    for bom in (codecs.BOM_UTF8,):
        head = head.removeprefix(bom)
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
