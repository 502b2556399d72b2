"""The knowledge graph: problems and their solutions, proof and deals; entities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CallerDep, ServicesDep, WidgetCallerDep
from api.errors import error_responses
from api.routers.params import Id, Limit, Offset, Text
from api.urls import link_citations
from kms.core.models import EntityType
from kms.core.schemas import EntitiesPublic, ProblemDetail, ProblemsPublic
from kms.services import graphviews

router = APIRouter(prefix="/v1/graph", tags=["graph"], responses=error_responses(401, 429))


@router.get("/problems")
def problems(
    services: ServicesDep,
    caller: CallerDep,
    q: Text = None,
    stage: Text = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> ProblemsPublic:
    """Problems of the problem → solution map, found by name or alias in either language."""
    return graphviews.search_problems(services, caller, q, stage, offset, limit)


@router.get("/problems/{problem_id}", responses=error_responses(404))
def problem(problem_id: Id, services: ServicesDep, caller: CallerDep) -> ProblemDetail:
    """One problem with its solutions, products, proof assets and the deals it came up in."""
    return link_citations(graphviews.get_problem(services, caller, problem_id))


@router.get("/entities")
def entities(
    services: ServicesDep,
    caller: WidgetCallerDep,
    type: Annotated[EntityType | None, Query()] = None,
    q: Text = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> EntitiesPublic:
    """Products, competitors, industries, personas, problems and solutions."""
    return graphviews.list_entities(
        services, caller, type.value if type else None, q, offset, limit
    )
