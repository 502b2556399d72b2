"""Plain data passed between the ingest stages (parsers → chunking → enrichment → store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Element:
    """One piece of a parsed document, in reading order."""

    text: str
    category: str = "Text"  # Title, NarrativeText, ListItem, Table, ...
    page: int | None = None
    heading_level: int | None = None  # set for titles/headings when known (1 = top)


@dataclass
class ParsedDocument:
    title: str
    elements: list[Element]
    mime: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChunkDraft:
    ordinal: int
    text: str
    section: str | None = None  # heading path, e.g. "Pricing > Discounts"
    page: int | None = None


@dataclass
class ItemError:
    """A bad item in a batch: the file, and the line or field when known."""

    item: str
    message: str
    line: int | None = None
    field: str | None = None

    @classmethod
    def failed(cls, item: str, exc: Exception) -> ItemError:
        """``item`` failed with an unexpected error: a refused database write or a file
        system error (a full or read-only disk) in words, anything else by its type."""
        return cls(item, failure_message(exc))

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "line": self.line, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = self.item
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f" [{self.field}]"
        return f"{where}: {self.message}"


def failure_message(exc: BaseException) -> str:
    """What went wrong, without SQL or a traceback: ``the database refused the write
    (database or disk is full)``, ``No space left on device: <file>``, or the error."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy's wrapper of the driver's error
    if isinstance(orig, Exception):
        return f"the database refused the write ({orig})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {exc}"
