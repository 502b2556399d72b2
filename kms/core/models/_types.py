"""Column helpers shared by the table modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def json_field(default_factory: Any = list, **kwargs: Any) -> Any:
    """A JSON column (lists of teams, aliases, reasons...)."""
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False), **kwargs)
