"""Public models of assets (curation), ingest jobs and the knowledge graph."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from kms.core.models import AssetStatus
from kms.core.schemas.bounded import NameList, TeamList
from kms.core.schemas.search import Citation, ProblemEntry, WinLossSummary

# --- assets (curation) -------------------------------------------------------------

Status = Literal["draft", "approved", "retired"]


class AssetPublic(BaseModel):
    id: int
    kind: str
    source_type: str
    title: str
    file_name: str | None
    mime: str | None
    has_file: bool
    language: str
    status: str
    owner: str | None
    review_by: date | None
    approved_by: str | None = None
    approved_at: datetime | None = None
    stale: bool
    teams: list[str]
    duplicate_of: int | None
    created_at: datetime
    updated_at: datetime


class AssetsPublic(BaseModel):
    data: list[AssetPublic]
    count: int


class StageAffinity(BaseModel):
    stage: str
    score: float
    origin: str


class ChunkPublic(BaseModel):
    id: int
    ordinal: int
    text: str
    section: str | None
    page: int | None
    language: str
    duplicate_of: int | None
    stages: list[StageAffinity]


class EntityRef(BaseModel):
    id: int
    type: str
    key: str
    name_en: str
    name_zh: str


class DuplicateRef(BaseModel):
    asset_id: int
    title: str
    relation: str = Field(description="duplicate_of, duplicated_by or near_duplicate")


class AssetDetail(AssetPublic):
    chunks: list[ChunkPublic]
    stages: list[StageAffinity] = Field(description="Best affinity per stage over the chunks")
    entities: list[EntityRef]
    duplicates: list[DuplicateRef]
    pins: list[str]


class AssetUpdate(BaseModel):
    """Fields to change; a field left out is kept."""

    status: Status | None = None
    stages: NameList | None = Field(None, description="Curated stage tags (keys or names)")
    owner: str | None = Field(None, max_length=200)
    review_by: date | None = None
    teams: TeamList | None = Field(
        None,
        description="Teams that may see it; [] = everyone. Moving an asset between teams "
        "is an admin action: a team-bound curator may only change the teams of an asset "
        "that lives in their own teams, to their own teams or to everyone.",
    )
    pins: NameList | None = Field(None, description="Queries this asset is pinned to")


# --- ingest jobs ---------------------------------------------------------------------


class JobError(BaseModel):
    item: str
    line: int | None = None
    field: str | None = None
    message: str


class JobPublic(BaseModel):
    id: int
    kind: str
    status: str
    total: int
    done: int
    added: int
    updated: int
    unchanged: int
    failed: int
    errors: list[JobError]
    created_at: datetime
    finished_at: datetime | None


class FileMeta(BaseModel):
    """What a manifest, an upload form or the CLI says about files: each field optional."""

    kind: str | None = None
    status: AssetStatus | None = None
    owner: str | None = None
    teams: TeamList | None = None
    stages: list[str] = Field(default_factory=list)
    review_by: date | None = None

    def over(self, base: FileMeta) -> FileMeta:
        """This metadata with ``base`` filling what it leaves unset."""
        merged: dict[str, Any] = base.model_dump()
        merged.update({k: v for k, v in self.model_dump().items() if v not in (None, [])})
        return FileMeta.model_validate(merged)


class UploadForm(BaseModel):
    """The form fields sent with an upload (all optional): what the files are."""

    kind: str | None = None
    status: str | None = None
    owner: str | None = None
    teams: list[str] = Field(default_factory=list)  # checked by the service (field "teams")
    stages: list[str] = Field(default_factory=list)
    review_by: str | None = None


class UploadAccepted(BaseModel):
    job_id: int
    files: list[str]
    status_url: str


# --- graph ---------------------------------------------------------------------------


class EntityPublic(EntityRef):
    aliases: list[str]
    description: str


class EntitiesPublic(BaseModel):
    data: list[EntityPublic]
    count: int


class ProblemSummary(BaseModel):
    id: int
    key: str
    name_en: str
    name_zh: str
    stage: str | None
    solutions: int
    proof: int


class ProblemsPublic(BaseModel):
    data: list[ProblemSummary]
    count: int


class OutcomePublic(BaseModel):
    deal_id: str
    asset_id: int
    account: str
    industry: str
    competitors: list[str]
    products: list[str]
    outcome: str
    stage: str | None
    amount: float | None
    currency: str
    close_date: date | None
    reasons: list[str]


class ProblemDetail(BaseModel):
    problem: ProblemEntry
    proof: list[Citation]
    outcomes: list[OutcomePublic]
    winloss: WinLossSummary
