"""The text lines of a PDF's pages, each with its box, type size and weight.

``read_lines`` reads them with pdfium (``pypdfium2``): its text page gives every character
with its box, font size and font, in about a tenth of pdfminer's layout time (measured on
the long-document bench: 0.06 s against 0.25 s for pdfminer plus 0.1 s for pypdf's
cross-check, for a 5-page PDF). Characters are joined into lines where pdfium ends a line
or the next character leaves the row (its box's middle is off the line's) or stands more
than ``CELL_GAP`` ems to the right (a table's next cell, which :mod:`ingest.pdf_layout`
joins back into a row).

**Never empty when there is text:** a page pdfium finds no text on is asked of pypdf, and a
PDF pdfium cannot open at all is read by pdfminer's layout analysis, its pages cross-checked
against pypdf (``compare_pages``), the reader used before pdfium.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CELL_GAP = 2.0  # ems between two characters of a row that make them two cells
KEEP_SHARE = 0.8  # a page keeps its layout text if it holds this share of pypdf's characters
BOLD = re.compile(r"bold|heavy|black|semibold|demi|w[6-9]\b", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # pypdf leaves NULs of two-byte codes


@dataclass
class Line:
    text: str
    page: int
    x0: float
    x1: float
    top: float  # distance from the top of the page
    bottom: float
    size: float
    bold: bool
    page_height: float
    cells: list[str] = field(default_factory=list)  # set when the line is a table row
    starts: list[float] = field(default_factory=list)  # where its cells after the first start

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class PageLines:
    """Lines read from each page's layout, and plain text lines for pages read without it."""

    lines: dict[int, list[Line]]
    plain: dict[int, list[str]] = field(default_factory=dict)


def read_lines(path: Path) -> PageLines:
    """Every text line of every page (pdfium; pdfminer when pdfium cannot open the file)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return PageLines(*compare_pages(read_lines_pdfminer(path), path))
    try:
        lines = {n: list(_page_lines(document[n - 1], n)) for n in range(1, len(document) + 1)}
    finally:
        document.close()
    textless = [n for n, found in lines.items() if not found]
    plain = {}
    if textless:
        theirs = page_texts_pypdf(path)
        plain = {n: _plain_lines(theirs.get(n, "")) for n in textless}
        plain = {n: found for n, found in plain.items() if found}
    return PageLines({n: found for n, found in lines.items() if n not in plain}, plain)


class _Fonts:
    """Is a character's font bold? By weight or name, asked once per text object."""

    def __init__(self, textpage: Any) -> None:
        self.textpage = textpage
        self.known: dict[int | None, bool] = {}

    def bold(self, index: int) -> bool:
        import pypdfium2.raw as raw

        obj = raw.FPDFText_GetTextObject(self.textpage, index)
        key = ctypes.cast(obj, ctypes.c_void_p).value
        if key not in self.known:
            self.known[key] = _font_is_bold(raw.FPDFTextObj_GetFont(obj)) if key else False
        return self.known[key]


def _font_is_bold(font: Any) -> bool:
    import pypdfium2.raw as raw

    if not font:
        return False
    if raw.FPDFFont_GetWeight(font) >= 600:
        return True
    size = raw.FPDFFont_GetBaseFontName(font, None, 0)
    buffer = ctypes.create_string_buffer(max(size, 1))
    raw.FPDFFont_GetBaseFontName(font, buffer, size)
    return bool(BOLD.search(buffer.value.decode("utf-8", "replace")))


@dataclass
class _Run:
    """Characters of one line being read: text, box (PDF units, origin bottom left)."""

    text: list[str] = field(default_factory=list)
    left: float = 0.0
    right: float = 0.0
    low: float = 0.0
    high: float = 0.0
    sizes: list[float] = field(default_factory=list)
    bolds: int = 0

    def takes(self, left: float, low: float, high: float, size: float) -> bool:
        """Does a character with this box continue the line (same row, not a far cell)?"""
        if not self.sizes:
            return True
        middle, own = (low + high) / 2, (self.low + self.high) / 2
        same_row = abs(middle - own) < 0.5 * max(high - low, self.high - self.low, 1.0)
        return same_row and left - self.right < CELL_GAP * max(size, 1.0)

    def add(
        self, char: str, box: tuple[float, float, float, float], size: float, bold: bool
    ) -> None:
        left, low, right, high = box
        if not self.sizes:
            self.left, self.right, self.low, self.high = left, right, low, high
        self.left, self.right = min(self.left, left), max(self.right, right)
        self.low, self.high = min(self.low, low), max(self.high, high)
        self.text.append(char)
        self.sizes.append(size)
        self.bolds += bold

    def line(self, page: int, height: float) -> Line | None:
        text = " ".join("".join(self.text).split())
        if not text:
            return None
        size = round(statistics.median(self.sizes), 1)
        bold = self.bolds > len(self.sizes) / 2
        return Line(
            text,
            page,
            self.left,
            self.right,
            height - self.high,
            height - self.low,
            size,
            bold,
            height,
        )


def _page_lines(page: Any, number: int) -> Iterator[Line]:
    import pypdfium2.raw as raw

    height = float(page.get_height())
    textpage = page.get_textpage()
    try:
        fonts = _Fonts(textpage)
        run = _Run()
        for index in range(textpage.count_chars()):
            char = _char(raw.FPDFText_GetUnicode(textpage, index))
            if char in "\r\n\x02":  # pdfium's line end (\x02: a hyphen it ended a line with)
                if char == "\x02":
                    run.text.append("-")
                yield from _flush(run, number, height)
                run = _Run()
                continue
            if char.isspace():
                if run.sizes:
                    run.text.append(" ")
                continue
            left, low, right, high = textpage.get_charbox(index, loose=True)
            size = float(raw.FPDFText_GetFontSize(textpage, index))
            if not run.takes(left, low, high, size):
                yield from _flush(run, number, height)
                run = _Run()
            run.add(char, (left, low, right, high), size, fonts.bold(index))
        yield from _flush(run, number, height)
    finally:
        textpage.close()
        page.close()


def _char(code: int) -> str:
    """The character of a code point; nothing readable (0, a lone surrogate) is a space."""
    return " " if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else chr(code)


def _flush(run: _Run, page: int, height: float) -> Iterator[Line]:
    line = run.line(page, height)
    if line is not None:
        yield line


def _plain_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --- the fallback: pdfminer's layout analysis, cross-checked against pypdf -------------------


def read_lines_pdfminer(path: Path) -> dict[int, list[Line]]:
    """Every text line of every page, with its box and type (pdfminer's layout analysis)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextLine

    pages: dict[int, list[Line]] = {}
    params = LAParams(line_margin=0.3, char_margin=2.0, all_texts=True)
    for number, page in enumerate(extract_pages(str(path), laparams=params), start=1):
        height = float(page.height)
        found: list[Line] = []
        for box in _text_boxes(page):
            for line in box:
                if not isinstance(line, LTTextLine):
                    continue
                text = " ".join(line.get_text().split())
                if not text:
                    continue
                chars = [c for c in line if isinstance(c, LTChar)]
                size = statistics.median(c.size for c in chars) if chars else 0.0
                bold = sum(bool(BOLD.search(c.fontname)) for c in chars) > len(chars) / 2
                found.append(
                    Line(
                        text,
                        number,
                        line.x0,
                        line.x1,
                        height - line.y1,
                        height - line.y0,
                        round(size, 1),
                        bold,
                        height,
                    )
                )
        pages[number] = found
    return pages


def _text_boxes(container: Any) -> Iterator[Any]:
    """Text boxes of a page, those inside figures (form XObjects) too."""
    from pdfminer.layout import LTFigure, LTTextContainer

    for item in container:
        if isinstance(item, LTFigure):
            yield from _text_boxes(item)
        elif isinstance(item, LTTextContainer):
            yield item


def page_texts_pypdf(path: Path) -> dict[int, str]:
    import pypdf

    reader = pypdf.PdfReader(str(path))
    return {
        number: _CONTROL.sub("", page.extract_text() or "")
        for number, page in enumerate(reader.pages, 1)
    }


def _chars(text: str) -> int:
    return len(re.sub(r"\s+", "", text))


def compare_pages(
    pages: dict[int, list[Line]], path: Path
) -> tuple[dict[int, list[Line]], dict[int, list[str]]]:
    """The pages whose layout text is kept, and pypdf's lines for the pages where the layout
    lost text (fewer than ``KEEP_SHARE`` of pypdf's characters)."""
    theirs = page_texts_pypdf(path)
    kept: dict[int, list[Line]] = {}
    replaced: dict[int, list[str]] = {}
    for number in sorted(set(pages) | set(theirs)):
        ours = sum(_chars(line.text) for line in pages.get(number, []))
        other = _chars(theirs.get(number, ""))
        if other > 0 and ours < KEEP_SHARE * other:
            replaced[number] = _plain_lines(theirs[number])
        else:
            kept[number] = pages.get(number, [])
    return kept, replaced
