"""Operational tables: ingest jobs, query log, feedback, gaps, keys, teams, audit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from kms.core.models._types import json_field, utcnow


class Role(StrEnum):
    rep = "rep"
    curator = "curator"
    admin = "admin"


class Job(SQLModel, table=True):
    """Progress of one ingest run; ``errors`` holds ``{item, line, field, message}`` dicts.

    A queued job carries what a worker needs in ``payload`` (an upload: its files as blob
    hashes and its form); ``items`` records each finished file in the transaction that
    stored it, so a job retried after a crash skips what is already done."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="ingest", description="ingest (CLI), upload, reindex")
    status: str = Field(default="queued", index=True, description="queued, running, done, failed")
    total: int = 0
    done: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[dict[str, Any]] = json_field()
    created_by: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    payload: dict[str, Any] = json_field(default_factory=dict)
    items: dict[str, str] = json_field(default_factory=dict, description="file → its result")
    worker: str | None = Field(default=None, description="host:pid running it")
    heartbeat_at: datetime | None = None
    attempts: int = 0


class QueryLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    query: str
    stage: str | None = None
    inferred_stage: str | None = None
    teams: list[str] = json_field()
    key_id: int | None = None
    user_id: int | None = None
    results: int = 0
    top_asset_ids: list[int] = json_field()
    confidence: float = 0.0
    clicks: int = Field(default=0, description="Results of this query the asker opened")
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Feedback(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    query_id: int = Field(foreign_key="querylog.id", index=True)
    asset_id: int = Field(foreign_key="asset.id", index=True)
    helpful: bool
    comment: str = ""
    reason: str | None = Field(
        default=None, description="Why not helpful: wrong, outdated, incomplete or other"
    )
    key_id: int | None = None
    user_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Gap(SQLModel, table=True):
    """A content gap: detected (zero results, low confidence, ...) or created by hand."""

    __table_args__ = (UniqueConstraint("kind", "subject", name="uq_gap_kind_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(
        index=True,
        description="zero_results, low_confidence, negative_feedback, thin_stage, "
        "no_solution, no_proof, manual",
    )
    title: str
    query: str | None = None
    stage_key: str | None = None
    subject: str | None = Field(default=None, description="What the gap is about, e.g. entity:7")
    teams: list[str] = json_field(description="Teams of the callers whose queries raised it")
    occurrences: int = 1
    status: str = Field(default="open", index=True, description="open, in_progress, closed, merged")
    merged_into: int | None = Field(
        default=None,
        foreign_key="gap.id",
        index=True,
        description="The gap this one was merged into (same question): its askers count there",
    )
    tags: list[str] = json_field()
    owner: str | None = None
    closing_asset_id: int | None = Field(default=None, foreign_key="asset.id")
    context: dict[str, Any] = json_field(
        default_factory=dict, description="The asker's filters (ask an expert)"
    )
    notes: list[str] = json_field(description="Notes the askers added (ask an expert)")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Team(SQLModel, table=True):
    name: str = Field(primary_key=True)
    description: str = ""


class ApiKey(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = ""
    prefix: str = Field(index=True, description="First characters, to find the key")
    key_hash: str
    role: Role
    teams: list[str] = json_field()
    revoked: bool = False
    user_id: int | None = Field(
        default=None, foreign_key="useraccount.id", description="The person it acts for"
    )
    dev: bool = Field(default=False, description="The development key from KMS_DEV_ADMIN_KEY")
    created_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    actor: str
    action: str = Field(index=True)
    target: str
    detail: dict[str, Any] = json_field(default_factory=dict)
    at: datetime = Field(default_factory=utcnow, index=True)
