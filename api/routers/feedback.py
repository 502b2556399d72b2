"""Feedback on a result of a query, and the results a query's asker opened."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import ServicesDep, WidgetCallerDep
from api.errors import error_responses
from api.routers.params import Id
from kms.core.schemas import FeedbackCreate, FeedbackPublic
from kms.services.feedback import give_feedback, record_opened

router = APIRouter(prefix="/v1", tags=["feedback"], responses=error_responses(401, 429))


@router.post("/feedback", status_code=201, responses=error_responses(404, 422))
def feedback(
    body: FeedbackCreate, services: ServicesDep, caller: WidgetCallerDep
) -> FeedbackPublic:
    """Helpful or not on one result of one of your queries; not helpful raises a gap."""
    return give_feedback(services, caller, body)


@router.post("/queries/{query_id}/opened", status_code=204)
def opened(query_id: Id, services: ServicesDep, caller: WidgetCallerDep) -> Response:
    """You opened a result of one of your queries (click-through in analytics). Always 204:
    a query that is not yours is not counted, and says nothing about whether it exists."""
    record_opened(services, caller, query_id)
    return Response(status_code=204)
