"""Query parameters shared by list routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip")]
Limit = Annotated[int, Query(ge=1, le=200, description="Rows to return (settings.page_size_max)")]
Text = Annotated[str | None, Query(max_length=200)]
Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="A row id")]
