"""Request dependencies as ``Annotated`` aliases: the services, the caller and its role.

Authentication: an API key in ``X-API-Key`` or ``Authorization: Bearer``, checked by
:func:`kms.services.keys.authenticate` (401 when missing or unknown), then the per-key
rate limit (429). Roles are checked by :func:`kms.core.visibility.require_role` (403).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.ratelimit import RateLimiter
from kms.core.models import Role
from kms.core.visibility import Caller, require_role
from kms.services.app import Services
from kms.services.keys import authenticate

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key")
bearer = HTTPBearer(auto_error=False, description="The API key as a bearer token")


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_caller(
    request: Request,
    services: ServicesDep,
    api_key: Annotated[str | None, Security(api_key_header)] = None,
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> Caller:
    caller = authenticate(services, api_key or (token.credentials if token else None))
    limiter: RateLimiter = request.app.state.limiter
    limiter.check(caller.key_id if caller.key_id is not None else caller.name)
    request.state.key_id = caller.key_id
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_curator(caller: CallerDep) -> Caller:
    return require_role(caller, Role.curator)


def get_admin(caller: CallerDep) -> Caller:
    return require_role(caller, Role.admin)


CuratorDep = Annotated[Caller, Depends(get_curator)]
AdminDep = Annotated[Caller, Depends(get_admin)]
