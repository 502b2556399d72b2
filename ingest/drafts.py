"""What a parser hands to the store: one asset with its chunks and its graph facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ingest.psmap import ProblemEntry
from ingest.types import ChunkDraft
from ingest.winloss import WinLossRecord
from kms.core.models import AssetStatus


@dataclass
class AssetDraft:
    source: str  # identity: path for documents, deal:<id> for notes, problem:<key> for maps
    source_type: str  # document, winloss, psmap
    kind: str
    title: str
    content_hash: str
    language: str
    chunks: list[ChunkDraft]
    mime: str | None = None
    stored_file: str | None = None
    status: AssetStatus | None = None  # None: keep what a curator set, draft when new
    owner: str | None = None
    teams: list[str] | None = None
    review_by: date | None = None
    curated_stages: list[str] = field(default_factory=list)
    source_stage: str | None = None  # a stage the source itself states
    meta: dict[str, Any] = field(default_factory=dict)
    outcome: WinLossRecord | None = None
    problem: ProblemEntry | None = None


@dataclass
class UpsertResult:
    asset_id: int
    status: str  # added, updated, unchanged, duplicate
    removed_chunk_ids: list[int] = field(default_factory=list)
    added_chunk_ids: list[int] = field(default_factory=list)
    meta_changed: bool = False  # teams / status changed on an unchanged asset: re-index it


ChunkVectors = dict[int, dict[str, bytes]]  # chunk ordinal → model cache id → float32 bytes
Embed = Callable[[AssetDraft], ChunkVectors]  # supplied by the services (ingest runs no model)
