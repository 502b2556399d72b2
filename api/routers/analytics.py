"""Analytics for the curator console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CuratorDep, ServicesDep
from api.errors import error_responses
from kms.core.schemas import AnalyticsPublic
from kms.services.analytics import analytics

router = APIRouter(prefix="/v1", tags=["analytics"], responses=error_responses(401, 403, 429))


@router.get("/analytics")
def analytics_route(
    services: ServicesDep,
    caller: CuratorDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> AnalyticsPublic:
    """Queries per day, zero-result rate, top queries and gaps, coverage, stale assets —
    counting only what the caller's teams may see."""
    return analytics(services, caller, days)
