"""People (admins): list, add, change role / teams / password, deactivate."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminDep, ServicesDep
from api.errors import error_responses
from api.routers.params import Id
from kms.core.schemas import UserCreate, UserPublic, UsersPublic, UserUpdate
from kms.services import users

router = APIRouter(prefix="/v1/users", tags=["users"], responses=error_responses(401, 403, 429))


@router.get("")
def list_users(services: ServicesDep, caller: AdminDep) -> UsersPublic:
    return users.list_users(services)


@router.post("", status_code=201, responses=error_responses(422))
def add_user(body: UserCreate, services: ServicesDep, caller: AdminDep) -> UserPublic:
    """Add a person who signs in with a password (or, without one, by single sign-on)."""
    return users.add_user(services, body, actor=caller.actor)


@router.patch("/{user_id}", responses=error_responses(404, 422))
def update_user(
    user_id: Id, body: UserUpdate, services: ServicesDep, caller: AdminDep
) -> UserPublic:
    """Change a person; `active: false` or a new password signs them out everywhere."""
    return users.update_user(services, user_id, body, actor=caller.actor)
