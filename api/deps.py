"""Request dependencies as ``Annotated`` aliases: the services, the caller and its role.

Who is calling, in this order:

1. an API key (a machine) in ``X-API-Key``, or in ``Authorization: Bearer``;
2. a CRM widget token (a JWT) in ``Authorization: Bearer`` — good only on the routes that
   take ``WidgetCallerDep`` (what the widget calls), for its own opportunity;
3. a person's session cookie — and then a change (POST, PATCH, DELETE) must come from this
   origin and carry the session's CSRF token (:mod:`api.cookies`).

Then the per-caller rate limit (429). A missing or unknown credential is 401; roles are
checked by :func:`kms.core.visibility.require_role` (403).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.cookies import COOKIE, check_csrf, session_token
from api.ratelimit import RateLimiter
from kms.core.errors import Forbidden, Unauthorized
from kms.core.models import Role
from kms.core.visibility import Caller, require_role
from kms.services import keys, sessions, widget_tokens
from kms.services.app import Services

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key")
bearer = HTTPBearer(
    auto_error=False, description="An API key, or a CRM widget token (JWT) on widget routes"
)
session_cookie = APIKeyCookie(
    name=COOKIE, auto_error=False, description="A person's session (from /v1/auth/login)"
)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def _looks_like_jwt(value: str) -> bool:
    return value.count(".") == 2 and not value.startswith("kms_")


def get_any_caller(
    request: Request,
    services: ServicesDep,
    api_key: Annotated[str | None, Security(api_key_header)] = None,
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
    _cookie: Annotated[str | None, Security(session_cookie)] = None,
) -> Caller:
    """The caller, whatever the credential (a widget token included)."""
    credential = api_key or (token.credentials if token else None)
    cookie = session_token(request)
    if credential and not api_key and _looks_like_jwt(credential):
        caller = widget_tokens.verify(services, credential)
    elif credential:
        caller = keys.authenticate(services, credential)
    elif cookie:
        signed = sessions.resolve(services, cookie)
        if signed is None:
            raise Unauthorized("your sign-in has ended: sign in again")
        check_csrf(request, cookie)
        caller = signed.caller
    else:
        raise Unauthorized("sign in, or send an API key (X-API-Key or Authorization: Bearer)")
    limiter: RateLimiter = request.app.state.limiter
    limiter.check(caller.principal)
    request.state.key_id = caller.key_id
    request.state.user_id = caller.user_id
    return caller


WidgetCallerDep = Annotated[Caller, Depends(get_any_caller)]


def get_caller(caller: WidgetCallerDep) -> Caller:
    """The caller, when it is not a widget token (those serve the widget's routes only)."""
    if caller.opportunity is not None:
        raise Forbidden("a widget token serves the widget's own requests only")
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_curator(caller: CallerDep) -> Caller:
    return require_role(caller, Role.curator)


def get_admin(caller: CallerDep) -> Caller:
    return require_role(caller, Role.admin)


CuratorDep = Annotated[Caller, Depends(get_curator)]
AdminDep = Annotated[Caller, Depends(get_admin)]
