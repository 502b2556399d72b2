"""Assets (one per source document, win/loss note or map entry) and their chunks."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, event
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, UniqueConstraint

from kms.core.models._types import json_field, utcnow
from kms.core.teams import scope_of


class AssetStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    retired = "retired"


class StageOrigin(StrEnum):
    """Where a chunk's stage affinity came from; curated beats source beats inferred."""

    curated = "curated"
    source = "source"
    inferred = "inferred"


class Asset(SQLModel, table=True):
    """One document, win/loss note or map entry. Its identity is its ``source`` name *and*
    its team ``scope``: the same name in another team is another asset."""

    # a unique index, not a constraint: SQLite adds it without rebuilding the table
    __table_args__ = (Index("uq_asset_source_scope", "source", "scope", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(
        index=True,
        description="battlecard, case_study, discovery_guide, objection_handling, pricing, "
        "product_sheet, proposal_template, playbook, email_template, article, document, "
        "winloss_note, problem",
    )
    source_type: str = Field(index=True, description="document, winloss or psmap")
    title: str
    source: str = Field(index=True, description="Where it came from: path, URI or record key")
    stored_file: str | None = Field(default=None, description="Copy of the source file")
    mime: str | None = None
    content_hash: str = Field(index=True)
    language: str = Field(default="en", description="zh, en or mixed")
    status: AssetStatus = Field(default=AssetStatus.draft, index=True)
    owner: str | None = None
    review_by: date | None = None
    approved_by: str | None = Field(
        default=None, description="Who approved it (a curator, or the writer of its source)"
    )
    approved_at: datetime | None = Field(default=None, description="When it was approved")
    teams: list[str] = json_field(description="Teams that may see it; empty = everyone")
    scope: str = Field(
        default="",
        index=True,
        description="The teams as one key (sorted, comma-joined; empty = public), kept "
        "equal to ``teams`` on every flush",
    )
    meta: dict[str, Any] = json_field(default_factory=dict)
    duplicate_of: int | None = Field(default=None, foreign_key="asset.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def set_status(self, status: AssetStatus, by: str) -> None:
        """Change the status; becoming approved records who approved it and when, leaving
        approved forgets it (a draft again must be approved again)."""
        if status == AssetStatus.approved and self.status != AssetStatus.approved:
            self.approved_by, self.approved_at = by, utcnow()
        elif status != AssetStatus.approved:
            self.approved_by, self.approved_at = None, None
        self.status = status


class Chunk(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("asset_id", "ordinal"),)

    id: int | None = Field(default=None, primary_key=True)
    asset_id: int = Field(foreign_key="asset.id", index=True)
    ordinal: int
    text: str
    section: str | None = None
    page: int | None = None
    language: str = "en"
    content_hash: str = Field(index=True)
    duplicate_of: int | None = Field(
        default=None, description="Head of its near-duplicate group (all are indexed)"
    )
    entity_ids: list[int] = json_field(description="Entities linked in this chunk")


class ChunkStage(SQLModel, table=True):
    """Affinity of a chunk to a stage of the sales process, with its origin."""

    chunk_id: int = Field(foreign_key="chunk.id", primary_key=True)
    stage_key: str = Field(primary_key=True)
    score: float = 1.0
    origin: StageOrigin = StageOrigin.inferred


class Pin(SQLModel, table=True):
    """A curator's pin: this asset goes first for queries containing this text."""

    id: int | None = Field(default=None, primary_key=True)
    asset_id: int = Field(foreign_key="asset.id", index=True)
    query: str = Field(index=True)
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


@event.listens_for(Session, "before_flush")
def _keep_scopes(session: Session, _context: object, _instances: object) -> None:
    """An asset's scope always equals its teams, whoever set them."""
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Asset):
            scope = scope_of(obj.teams)
            if obj.scope != scope:
                obj.scope = scope
