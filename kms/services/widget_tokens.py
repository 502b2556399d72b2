"""CRM widget tokens: the CRM's server signs one opportunity for its signed-in user.

The way Salesforce Canvas signs its requests: the CRM and KMS share a secret
(``KMS_WIDGET_SECRET``); for each page the CRM's server signs a short-lived JWT (HS256,
PyJWT) naming the audience, the user, their teams and the opportunity::

    {"aud": "kms-widget", "sub": "li.wei", "teams": ["enterprise-east"],
     "opp": {"id": "006A0000", "stage": "Needs Analysis", "industry": "Manufacturing",
             "competitors": ["Northwind"], "products": ["LumaFlow"], "notes": "..."},
     "iat": 1767000000, "exp": 1767000300}

KMS accepts it as that user with a rep's rights, seeing at most the teams both the token
and the user's account name (a CRM can narrow a person's view, never widen it), and only
for that opportunity: ``/v1/recommend`` answers the signed context, whatever the request
says. An expired, tampered, over-long or unknown-user token is refused.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from pydantic import ValidationError

from kms.core.errors import BadToken, Forbidden, TokenExpired
from kms.core.models import Role
from kms.core.schemas import Opportunity
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.users import find_user

ALGORITHM = "HS256"
ISSUED_AHEAD_S = 60  # clocks differ: a token may say it was issued up to a minute from now
OPPORTUNITY_FIELDS = ("stage", "industry", "competitors", "products", "amount", "notes")


def mint(
    services: Services,
    user: str,
    teams: list[str],
    opportunity: Opportunity,
    minutes: float | None = None,
    now: float | None = None,
) -> str:
    """Sign a widget token (what a CRM's server does; here for the demo CRM and tests)."""
    issued = int(now if now is not None else time.time())
    lifetime = minutes if minutes is not None else services.settings.widget_token_max_minutes
    opp: dict[str, Any] = {"id": opportunity.opportunity_id or ""}
    opp |= opportunity.model_dump(include=set(OPPORTUNITY_FIELDS), exclude_none=True)
    claims = {
        "aud": services.settings.widget_audience,
        "sub": user,
        "teams": sorted(teams),
        "opp": opp,
        "iat": issued,
        "exp": issued + int(lifetime * 60),
    }
    return jwt.encode(claims, _secret(services), algorithm=ALGORITHM)


def verify(services: Services, token: str) -> Caller:
    """The caller a widget token stands for; ``TokenExpired`` or ``BadToken`` otherwise."""
    settings = services.settings
    try:
        claims = jwt.decode(
            token,
            _secret(services),
            algorithms=[ALGORITHM],
            audience=settings.widget_audience,
            options={"require": ["aud", "exp", "iat", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired("the widget token has expired; the CRM page needs a new one") from exc
    except jwt.InvalidTokenError as exc:
        raise BadToken("the widget token is not valid") from exc
    if claims["exp"] - claims["iat"] > settings.widget_token_max_minutes * 60:
        raise BadToken(
            f"the widget token lives longer than {settings.widget_token_max_minutes} minutes"
        )
    if claims["iat"] > time.time() + ISSUED_AHEAD_S:
        raise BadToken("the widget token is issued in the future")
    opportunity = _opportunity(claims.get("opp"))
    teams = claims.get("teams", [])
    if not isinstance(teams, list) or not all(isinstance(t, str) for t in teams):
        raise BadToken("the widget token's teams are not a list of names")
    with services.db.session() as session:
        user = find_user(session, str(claims["sub"]))
    if user is None or not user.active:
        raise BadToken("the widget token names no active user")
    # an admin sees every team: the token's; anyone else: the teams both name
    allowed = set(teams) if user.role == Role.admin else set(teams) & set(user.teams)
    return Caller(
        name=user.name,
        role=Role.rep,
        teams=tuple(sorted(allowed)),
        user_id=user.id,
        opportunity=opportunity,
    )


def _opportunity(value: object) -> Opportunity:
    if not isinstance(value, dict) or not value.get("id"):
        raise BadToken("the widget token names no opportunity (opp.id)")
    fields = {k: value[k] for k in OPPORTUNITY_FIELDS if k in value}
    try:
        return Opportunity(opportunity_id=str(value["id"]), **fields)
    except ValidationError as exc:
        raise BadToken("the widget token's opportunity is not valid") from exc


def bound_opportunity(caller: Caller, requested: Opportunity) -> Opportunity:
    """The opportunity a request may ask about: with a widget token, the signed one only."""
    signed = caller.opportunity
    if signed is None:
        return requested
    if requested.opportunity_id not in (None, signed.opportunity_id):
        raise Forbidden(
            "this widget token is for another opportunity",
            {"opportunity_id": requested.opportunity_id},
        )
    return signed.model_copy(update={"limit": requested.limit})


def _secret(services: Services) -> str:
    secret = services.widget_secret
    if not secret:
        raise BadToken("widget tokens are not set up here (KMS_WIDGET_SECRET)")
    return secret
