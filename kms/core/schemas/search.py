"""Public models of search, answers and CRM recommendations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from kms.core.schemas.bounded import Name, NameList


class SearchFilters(BaseModel):
    kind: NameList = Field(default_factory=list, description="Asset kinds to keep")
    product: Name | None = Field(None, description="Product key or name (any language)")
    industry: Name | None = Field(None, description="Industry key or name")
    competitor: Name | None = Field(None, description="Competitor key or name")
    language: Name | None = Field(None, description="zh, en or mixed")
    status: NameList = Field(
        default_factory=list, description="draft / approved (retired is never shown)"
    )


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, description="The question, in Chinese or English")
    stage: Name | None = Field(None, description="Stage key, name or any CRM alias")
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
    has_file: bool = Field(False, description="The source file can be downloaded")
    url: str = Field("", description="Where to open the source (set by the API)")


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
    owner: str | None = Field(None, description="Who keeps the asset current")
    review_by: date | None = Field(None, description="When it is due for review")
    approved_by: str | None = Field(None, description="Who approved it (None: not recorded)")
    approved_at: datetime | None = Field(None, description="When it was approved")
    stale: bool = Field(False, description="Past its review date (it ranks lower and says so)")
    also_in: int = Field(
        0, description="Other documents that hold a near-duplicate of this passage"
    )
    also_in_assets: list[int] = Field(
        default_factory=list, description="Their asset ids (at most 20)"
    )


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
    confidence: float | None = Field(
        None,
        description="Probability that the knowledge base answers the question (as on the "
        "answer card); below the low-confidence setting, no document answers it yet. "
        "First pages only.",
    )
    answered: bool | None = Field(
        None,
        description="Whether a document answers the question: the confidence reached the "
        "low-confidence setting (so a client need not know the threshold). False: show "
        "that no document answers it yet and offer to ask an expert. None on the later pages "
        "fetched unlogged, which carry no confidence.",
    )
    results: list[SearchHit]


class Passage(BaseModel):
    text: str
    snippet: str
    citation: Citation


class AnswerSentence(BaseModel):
    text: str = Field(description="One sentence of a top passage, as written")
    cite: int = Field(description="Its citation's number: 1 is the first of ``citations``")


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
    first_year: int | None = Field(None, description="Year of the earliest close date")
    last_year: int | None = Field(None, description="Year of the latest close date")
    shown: bool = Field(
        True,
        description="Worth showing: the question or opportunity gives a deal context and at "
        "least 5 deals match (otherwise the panel is hidden)",
    )


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
    answered: bool = Field(
        False, description="Confidence reached the threshold: the sentences answer the question"
    )
    sentences: list[AnswerSentence] = Field(
        default_factory=list, description="The extractive answer (empty when not answered)"
    )
    citations: list[Citation] = Field(default_factory=list)
    signals: dict[str, float] = Field(
        default_factory=dict, description="The confidence's signals (kms.services.answerability)"
    )
    passages: list[Passage]
    problems: list[ProblemEntry]
    winloss: WinLossSummary
    hints: StageHints | None
    results: list[SearchHit]
    gap_recorded: bool


class AnswerRequest(SearchRequest):
    competitor: Name | None = None
    industry: Name | None = None


class Opportunity(BaseModel):
    """An opportunity as a CRM sends it."""

    opportunity_id: str | None = Field(
        None,
        max_length=200,
        description="The CRM's id of the opportunity; a widget token answers for its own only",
    )
    stage: Name = Field(description="The stage name as the CRM calls it")
    industry: Name | None = None
    competitors: NameList = Field(
        default_factory=list, description="Competitors (repeats ignored; at most 20)"
    )
    products: NameList = Field(
        default_factory=list, description="Products (repeats ignored; at most 20)"
    )
    amount: float | None = None
    close_date: date | None = None
    notes: str = Field("", max_length=5000, description="Free-text notes or next step")
    limit: int = Field(5, ge=1, le=20)


class ReasonPart(BaseModel):
    """One part of why a recommendation matters, for a client to word in its language."""

    code: Literal[
        "kind_for_stage",
        "tagged_for_stage",
        "kind_useful_at",
        "won_deals",
        "pinned",
        "graph",
        "feedback",
        "matches",
        "stale",
        "relevant",
    ]
    kind: str | None = None
    stage: str | None = Field(None, description="Stage key")
    competitor: str | None = None
    industry: str | None = None


class Recommendation(BaseModel):
    asset_id: int
    title: str
    kind: str
    reason: str = Field(description="One line in English: why this asset matters at this stage")
    reason_parts: list[ReasonPart] = Field(
        description="The same reason as codes with values, to word in any language"
    )
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
