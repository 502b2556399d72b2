"""Public models of feedback, gaps, analytics, API keys and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from kms.core.schemas.bounded import Name, NameList, TeamList
from kms.core.schemas.search import SearchFilters

# --- feedback and gaps -------------------------------------------------------------


DbId = Annotated[int, Field(ge=1, le=2**63 - 1, description="A row id")]


class FeedbackCreate(BaseModel):
    query_id: DbId
    asset_id: DbId
    helpful: bool
    comment: str = Field("", max_length=2000)
    reason: Literal["wrong", "outdated", "incomplete", "other"] | None = Field(
        None, description="Why the result did not help (a not-helpful vote only)"
    )


class FeedbackPublic(BaseModel):
    id: int
    query_id: int
    asset_id: int
    helpful: bool
    comment: str
    reason: str | None = None
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
    merged_into: int | None = Field(
        None, description="Merged (status 'merged') into this gap, which counts its askers"
    )
    context: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class GapsPublic(BaseModel):
    data: list[GapPublic]
    count: int


class GapMerge(BaseModel):
    """Merge a question gap into another that asks the same thing (either language)."""

    into: DbId = Field(description="The gap that stays: it takes this one's count and askers")


class SimilarGap(BaseModel):
    gap: GapPublic
    similarity: float = Field(description="Cosine of the two questions (cross-lingual model)")


class ExpertRequest(BaseModel):
    """A rep asks an expert: the question nothing answered, recorded as a gap."""

    query: str = Field(min_length=1, max_length=500)
    stage: Name | None = Field(None, description="Stage key, name or CRM alias")
    filters: SearchFilters = Field(default_factory=SearchFilters)
    note: str | None = Field(None, max_length=1000, description="What the rep needs, in words")


class AnsweredQuestion(BaseModel):
    """A question of the caller's that a curator answered by closing its gap."""

    gap_id: int
    query: str
    asset_id: int
    title: str
    answered_at: datetime


class ExpertAsked(BaseModel):
    gap_id: int
    occurrences: int


class GapCreate(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    query: str | None = Field(None, max_length=500)
    stage: Name | None = Field(None, description="Stage key, name or CRM alias")
    tags: NameList = Field(default_factory=list)
    owner: str | None = Field(None, max_length=200)
    teams: TeamList | None = Field(None, description="Who may see it; default: your teams")


class GapUpdate(BaseModel):
    status: GapStatus | None = None
    tags: NameList | None = None
    owner: str | None = Field(None, max_length=200)
    closing_asset_id: DbId | None = None


class GapAnswer(BaseModel):
    """A curator's short answer to a gap: it becomes an approved article and closes it."""

    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)
    ] = Field(description="The answer, plain text")


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
    low_confidence: int = Field(0, description="Answers below the confidence threshold")
    helpful: int = Field(0, description="Helpful votes on that day's queries")
    not_helpful: int = Field(0, description="Not-helpful votes on that day's queries")
    with_results: int = Field(0, description="Queries that returned results")
    opened: int = Field(0, description="Of those, queries whose asker opened a result")


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
    low_confidence_rate: float | None = Field(
        None, description="Share of queries whose answer was below the confidence threshold"
    )
    helpful_ratio: float | None = Field(None, description="Helpful votes / all votes")
    click_through_rate: float | None = Field(
        None, description="Queries with results whose asker opened one / queries with results"
    )
    per_day: list[DayCount]
    top_queries: list[QueryCount]
    top_gaps: list[GapPublic]
    coverage: list[CoverageCell]
    stale: list[StaleAsset]


# --- API keys ------------------------------------------------------------------------


class KeyCreate(BaseModel):
    role: Literal["rep", "curator", "admin"]
    teams: TeamList = Field(default_factory=list, description="Team names (not reserved)")
    name: str = Field("", max_length=100)
    user: str | None = Field(
        None,
        max_length=64,
        description="A person the key acts for: it sees what they see (their teams, at most "
        "their role) and stops when they are deactivated; leave teams empty",
    )


class KeyPublic(BaseModel):
    id: int
    name: str
    prefix: str
    role: str
    teams: list[str]
    user: str | None = Field(None, description="The person the key acts for")
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


class IndexPart(BaseModel):
    name: str = Field(description="keyword, a vector index, or the stored vectors of a model")
    chunks: int
    missing: int
    extra: int
    first_ids: list[int] = Field(description="The first differing chunk ids (at most 20)")


class IndexCheck(BaseModel):
    """This replica's indexes against the database (``kms check`` for a running server)."""

    replica: str
    ok: bool
    expected: int = Field(description="Chunks the database says search should hold")
    parts: list[IndexPart]
