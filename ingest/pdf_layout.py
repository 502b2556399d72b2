"""PDF text by layout: paragraphs rebuilt from wrapped lines, headings by type and numbering.

A PDF holds lines, not paragraphs: a 600-character clause is twenty lines of thirty
characters. :mod:`ingest.pdf_lines` reads each line with its box, font size and weight
(pdfium); ``paragraphs`` puts them back together:

* **Running heads and page numbers go**: lines in the top or bottom tenth of the page whose
  text (digits ignored) repeats on two or more pages, and lines there that are only a page
  number (``3``, ``— 3 —``, ``第 3 頁``, ``Page 3 of 9``).
* **A heading** is a line in larger type than the body (≥ 1.15×) or in bold, or a line that
  starts with a section number (``第二十六條``, ``第三章``, ``Article 26``, ``1.2``, ``一、``)
  and stops short of the right margin — never a line for being short. A heading that wraps
  stays one heading.
* **A line continues the paragraph above** unless that line stopped short of the right margin
  (the text column's right edge, measured over the document's body lines), the gap between
  them is wider than the usual leading, the line is indented, or it starts with a number or a
  list mark. A paragraph runs on across a page break the same way. Lines are joined without a
  space between CJK characters, with one between words, and a hyphen that split a word is
  dropped.
* **Tables**: lines of one row that the reader keeps apart (cells far from each other)
  become one row with cells joined by `` | ``; consecutive rows make a ``Table`` element.

Pages the reader knows only as plain text lines (pypdf's, when the layout had none) are
joined the same way without the geometry (``plain_paragraphs``).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from ingest.pdf_lines import Line, read_lines
from ingest.types import Element

HEADING_SIZE_RATIO = 1.15
BAND = 0.1  # top and bottom share of the page where running heads live
MAX_HEADING_CHARS = 120
_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")
_NUMBERED = re.compile(
    r"^\s*(?:第\s*[一二三四五六七八九十百千零〇两兩\d]+\s*[章節节條条款編编部篇]"
    r"|(?:article|section|chapter|clause|part)\s+[\dIVXLC]+\b"
    r"|\d+(?:\.\d+)+\.?(?=\s|[^\d.])"
    r"|\d{1,2}[.、)）](?=\s*\S)"
    r"|[一二三四五六七八九十]+[、.．]"
    r"|[（(][一二三四五六七八九十\d]+[)）]"
    r"|[A-Z][.)]\s)",
    re.I,
)
_LIST_MARK = re.compile(r"^\s*(?:[•·\-–—*▪●○■□]\s|\(?[a-z\d]{1,2}[.)）]\s)", re.I)
_PAGE_NUMBER = re.compile(
    r"^[\W_]*(?:(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?|第\s*\d+\s*[頁页]"
    r"(?:\s*[，,/]?\s*共\s*\d+\s*[頁页])?|\d+(?:\s*/\s*\d+)?)[\W_]*$",
    re.I,
)
_SENTENCE_END = tuple("。！？!?；;：:.")


def _rows(lines: list[Line]) -> list[Line]:
    """Lines of one page top to bottom; lines sharing a row far apart become a table row."""
    lines.sort(key=lambda line: (round(line.top), line.x0))
    rows: list[list[Line]] = []
    for line in lines:
        row = rows[-1] if rows else None
        if row and abs(row[0].top - line.top) < 0.5 * max(line.height, 1.0):
            row.append(line)
        else:
            rows.append([line])
    out: list[Line] = []
    for row in rows:
        row.sort(key=lambda line: line.x0)
        if len(row) == 1:
            out.append(row[0])
            continue
        first, last = row[0], row[-1]
        merged = Line(
            " ".join(line.text for line in row),
            first.page,
            first.x0,
            last.x1,
            first.top,
            max(line.bottom for line in row),
            first.size,
            first.bold,
            first.page_height,
            cells=[line.text for line in row],
        )
        merged.starts = [line.x0 for line in row[1:]]
        out.append(merged)
    return _tables_need_columns(out)


def _tables_need_columns(lines: list[Line]) -> list[Line]:
    """A row of cells is a table row only next to another whose cells start at the same
    places; a lone row of far-apart words (justified text) is a line."""
    for i, line in enumerate(lines):
        if not line.cells:
            continue
        neighbours = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines) and lines[j].cells]
        if not any(_aligned(line, other) for other in neighbours):
            line.cells = []
    return lines


def _aligned(a: Line, b: Line) -> bool:
    return any(abs(x - y) < 3 for x in a.starts for y in b.starts)


def drop_running_heads(pages: dict[int, list[Line]]) -> dict[int, list[Line]]:
    """Without the header / footer band's repeated lines and page numbers."""
    seen: Counter[str] = Counter()
    for lines in pages.values():
        seen.update({_normalise(line.text) for line in lines if _in_band(line)})
    repeated = {text for text, count in seen.items() if count >= 2}
    return {
        number: [
            line
            for line in lines
            if not (
                _in_band(line)
                and (_normalise(line.text) in repeated or _PAGE_NUMBER.match(line.text))
            )
        ]
        for number, lines in pages.items()
    }


def _in_band(line: Line) -> bool:
    return line.top < BAND * line.page_height or line.bottom > (1 - BAND) * line.page_height


def _ems(text: str) -> float:
    wide = len(_CJK.findall(text))
    return wide + 0.5 * (len(text) - wide)


def _normalise(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


@dataclass
class _Layout:
    """What the document's body lines look like: type size, text column, leading."""

    body_size: float
    left: float
    right: float
    leading: float
    ems: float  # a full body line's length in ems (CJK 1, other characters ~0.5)

    @classmethod
    def of(cls, lines: list[Line]) -> _Layout:
        weights: Counter[float] = Counter()
        for line in lines:
            weights[line.size] += len(line.text)
        body_size = weights.most_common(1)[0][0] if weights else 10.0
        body = [line for line in lines if abs(line.size - body_size) < 0.5 and not line.cells]
        body = body or lines
        lefts = sorted(line.x0 for line in body)
        rights = sorted(line.x1 for line in body)
        gaps = [
            b.top - a.top
            for a, b in pairwise(body)
            if a.page == b.page and 0 < b.top - a.top < 3 * max(body_size, 1.0)
        ]
        return cls(
            body_size=body_size,
            left=lefts[len(lefts) // 10] if lefts else 0.0,
            right=rights[int(len(rights) * 0.9)] if rights else 0.0,
            leading=statistics.median(gaps) if gaps else 1.4 * body_size,
            ems=sorted(_ems(line.text) for line in body)[int(len(body) * 0.9)] if body else 0.0,
        )

    def is_heading(self, line: Line) -> bool:
        if line.cells or len(line.text) > MAX_HEADING_CHARS:
            return False
        typed = line.size >= HEADING_SIZE_RATIO * self.body_size or (
            line.bold and not line.text.endswith(_SENTENCE_END[:3])
        )
        numbered = _NUMBERED.match(line.text) is not None and not self.is_full(line)
        return typed or (numbered and not line.text.endswith(_SENTENCE_END))

    def is_full(self, line: Line) -> bool:
        """Does the line reach the right margin (so its text wraps onto the next line)? By its
        box, or by its length in ems where a font's widths make the boxes unreliable."""
        if line.x1 >= self.right - 1.5 * max(line.size, 1.0):
            return True
        return self.ems > 0 and _ems(line.text) * line.size >= (self.ems - 1.5) * self.body_size

    def continues(self, previous: Line, line: Line) -> bool:
        """Is ``line`` the next line of ``previous``'s paragraph?"""
        if not self.is_full(previous) or _NUMBERED.match(line.text) or _LIST_MARK.match(line.text):
            return False
        if line.x0 > self.left + 1.2 * max(line.size, 1.0):  # indented: a new paragraph
            return False
        if line.page == previous.page:
            return line.top - previous.top <= 1.25 * self.leading
        return line.page == previous.page + 1


def paragraphs(pages: dict[int, list[Line]]) -> list[Element]:
    """Headings, paragraphs and tables of the document, in reading order."""
    lines = [line for number in sorted(pages) for line in pages[number]]
    layout = _Layout.of(lines)
    elements: list[Element] = []
    current: list[Line] = []
    kind = ""
    for line in lines:
        line_kind = "Table" if line.cells else "Title" if layout.is_heading(line) else "Text"
        if current and _same_block(layout, kind, line_kind, current[-1], line):
            current.append(line)
            continue
        if current:
            elements.append(_element(kind, current))
        current, kind = [line], line_kind
    if current:
        elements.append(_element(kind, current))
    return elements


def _same_block(layout: _Layout, kind: str, line_kind: str, previous: Line, line: Line) -> bool:
    if kind != line_kind:
        return False
    if kind == "Table":
        return line.page == previous.page and line.top - previous.bottom < 2 * layout.leading
    if kind == "Title":  # a wrapped heading: same type, the very next line
        return (
            line.page == previous.page
            and line.size == previous.size
            and line.top - previous.top <= 1.25 * max(layout.leading, previous.height * 1.3)
            and not _NUMBERED.match(line.text)
        )
    return layout.continues(previous, line)


def _element(kind: str, lines: list[Line]) -> Element:
    if kind == "Table":
        return Element("\n".join(" | ".join(line.cells) for line in lines), "Table", lines[0].page)
    text = join_lines([line.text for line in lines])
    return Element(text, "Title" if kind == "Title" else "NarrativeText", lines[0].page)


def join_lines(lines: list[str]) -> str:
    """Wrapped lines as one paragraph: no space between CJK characters, one between words,
    a hyphen that split a word dropped."""
    text = ""
    for line in lines:
        line = line.strip()
        if not text:
            text = line
        elif text.endswith("-") and line[:1].islower() and text[-2:-1].isalpha():
            text = text[:-1] + line
        elif _CJK.match(text[-1]) or _CJK.match(line[0]):
            text += line
        else:
            text += " " + line
    return text


def plain_paragraphs(number: int, lines: list[str]) -> Iterator[Element]:
    """A page known only as text lines (pypdf): a line ending a sentence ends a paragraph."""
    block: list[str] = []
    for line in lines:
        block.append(line)
        if line.rstrip().endswith(_SENTENCE_END[:6]):
            yield Element(join_lines(block), "NarrativeText", number)
            block = []
    if block:
        yield Element(join_lines(block), "NarrativeText", number)


def pdf_elements(path: Path) -> list[Element]:
    """The document's elements by layout, with plain text for pages read without it."""
    read = read_lines(path)
    kept = drop_running_heads({number: _rows(lines) for number, lines in read.lines.items()})
    by_page: dict[int, list[Element]] = {}
    for element in paragraphs(kept):
        by_page.setdefault(element.page or 0, []).append(element)
    for number, lines in read.plain.items():
        by_page[number] = list(plain_paragraphs(number, lines))
    return [element for number in sorted(by_page) for element in by_page[number]]
