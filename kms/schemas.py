"""Public request and response models shared by the API and the CLI (never table models)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field


class SearchFilters(BaseModel):
    kind: list[str] = Field(default_factory=list, description="Asset kinds to keep")
    product: str | None = Field(None, description="Product key or name (any language)")
    industry: str | None = Field(None, description="Industry key or name")
    competitor: str | None = Field(None, description="Competitor key or name")
    language: str | None = Field(None, description="zh, en or mixed")
    status: list[str] = Field(
        default_factory=list, description="draft / approved (retired is never shown)"
    )


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, description="The question, in Chinese or English")
    stage: str | None = Field(None, description="Stage key, name or any CRM alias")
    filters: SearchFilters = Field(default_factory=SearchFilters)
    limit: int = Field(10, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000)
    log: bool = Field(True, description="Record the query (analytics, gaps)")


class Why(BaseModel):
    signal: str
    value: float


class Citation(BaseModel):
    asset_id: int
    title: str
    section: str | None = None
    page: int | None = None
    url: str


class SearchHit(BaseModel):
    asset_id: int
    chunk_id: int
    title: str
    kind: str
    language: str
    status: str
    snippet: str = Field(description="HTML-escaped excerpt; query terms in <mark>")
    section: str | None = None
    page: int | None = None
    stages: list[str] = Field(default_factory=list)
    score: float
    why: list[Why]
    citation: Citation


class StageInfo(BaseModel):
    key: str
    name_en: str
    name_zh: str
    given: bool
    confidence: float


class SearchResponse(BaseModel):
    query_id: int | None
    query: str
    stage: StageInfo | None
    total: int
    offset: int
    limit: int
    results: list[SearchHit]


class Passage(BaseModel):
    text: str
    snippet: str
    citation: Citation


class SolutionEntry(BaseModel):
    key: str
    name_en: str
    name_zh: str
    products: list[str]
    proof: list[Citation]


class ProblemEntry(BaseModel):
    entity_id: int
    key: str
    name_en: str
    name_zh: str
    stage: str | None
    discovery_questions: list[str]
    solutions: list[SolutionEntry]


class ReasonCount(BaseModel):
    reason: str
    count: int


class WinLossSummary(BaseModel):
    deals: int
    won: int
    lost: int
    no_decision: int
    win_rate: float | None
    top_reasons_won: list[ReasonCount]
    top_reasons_lost: list[ReasonCount]
    filters: dict[str, str]


class StageHints(BaseModel):
    key: str
    name_en: str
    name_zh: str
    description: str
    typical_questions: list[str]
    exit_criteria: list[str]
    asset_kinds: list[str]


class AnswerResponse(BaseModel):
    query_id: int | None
    query: str
    stage: StageInfo | None
    confidence: float
    passages: list[Passage]
    problems: list[ProblemEntry]
    winloss: WinLossSummary
    hints: StageHints | None
    results: list[SearchHit]
    gap_recorded: bool


class AnswerRequest(SearchRequest):
    competitor: str | None = None
    industry: str | None = None


class Opportunity(BaseModel):
    """An opportunity as a CRM sends it."""

    stage: str = Field(description="The stage name as the CRM calls it")
    industry: str | None = None
    competitors: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    amount: float | None = None
    close_date: date | None = None
    notes: str = Field("", description="Free-text notes or next step")
    limit: int = Field(5, ge=1, le=20)


class Recommendation(BaseModel):
    asset_id: int
    title: str
    kind: str
    reason: str = Field(description="One line: why this asset matters at this stage")
    snippet: str
    score: float
    citation: Citation


class RecommendResponse(BaseModel):
    query_id: int | None
    stage: StageHints
    next_stage: StageHints | None
    exit_criteria: list[str] = Field(description="This stage's exit criteria, then the next's")
    recommendations: list[Recommendation]
    winloss: list[WinLossSummary] = Field(description="One per competitor, in the industry")


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
    stages: list[str] | None = Field(None, description="Curated stage tags (keys or names)")
    owner: str | None = Field(None, max_length=200)
    review_by: date | None = None
    teams: list[str] | None = Field(None, description="Teams that may see it; [] = everyone")
    pins: list[str] | None = Field(None, description="Queries this asset is pinned to")


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


# --- feedback and gaps -------------------------------------------------------------


DbId = Annotated[int, Field(ge=1, le=2**63 - 1, description="A row id")]


class FeedbackCreate(BaseModel):
    query_id: DbId
    asset_id: DbId
    helpful: bool
    comment: str = Field("", max_length=2000)


class FeedbackPublic(BaseModel):
    id: int
    query_id: int
    asset_id: int
    helpful: bool
    comment: str
    gap_id: int | None = Field(description="The gap a not-helpful vote raised or counted on")
    created_at: datetime


GapStatus = Literal["open", "in_progress", "closed"]


class GapPublic(BaseModel):
    id: int
    kind: str
    title: str
    query: str | None
    stage: str | None
    subject: str | None
    teams: list[str]
    occurrences: int
    status: str
    tags: list[str]
    owner: str | None
    closing_asset_id: int | None
    created_at: datetime
    updated_at: datetime


class GapsPublic(BaseModel):
    data: list[GapPublic]
    count: int


class GapCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    query: str | None = Field(None, max_length=500)
    stage: str | None = Field(None, description="Stage key, name or CRM alias")
    tags: list[str] = Field(default_factory=list)
    owner: str | None = Field(None, max_length=200)
    teams: list[str] | None = Field(None, description="Who may see it; default: your teams")


class GapUpdate(BaseModel):
    status: GapStatus | None = None
    tags: list[str] | None = None
    owner: str | None = Field(None, max_length=200)
    closing_asset_id: DbId | None = None


class GapDetection(BaseModel):
    opened: int
    updated: int
    closed: int
    open_total: int


# --- analytics -----------------------------------------------------------------------


class DayCount(BaseModel):
    day: date
    queries: int
    zero_results: int


class QueryCount(BaseModel):
    query: str
    count: int
    zero_results: int


class CoverageCell(BaseModel):
    stage: str
    kind: str
    approved: int
    total: int


class StaleAsset(BaseModel):
    asset_id: int
    title: str
    owner: str | None
    review_by: date


class AnalyticsPublic(BaseModel):
    days: int
    queries: int
    zero_result_rate: float | None
    per_day: list[DayCount]
    top_queries: list[QueryCount]
    top_gaps: list[GapPublic]
    coverage: list[CoverageCell]
    stale: list[StaleAsset]


# --- API keys ------------------------------------------------------------------------


TeamName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")]


class KeyCreate(BaseModel):
    role: Literal["rep", "curator", "admin"]
    teams: list[TeamName] = Field(default_factory=list, max_length=50)
    name: str = Field("", max_length=100)


class KeyPublic(BaseModel):
    id: int
    name: str
    prefix: str
    role: str
    teams: list[str]
    revoked: bool
    created_at: datetime


class KeyCreated(KeyPublic):
    key: str = Field(description="The key itself, shown this once")


class KeysPublic(BaseModel):
    data: list[KeyPublic]
    count: int


class CallerPublic(BaseModel):
    name: str
    role: str
    teams: list[str] | None = Field(description="None: every team (admin)")


class AuditEntry(BaseModel):
    id: int
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    at: datetime


class AuditPublic(BaseModel):
    data: list[AuditEntry]
    count: int
