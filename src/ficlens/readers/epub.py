"""EPUB stories: AO3's EPUB download, and any other EPUB by its spine.

AO3 makes its EPUBs with Calibre from the same HTML as its HTML download, split at
the chapter headings: a preface document (the `dl` of tags, title, byline, summary,
notes), one document per chapter (more when a chapter is very long) and an
afterword. The same preface and chapter rules as `ao3_html` apply, with or without
AO3's class names (Calibre may rewrite them). A non-AO3 EPUB gives one chapter per
spine document that holds text, titled by its first heading.
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
from urllib.parse import unquote
from xml.etree import ElementTree

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from ficlens.errors import FormatError
from ficlens.model import Metadata, Story
from ficlens.readers.ao3_html import (
    ChapterCollector,
    build_story,
    labelled_notes,
    read_preface,
)

_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}
_HTML_TYPES = {"application/xhtml+xml", "text/html", "application/xml"}
_AFTERWORD_RE = re.compile(r"drop by the archive and comment", re.IGNORECASE)
#: A single spine document larger than this is refused (zip bombs).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def read_epub(data: bytes, path: str | None = None) -> Story:
    """A `Story` from the bytes of an EPUB file (format "ao3-epub").

    Raises `FormatError` when the bytes are not a zip archive, hold no readable
    content documents, or no chapter text.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FormatError("is not a valid EPUB (not a readable zip archive)", path) from exc
    with archive:
        opf_path = _opf_path(archive)
        if opf_path is None and not _has_mimetype(archive):
            raise FormatError("is a zip archive but not an EPUB (no package document)", path)
        opf_metadata, documents = _spine_documents(archive, opf_path, path)
        if not documents:
            raise FormatError("EPUB holds no chapter documents (empty or missing spine)", path)
        metadata = Metadata()
        preface_found = False
        is_ao3 = False
        collector = ChapterCollector()
        for name in documents:
            raw = _read_member(archive, name, path)
            with warnings.catch_warnings():
                # XHTML read as HTML on purpose: lxml's HTML parser forgives broken markup.
                warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
                soup = BeautifulSoup(raw, "lxml")
            body = soup.find("body")
            if not isinstance(body, Tag):
                continue
            preface = _take_preface(body)
            if preface is not None:
                preface_found = is_ao3 = True
                metadata = preface
            afterword = _take_afterword(body)
            if afterword is not None:
                is_ao3 = True
                metadata.notes.extend(afterword)
            if not body.get_text().strip():
                continue
            ao3_classes = body.find(class_="userstuff") is not None
            collector.ao3_classes = ao3_classes
            # AO3 splits a very long chapter into several files: only a heading starts a chapter.
            collector.new_document(continues=ao3_classes or (is_ao3 and not _has_heading(body)))
            collector.walk(body)
        parts = collector.finish()
    if not preface_found:
        metadata = opf_metadata
    else:
        _fill_from(metadata, opf_metadata)
    story = build_story(parts, metadata, path, "ao3-epub")
    if not story.paragraphs:
        raise FormatError("EPUB holds no chapter text", path)
    return story


def _has_mimetype(archive: zipfile.ZipFile) -> bool:
    try:
        return archive.read("mimetype").strip() == b"application/epub+zip"
    except (KeyError, zipfile.BadZipFile, OSError):
        return False


def _opf_path(archive: zipfile.ZipFile) -> str | None:
    try:
        container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
    except (KeyError, ElementTree.ParseError):
        container = None
    if container is not None:
        rootfile = container.find(".//c:rootfile", _NS)
        if rootfile is not None and rootfile.get("full-path"):
            return rootfile.get("full-path")
    candidates = [n for n in archive.namelist() if n.lower().endswith(".opf")]
    return candidates[0] if candidates else None


def _spine_documents(archive: zipfile.ZipFile, opf_path: str | None,
                     path: str | None) -> tuple[Metadata, list[str]]:
    """The OPF's metadata and the spine's content documents in reading order."""
    names = set(archive.namelist())
    metadata = Metadata()
    if opf_path is None or opf_path not in names:
        # No package document: read the HTML files in name order.
        docs = sorted(n for n in names if n.lower().endswith((".xhtml", ".html", ".htm")))
        return metadata, docs
    try:
        opf = ElementTree.fromstring(_read_member(archive, opf_path, path))
    except ElementTree.ParseError as exc:
        raise FormatError(f"EPUB package document {opf_path} is not valid XML: {exc}", path) from exc
    _read_opf_metadata(opf, metadata)
    base = posixpath.dirname(opf_path)
    manifest: dict[str, tuple[str, str, str]] = {}
    for item in opf.iterfind(".//opf:manifest/opf:item", _NS):
        href = unquote(item.get("href", ""))
        full = posixpath.normpath(posixpath.join(base, href)) if base else posixpath.normpath(href)
        manifest[item.get("id", "")] = (full, item.get("media-type", ""), item.get("properties", ""))
    docs = []
    for itemref in opf.iterfind(".//opf:spine/opf:itemref", _NS):
        entry = manifest.get(itemref.get("idref", ""))
        if entry is None:
            continue
        full, media_type, properties = entry
        if "nav" in properties.split() or full not in names:
            continue
        if media_type in _HTML_TYPES or full.lower().endswith((".xhtml", ".html", ".htm")):
            docs.append(full)
    return metadata, docs


def _read_opf_metadata(opf: ElementTree.Element, metadata: Metadata) -> None:
    def texts(tag: str) -> list[str]:
        return [(e.text or "").strip() for e in opf.iterfind(f".//dc:{tag}", _NS) if (e.text or "").strip()]

    titles = texts("title")
    metadata.title = titles[0] if titles else None
    metadata.authors = texts("creator")
    languages = texts("language")
    metadata.language = languages[0] if languages else None
    metadata.tags = [t for t in texts("subject") if t != "Fanworks"]
    descriptions = texts("description")
    if descriptions:
        summary = BeautifulSoup(descriptions[0], "lxml").get_text(" ").strip()
        metadata.summary = re.sub(r"\s+", " ", summary) or None
    dates = texts("date")
    if dates:
        metadata.published = dates[0][:10]


def _fill_from(metadata: Metadata, fallback: Metadata) -> None:
    """Fill the fields the AO3 preface left empty from the package metadata."""
    if not metadata.title:
        metadata.title = fallback.title
    if not metadata.authors:
        metadata.authors = list(fallback.authors)
    if not metadata.language:
        metadata.language = fallback.language
    if metadata.summary is None:
        metadata.summary = fallback.summary


def _read_member(archive: zipfile.ZipFile, name: str, path: str | None) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_DOCUMENT_BYTES:
        raise FormatError(f"EPUB member {name} is too large ({info.file_size} bytes)", path)
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise FormatError(f"EPUB member {name} cannot be read: {exc}", path) from exc


def _top_level(node: Tag, body: Tag) -> Tag:
    while node.parent is not None and node.parent is not body:
        node = node.parent
    return node


def _take_preface(body: Tag) -> Metadata | None:
    """The AO3 preface's metadata, removed from the document; None if there is none."""
    preface = body.find(id="preface")
    if not isinstance(preface, Tag):
        dt = next((d for d in body.find_all("dt")
                   if d.get_text().strip().rstrip(":").lower() in ("rating", "archive warning",
                                                                  "archive warnings", "fandom",
                                                                  "fandoms", "stats")), None)
        if dt is None:
            return None
        preface = _top_level(dt, body)
    wrapper = BeautifulSoup("", "lxml")
    holder = wrapper.new_tag("div", id="preface")
    wrapper.append(holder)
    holder.append(preface.extract())
    return read_preface(wrapper)


def _take_afterword(body: Tag) -> list[str] | None:
    """The AO3 afterword's end notes, removed from the document; None if there is none."""
    afterword = body.find(id="afterword")
    if not isinstance(afterword, Tag):
        message = body.find(string=_AFTERWORD_RE)
        if message is None or not isinstance(message.parent, Tag):
            return None
        afterword = _top_level(message.parent, body)
    notes = labelled_notes(afterword, wanted=("end notes", "notes"))
    afterword.decompose()
    return notes


def _has_heading(body: Tag) -> bool:
    return body.find(["h1", "h2", "h3"]) is not None
