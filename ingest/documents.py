"""Parse one document file (PDF, DOCX, PPTX, XLSX, HTML, Markdown, text, e-mail).

``parse_document`` checks the size, detects the type from content (:mod:`ingest.filetypes`),
then reads the text. PDFs are read by layout (:mod:`ingest.pdf_layout`: pdfium's lines with
their boxes and fonts (:mod:`ingest.pdf_lines`), paragraphs rebuilt from wrapped lines,
headings by type and numbering, tables by aligned cells, pypdf's text for any page without
lines, pdfminer for a file pdfium cannot open). Every other
format goes through ``unstructured``'s per-format partitioner with fast strategies only — no
OCR, no layout or table models, no network (:mod:`ingest.offline`) — keeping page numbers and
headings as :class:`ingest.types.Element` objects. With ``settings.ocr``, PDF pages without
a text layer (scans) are read by tesseract (:mod:`ingest.ocr`).

Headings. ``unstructured`` labels many body lines ``Title`` by text heuristics (more so with
the offline spaCy stub), so a ``Title`` becomes a heading only when its source says so:
Word heading / title styles, ``<h1>``–``<h6>`` in HTML, Markdown and HTML mail, the title
placeholder of a slide, a sheet name in a workbook. In plain text and text mail, where
only heuristics exist, a ``Title`` is kept if it looks like a heading (at most 120 characters,
not ending like a sentence, not two sentences); its level is then unknown (``None``). Demoted
titles become ``NarrativeText``. Dropped: Office page headers / footers, page breaks and page
numbers. Tables become one row a line, cells joined by `` | ``; slide notes follow their slide.

Title of the document: the e-mail subject for mail; for other formats the first heading, else
the file's own metadata title (PDF info, Office core properties, HTML ``<title>``), else the
file stem. Workbooks skip the first step: sheet names are not titles.

Limits. The parse runs in a child process (:mod:`ingest.sandbox`) with a wall-clock limit
(``settings.parse_timeout_s``), a CPU-time limit (``parse_cpu_s``) and a memory limit
(``parse_memory_mb``), enforced by killing it: a hostile file fails with a ``ParseError``
naming the file and the limit, and nothing of its parse keeps running. The children fork
from a server that imported the parsers once, so each starts warm in milliseconds.
"""

from __future__ import annotations

import html
import importlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.filetypes import DetectedType, FileKind, detect_type, require_document
from ingest.ocr import missing as ocr_missing
from ingest.ocr import ocr_elements
from ingest.offline import prepare_unstructured
from ingest.pdf_layout import pdf_elements
from ingest.sandbox import Limits, run_limited
from ingest.types import Element, ParsedDocument
from kms.core.config import Settings
from kms.core.errors import KMSError, ParseError, TooLarge
from kms.core.failpoints import failpoint

MAX_HEADING_CHARS = 120
_SENTENCE_ENDINGS = tuple(".。!！;；,，")
_INNER_SENTENCE_BREAK = re.compile(r"[。！？；]\s*\S|[A-Za-z\u4e00-\u9fff][.!?]\s+\S")
_SKIPPED_CATEGORIES = {"PageBreak", "PageNumber"}
_DOCX_HEADING_STYLES = ("Heading", "Title", "Subtitle")
_DECODED_KINDS = {FileKind.HTML, FileKind.MD, FileKind.TXT}
# kind -> (unstructured.partition module, function, options): fast strategies, no OCR, no models;
# slide notes are added by _with_slide_notes, mail attachments are not followed.
_PARTITIONERS: dict[FileKind, tuple[str, str, dict[str, Any]]] = {
    FileKind.DOCX: ("docx", "partition_docx", {"strategy": "fast"}),
    FileKind.PPTX: ("pptx", "partition_pptx", {"strategy": "fast", "include_slide_notes": False}),
    FileKind.XLSX: ("xlsx", "partition_xlsx", {"find_subtable": False}),
    FileKind.EML: ("email", "partition_email", {"process_attachments": False}),
    FileKind.HTML: ("html", "partition_html", {}),
    FileKind.MD: ("md", "partition_md", {}),
    FileKind.TXT: ("text", "partition_text", {}),
}


@dataclass
class _Preflight:
    """What a format-specific check learned before partitioning."""

    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None


def parse_document(path: Path, settings: Settings) -> ParsedDocument:
    """Parse ``path`` into headings and body elements; errors name the file.

    Raises ``TooLarge`` (over ``settings.upload_max_bytes``, checked before reading),
    ``UnsupportedType`` (not a document format we parse) and ``ParseError`` (empty, corrupt,
    encrypted, or slower than ``settings.parse_timeout_s``); the reason is in ``detail``.
    """
    _check_size(path, settings.upload_max_bytes)
    detected = detect_type(path)
    require_document(path.name, detected)
    limits = Limits(settings.parse_timeout_s, settings.parse_cpu_s, settings.parse_memory_mb)
    ocr_languages = settings.ocr_languages if settings.ocr else None
    parsed = run_limited(_parse, (path, detected, ocr_languages), limits, path.name)
    failpoint("parse")  # the file read in its child, its chunks not yet made
    return parsed


def _error(name: str, message: str, reason: str, cause: str | None = None) -> ParseError:
    detail = {"file": name, "reason": reason} | ({"error": cause[:300]} if cause else {})
    return ParseError(f"{name}: {message}", detail=detail)


def _check_size(path: Path, limit: int) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _error(path.name, f"cannot read file ({exc.strerror})", "unreadable") from exc
    if size > limit:
        raise TooLarge(
            f"{path.name}: {size} bytes is over the {limit}-byte upload limit",
            detail={"file": path.name, "size": size, "limit": limit},
        )
    if size == 0:
        raise _error(path.name, "empty file (0 bytes)", "empty")


def _parse(path: Path, detected: DetectedType, ocr_languages: str | None) -> ParsedDocument:
    """In the parse's child. ``ocr_languages``: read pages without text by OCR (None: off)."""
    preflight = _preflight(path, detected.kind, detected.encoding)
    raw: list[Any] = []
    try:
        if detected.kind is FileKind.PDF:
            elements = pdf_elements(path)
            if ocr_languages:
                elements = _with_ocr(path, elements, preflight.pages or 0, ocr_languages)
        else:
            prepare_unstructured()
            raw = _partition(path, detected)
            elements = convert_elements(raw, detected.kind)
    except (KMSError, MemoryError):
        raise  # a memory error is the sandbox's to report (the memory limit)
    except Exception as exc:
        message = f"corrupt or unreadable {detected.kind.value} file ({type(exc).__name__})"
        raise _error(path.name, message, "corrupt", cause=str(exc)) from exc
    if detected.kind is FileKind.PPTX:
        elements = _with_slide_notes(path, elements)
    if not elements:
        raise _no_text_error(path.name, detected.kind, preflight, ocr_languages is not None)
    pages = [element.page for element in elements if element.page is not None]
    return ParsedDocument(
        title=_pick_title(path, detected.kind, raw, elements, preflight),
        elements=elements,
        mime=detected.mime,
        meta={"kind": detected.kind.value, "pages": preflight.pages or max(pages, default=None)},
    )


def _preflight(path: Path, kind: FileKind, encoding: str | None) -> _Preflight:
    if kind is FileKind.PDF:
        return _preflight_pdf(path)
    if kind in (FileKind.DOCX, FileKind.PPTX, FileKind.XLSX):
        return _Preflight(title=_ooxml_title(path))
    if kind is FileKind.HTML:
        page = path.read_bytes().decode(encoding or "utf-8", errors="replace")
        match = re.search(r"<title[^>]*>(.*?)</title>", page, re.S | re.I)
        return _Preflight(title=html.unescape(match.group(1)).strip() if match else None)
    return _Preflight()


def _preflight_pdf(path: Path) -> _Preflight:
    """Open with pikepdf: tells encrypted from corrupt, and gives the info title."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            if len(pdf.pages) == 0:
                raise _error(path.name, "corrupt PDF (no pages)", "corrupt")
            title = pdf.docinfo.get("/Title")
            return _Preflight(
                title=str(title) if title else None,
                warnings=pdf.get_warnings(),
                pages=len(pdf.pages),
            )
    except pikepdf.PasswordError as exc:
        message = "encrypted PDF (a password is needed to open it)"
        raise _error(path.name, message, "encrypted") from exc
    except pikepdf.PdfError as exc:
        raise _error(path.name, "corrupt PDF (cannot be read)", "corrupt") from exc


def _ooxml_title(path: Path) -> str | None:
    with zipfile.ZipFile(path) as archive:
        if "docProps/core.xml" not in archive.namelist():
            return None
        core = archive.read("docProps/core.xml").decode("utf-8", "replace")
    match = re.search(r"<dc:title>(.*?)</dc:title>", core, re.S)
    return html.unescape(match.group(1)).strip() if match else None


def _partition(path: Path, detected: DetectedType) -> list[Any]:
    """Call the fast, local partitioner for the kind (imported lazily: pdf costs seconds)."""
    module, function, options = _PARTITIONERS[detected.kind]
    partition = getattr(importlib.import_module(f"unstructured.partition.{module}"), function)
    if detected.kind in _DECODED_KINDS:  # decoded here, so GB18030 files work too
        text = path.read_bytes().decode(detected.encoding or "utf-8", errors="replace")
        return list(partition(text=text, **options))
    return list(partition(filename=str(path), **options))


def convert_elements(raw: list[Any], kind: FileKind) -> list[Element]:
    """Turn ``unstructured`` elements into ours: headings decided, noise dropped."""
    elements: list[Element] = []
    sheet: str | None = None
    for item in raw:
        text, category = _element_text(item), item.category
        if not text or category in _SKIPPED_CATEGORIES:
            continue
        if category in ("Header", "Footer"):  # page templates (PDFs: ingest.pdf_layout)
            continue
        page = item.metadata.page_number
        if kind is FileKind.XLSX and item.metadata.page_name and item.metadata.page_name != sheet:
            sheet = item.metadata.page_name
            elements.append(Element(sheet, "Title", page, heading_level=1))
        if category == "Title":
            is_heading, level = _title_role(item, kind, text)
            category = "Title" if is_heading else "NarrativeText"
            elements.append(Element(text, category, page, heading_level=level))
        else:
            elements.append(Element(text, category, page))
    return elements


def _with_slide_notes(path: Path, elements: list[Element]) -> list[Element]:
    """Speaker notes after their slide's content (``unstructured`` puts them before the title)."""
    import pptx

    by_slide: dict[int | None, list[Element]] = {}
    for element in elements:
        by_slide.setdefault(element.page, []).append(element)
    ordered = by_slide.pop(None, [])
    for number, slide in enumerate(pptx.Presentation(str(path)).slides, start=1):
        ordered.extend(by_slide.pop(number, []))
        frame = slide.notes_slide.notes_text_frame if slide.has_notes_slide else None
        notes = frame.text.strip() if frame is not None else ""
        if notes:
            ordered.append(Element(notes, "NarrativeText", number))
    return ordered + [e for rest in by_slide.values() for e in rest]


def _element_text(item: Any) -> str:
    """Text of an element; tables as one row a line, cells joined by `` | ``."""
    table_html = getattr(item.metadata, "text_as_html", None)
    if item.category == "Table" and table_html:
        from lxml import html as lxml_html

        rows = lxml_html.fromstring(table_html).iter("tr")
        lines = [" | ".join(c.text_content().strip() for c in row.iter("td", "th")) for row in rows]
        text = "\n".join(line for line in lines if line.strip(" |"))
        if text:
            return text
    return str(item.text or "").strip()


def _title_role(item: Any, kind: FileKind, text: str) -> tuple[bool, int | None]:
    """(is it a heading, its level when the source says) for a ``Title`` element."""
    depth = item.metadata.category_depth
    if kind is FileKind.DOCX:
        style = item.metadata.style_name or ""
        return (True, (depth or 0) + 1) if style.startswith(_DOCX_HEADING_STYLES) else (False, None)
    if kind is FileKind.PPTX:
        return (True, 1) if not depth else (False, None)
    if kind in (FileKind.HTML, FileKind.MD):
        return (True, depth + 1) if depth is not None else (False, None)
    if kind is FileKind.EML and depth is not None:
        return True, depth + 1
    return looks_like_heading(text), None


def looks_like_heading(text: str) -> bool:
    """Short, not ending like a sentence and not two sentences: a heading by its text alone."""
    return (
        len(text) <= MAX_HEADING_CHARS
        and not text.endswith(_SENTENCE_ENDINGS)
        and _INNER_SENTENCE_BREAK.search(text) is None
    )


def _with_ocr(path: Path, elements: list[Element], pages: int, languages: str) -> list[Element]:
    """The layout's elements, with OCR's for every page the layout found no text on."""
    found = {e.page for e in elements}
    textless = [n for n in range(1, pages + 1) if n not in found]
    if not textless:
        return elements
    problem = ocr_missing(languages)
    if problem:
        if elements:
            return elements  # the text layer's pages are kept; the scanned ones are not read
        raise _error(path.name, f"no text layer (a scan), and OCR cannot run: {problem}", "empty")
    read = ocr_elements(path, textless, languages)
    return sorted([*elements, *read], key=lambda e: e.page or 0)  # stable: order kept per page


def _no_text_error(name: str, kind: FileKind, preflight: _Preflight, ocr: bool) -> ParseError:
    if kind is FileKind.PDF and preflight.warnings:
        return _error(name, "corrupt PDF (damaged, no text could be extracted)", "corrupt")
    if kind is FileKind.PDF and ocr:
        return _error(name, "no text could be extracted (empty, or OCR read nothing)", "empty")
    if kind is FileKind.PDF:
        message = "no text could be extracted (empty, or a scan: KMS_OCR=true reads scans)"
        return _error(name, message, "empty")
    return _error(name, "no text could be extracted (empty document)", "empty")


def _pick_title(
    path: Path, kind: FileKind, raw: list[Any], elements: list[Element], preflight: _Preflight
) -> str:
    if kind is FileKind.EML and raw and raw[0].metadata.subject:
        return str(raw[0].metadata.subject).strip()
    if kind is not FileKind.XLSX:
        heading = next((e.text for e in elements if e.category == "Title"), None)
        if heading:
            return heading
    return preflight.title or path.stem
