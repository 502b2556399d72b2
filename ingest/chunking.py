"""Split a parsed document into chunks that follow its headings.

Rules, in order:

* **Headings start chunks.** Every heading (a ``Title`` element) opens a section whose
  ``section`` is the heading path, ``"Pricing > Discounts"``. A heading of level ``L`` closes
  every open heading of level ``>= L``; a heading without a known level counts as level 1
  (flat documents: PDF, text). Text before the first heading has ``section=None``. A section's
  first chunk starts with its heading line, so the heading is searchable as text too; a heading
  with no body of its own (``Pricing`` directly followed by ``Discounts``) makes no chunk and
  lives on in its children's paths.
* **Tiny siblings merge.** Consecutive sections with the same, non-empty parent path whose text
  is under a quarter of ``chunk_chars`` are packed together while the result fits in
  ``chunk_chars``; the chunk's ``section`` is then the shared parent (still true for all of it)
  and each sub-heading stays in the text. Top-level sections never merge: with no shared parent
  the merged chunk would have no honest heading. A parent's own text never merges with its
  children.
* **Long sections split at sentence ends** — English ``.?!`` followed by a space, Chinese
  ``。！？；`` anywhere, and line breaks — packing whole sentences up to ``chunk_chars``. The next
  chunk repeats whole trailing sentences of the previous one, up to ``overlap_chars``; if the
  last sentence alone is longer than that, it repeats the last ``overlap_chars`` characters. A
  sentence longer than ``chunk_chars`` is cut into pieces that fit.
* **Tables stay whole** when they fit in ``chunk_chars`` (a table that does not fit in the
  current chunk starts a new one, without overlap); a larger table is split between rows and
  rows are never shared as overlap.

Sizes are ``len(str)``: a CJK character counts as one. No chunk is longer than ``chunk_chars``
or empty; ordinals run 0..n-1; the result depends only on the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.types import ChunkDraft, ParsedDocument

SECTION_SEPARATOR = " > "
MAX_PATH_PART_CHARS = 120
_SENTENCE_END = re.compile(r"[。！？；]+[”’」』）)\"']*[ \t]*|[.?!]+[”’)\]\"']*(?:[ \t]+|$)|\n+")


@dataclass(frozen=True)
class _Unit:
    """The smallest piece a chunk is made of: a sentence, a heading line or a table."""

    text: str
    page: int | None
    is_table: bool = False
    starts_block: bool = False  # first unit of a paragraph / heading / table


@dataclass
class _Section:
    path: str | None
    parent: str | None
    units: list[_Unit] = field(default_factory=list)
    has_body: bool = False

    @property
    def size(self) -> int:
        return sum(len(unit.text) for unit in self.units)


def chunk_document(doc: ParsedDocument, chunk_chars: int, overlap_chars: int) -> list[ChunkDraft]:
    """Chunks of at most ``chunk_chars`` characters, following ``doc``'s headings."""
    if chunk_chars <= 0 or not 0 <= overlap_chars < chunk_chars:
        raise ValueError(f"need 0 <= overlap ({overlap_chars}) < chunk size ({chunk_chars})")
    sections = _drop_bare_parents(_sections(doc))
    drafts: list[ChunkDraft] = []
    for group in _merge_tiny_siblings(sections, chunk_chars):
        path = group[0].path if len(group) == 1 else group[0].parent
        units = [unit for section in group for unit in section.units]
        for text, page in _pack(units, chunk_chars, overlap_chars):
            drafts.append(ChunkDraft(ordinal=len(drafts), text=text, section=path, page=page))
    return drafts


def _sections(doc: ParsedDocument) -> list[_Section]:
    """Walk the elements, keeping a stack of open headings."""
    stack: list[tuple[int, str]] = []
    current = _Section(path=None, parent=None)
    sections = [current]
    for element in doc.elements:
        text = element.text.strip()
        if not text:
            continue
        if element.category == "Title":
            level = element.heading_level or 1
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent = _join_path(stack)
            stack.append((level, _path_part(text)))
            current = _Section(path=_join_path(stack), parent=parent)
            current.units.extend(_split_text(text, element.page))
            sections.append(current)
        elif element.category == "Table":
            current.units.append(_Unit(text, element.page, is_table=True, starts_block=True))
            current.has_body = True
        else:
            current.units.extend(_split_text(text, element.page))
            current.has_body = True
    return sections


def _drop_bare_parents(sections: list[_Section]) -> list[_Section]:
    """Drop empty sections, and headings with no text of their own whose children follow."""
    kept: list[_Section] = []
    for section, following in zip(sections, [*sections[1:], None], strict=True):
        if not section.units:
            continue
        is_parent = (
            following is not None
            and section.path is not None
            and (following.path or "").startswith(section.path + SECTION_SEPARATOR)
        )
        if section.has_body or not is_parent:
            kept.append(section)
    return kept


def _join_path(stack: list[tuple[int, str]]) -> str | None:
    return SECTION_SEPARATOR.join(part for _, part in stack) or None


def _path_part(heading: str) -> str:
    heading = " ".join(heading.split())
    if len(heading) <= MAX_PATH_PART_CHARS:
        return heading
    return heading[: MAX_PATH_PART_CHARS - 1] + "…"


def _split_text(text: str, page: int | None) -> list[_Unit]:
    """Sentences of one paragraph; joining their texts gives the paragraph back."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    pieces = [piece for piece in pieces if piece.strip()]
    return [_Unit(piece, page, starts_block=i == 0) for i, piece in enumerate(pieces)]


def _merge_tiny_siblings(sections: list[_Section], chunk_chars: int) -> list[list[_Section]]:
    tiny = chunk_chars // 4
    groups: list[list[_Section]] = []
    for section in sections:
        last = groups[-1] if groups else None
        if (
            last is not None
            and section.parent is not None
            and all(s.parent == section.parent and s.size < tiny for s in last)
            and section.size < tiny
            and sum(s.size + 1 for s in last) + section.size <= chunk_chars
        ):
            last.append(section)
        else:
            groups.append([section])
    return groups


def _pack(units: list[_Unit], chunk_chars: int, overlap_chars: int) -> list[tuple[str, int | None]]:
    """Greedy packing of units into chunks of at most ``chunk_chars``, with overlap."""
    chunks: list[tuple[str, int | None]] = []
    current: list[_Unit] = []
    rendered = ""
    for unit in _fit_units(units, chunk_chars):
        candidate = _append(rendered, unit)
        if current and len(candidate.strip()) > chunk_chars:
            chunks.append((rendered.strip(), current[0].page))
            current = [] if unit.is_table else _overlap(current, overlap_chars)
            candidate = _append(_render(current), unit)
            if current and len(candidate.strip()) > chunk_chars:
                current, candidate = [], _append("", unit)
        current.append(unit)
        rendered = candidate
    if current:
        chunks.append((rendered.strip(), current[0].page))
    return [(text, page) for text, page in chunks if text]


def _fit_units(units: list[_Unit], chunk_chars: int) -> list[_Unit]:
    """Break tables into rows and over-long sentences into pieces so every unit fits."""
    fitted: list[_Unit] = []
    for unit in units:
        if len(unit.text) <= chunk_chars:
            fitted.append(unit)
        elif unit.is_table:
            rows = [
                _Unit(row, unit.page, True, i == 0) for i, row in enumerate(unit.text.split("\n"))
            ]
            fitted.extend(
                _fit_units(rows, chunk_chars) if len(rows) > 1 else _cut(unit, chunk_chars)
            )
        else:
            fitted.extend(_cut(unit, chunk_chars))
    return fitted


def _cut(unit: _Unit, chunk_chars: int) -> list[_Unit]:
    """Cut a unit longer than a chunk, preferring the last space in each window (by offset:
    the rest of a long line is never copied, so a 10 MB single line cuts in linear time)."""
    pieces: list[_Unit] = []
    text, start, first = unit.text, 0, True
    while len(text) - start > chunk_chars:
        space = text.rfind(" ", start + chunk_chars // 2, start + chunk_chars)
        end = space + 1 if space >= 0 else start + chunk_chars
        piece = text[start:end]
        pieces.append(_Unit(piece, unit.page, unit.is_table, unit.starts_block and first))
        start, first = end, False
    rest = text[start:]
    if rest.strip():
        pieces.append(_Unit(rest, unit.page, unit.is_table, unit.starts_block and first))
    return pieces


def _overlap(previous: list[_Unit], overlap_chars: int) -> list[_Unit]:
    """Trailing sentences of the previous chunk, at most ``overlap_chars`` long in all."""
    if overlap_chars == 0 or previous[-1].is_table:
        return []
    tail: list[_Unit] = []
    for unit in reversed(previous):
        if unit.is_table or _length([unit, *tail]) > overlap_chars:
            break
        tail.insert(0, unit)
    if tail:
        return tail
    text = previous[-1].text[-overlap_chars:]
    space = text.find(" ")
    if 0 <= space < len(text) // 2:
        text = text[space + 1 :]
    return [_Unit(text.lstrip(), previous[-1].page)] if text.strip() else []


def _append(text: str, unit: _Unit) -> str:
    if text and (unit.starts_block or unit.is_table):  # new paragraph, or next table row
        text = text.rstrip() + "\n"
    return text + unit.text


def _render(units: list[_Unit]) -> str:
    text = ""
    for unit in units:
        text = _append(text, unit)
    return text.strip()


def _length(units: list[_Unit]) -> int:
    return len(_render(units))
