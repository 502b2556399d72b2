"""The demo CRM's server, in demo mode only: it signs a widget token for the signed-in
person, as a real CRM's server would for its own signed-in user (``demo/crm.html``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CallerDep, ServicesDep
from kms.core.errors import Forbidden, NotFound
from kms.core.schemas import Opportunity
from kms.services import widget_tokens

router = APIRouter(prefix="/demo", include_in_schema=False)
Text = Annotated[str, Query(max_length=500)]


@router.get("/widget-token")
def widget_token(
    services: ServicesDep,
    caller: CallerDep,
    opportunity: Annotated[str, Query(min_length=1, max_length=200)],
    stage: Annotated[str, Query(min_length=1, max_length=200)],
    industry: Text = "",
    competitors: Text = "",
    products: Text = "",
    notes: Text = "",
) -> dict[str, str]:
    if not services.settings.demo:
        raise NotFound("Not Found")
    if caller.user_id is None:
        raise Forbidden("the demo CRM signs tokens for a signed-in person")
    opp = Opportunity(
        opportunity_id=opportunity,
        stage=stage,
        industry=industry or None,
        competitors=_split(competitors),
        products=_split(products),
        notes=notes,
    )
    teams = list(caller.teams or [])
    return {"token": widget_tokens.mint(services, caller.name, teams, opp)}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
