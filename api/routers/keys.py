"""API keys (admins) and who the current key is."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminDep, ServicesDep, WidgetCallerDep
from api.errors import error_responses
from api.routers.params import Id, Limit, Offset, Text
from kms.core.schemas import (
    AnsweredQuestion,
    AuditPublic,
    CallerPublic,
    KeyCreate,
    KeyCreated,
    KeyPublic,
    KeysPublic,
)
from kms.services import keys
from kms.services.answered import answered_for
from kms.services.audit import list_audit

router = APIRouter(prefix="/v1", tags=["keys"], responses=error_responses(401, 429))


@router.get("/me")
def me(caller: WidgetCallerDep) -> CallerPublic:
    """The role and teams of whoever makes the request (key, person or widget token)."""
    return CallerPublic(
        name=caller.name,
        role=caller.role,
        teams=list(caller.teams) if caller.teams is not None else None,
    )


@router.get("/me/answered")
def my_answered_questions(services: ServicesDep, caller: WidgetCallerDep) -> list[AnsweredQuestion]:
    """Your questions that curators have since answered (their gap closed with an asset)."""
    return answered_for(services, caller)


@router.get("/keys", responses=error_responses(403))
def list_keys(services: ServicesDep, caller: AdminDep) -> KeysPublic:
    return keys.list_keys(services)


@router.post("/keys", status_code=201, responses=error_responses(403, 422))
def create_key(body: KeyCreate, services: ServicesDep, caller: AdminDep) -> KeyCreated:
    """Create a key; the response holds the key itself, shown this once."""
    value, row = keys.create_key(
        services, body.role, body.teams, body.name, actor=caller.actor, user=body.user
    )
    return KeyCreated(**keys.key_public(row, body.user).model_dump(), key=value)


@router.delete("/keys/{key_id}", responses=error_responses(403, 404))
def revoke_key(key_id: Id, services: ServicesDep, caller: AdminDep) -> KeyPublic:
    """Revoke a key; it stops working at once."""
    return keys.revoke(services, key_id, caller)


@router.get("/audit", responses=error_responses(403))
def audit_log(
    services: ServicesDep,
    caller: AdminDep,
    action: Text = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> AuditPublic:
    """Every curator and admin change, newest first."""
    return list_audit(services, action, offset, limit)
