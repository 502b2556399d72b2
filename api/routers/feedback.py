"""Feedback on a result of a query."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep, WidgetCallerDep
from api.errors import error_responses
from kms.core.schemas import FeedbackCreate, FeedbackPublic
from kms.services.feedback import give_feedback

router = APIRouter(prefix="/v1", tags=["feedback"], responses=error_responses(401, 429))


@router.post("/feedback", status_code=201, responses=error_responses(404, 422))
def feedback(
    body: FeedbackCreate, services: ServicesDep, caller: WidgetCallerDep
) -> FeedbackPublic:
    """Helpful or not on one result of one of your queries; not helpful raises a gap."""
    return give_feedback(services, caller, body)
