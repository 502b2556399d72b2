"""Search, answers, CRM recommendations and the stages of the sales process."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep, WidgetCallerDep
from api.errors import error_responses
from api.urls import link_citations
from kms.core.schemas import (
    AnswerRequest,
    AnswerResponse,
    ExpertAsked,
    ExpertRequest,
    Opportunity,
    RecommendResponse,
    SearchRequest,
    SearchResponse,
    StageHints,
)
from kms.services.answer import answer, stage_hints
from kms.services.expert import ask_expert
from kms.services.recommend import recommend
from kms.services.search import resolve_stage
from kms.services.search_page import search

router = APIRouter(prefix="/v1", tags=["search"], responses=error_responses(401, 422, 429))


@router.post("/search")
def search_route(
    body: SearchRequest, services: ServicesDep, caller: WidgetCallerDep
) -> SearchResponse:
    """Ranked results with highlighted snippets, each with the `why` that placed it."""
    with services.search_gate:
        return link_citations(search(services, body, caller))


@router.post("/answer")
def answer_route(
    body: AnswerRequest, services: ServicesDep, caller: WidgetCallerDep
) -> AnswerResponse:
    """The stage-aware answer: passages with citations, problem map, win/loss, stage hints."""
    with services.search_gate:
        return link_citations(answer(services, body, caller))


@router.post("/expert", status_code=201)
def expert_route(
    body: ExpertRequest, services: ServicesDep, caller: WidgetCallerDep
) -> ExpertAsked:
    """Ask an expert: the question (with its stage, filters and an optional note) goes to
    the curators' gaps board; asking again counts it again."""
    return ask_expert(services, caller, body)


@router.post("/recommend")
def recommend_route(
    body: Opportunity, services: ServicesDep, caller: WidgetCallerDep
) -> RecommendResponse:
    """For a CRM opportunity: the few assets that matter at its stage, and why. With a widget
    token, the opportunity its CRM signed (another `opportunity_id` is 403)."""
    with services.search_gate:
        return link_citations(recommend(services, caller, body))


@router.get("/stages")
def stages_route(services: ServicesDep, caller: WidgetCallerDep) -> list[StageHints]:
    """The stages of the sales process, in order, with their playbook hints."""
    hints = [
        stage_hints(services, resolve_stage(services, "", s.key)) for s in services.process.stages
    ]
    return [h for h in hints if h is not None]
