"""Signing in and out: a password, or single sign-on (OpenID Connect); the session itself.

A sign-in sets the session cookie (:mod:`api.cookies`) and answers the CSRF token the page
sends with every change. Single sign-on is two redirects: ``/v1/auth/oidc/login`` sends
the browser to the provider, which sends it back to ``/v1/auth/oidc/callback``.
"""

from __future__ import annotations

import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api.cookies import (
    check_csrf,
    check_origin,
    clear_session_cookie,
    own_origin,
    session_token,
    set_session_cookie,
)
from api.deps import ServicesDep
from api.errors import error_responses
from api.oidc import OIDCClient
from kms.core.errors import NotFound, Unauthorized
from kms.core.schemas import AuthConfig, SessionPublic, SignIn
from kms.services import sessions, signin, sso
from kms.services.app import Services

log = logging.getLogger("kms.api")
router = APIRouter(prefix="/v1/auth", tags=["sign-in"])
CALLBACK = "/v1/auth/oidc/callback"
# the browser that started a sign-on must be the one that finishes it (no login CSRF): it
# holds the flow's state in a short-lived cookie, sent back on the provider's redirect (Lax:
# that redirect is a top-level navigation from the provider's site)
FLOW_COOKIE = "kms_sso_flow"
NextPath = Annotated[str, Query(max_length=500, description="A page of this site to return to")]


def safe_next(path: str) -> str:
    """A local path to go to after signing in (never another site)."""
    ok = path.startswith("/") and not path.startswith(("//", "/\\")) and "\n" not in path
    return path if ok else "/"


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _public(services: Services, token: str) -> SessionPublic:
    signed = sessions.resolve(services, token)
    if signed is None:
        raise Unauthorized("not signed in")
    user = signed.user
    return SessionPublic(
        name=user.name,
        display_name=user.display_name or user.name,
        role=user.role.value,
        teams=list(signed.caller.teams) if signed.caller.teams is not None else None,
        method=signed.method,
        csrf=sessions.csrf_token(token),
        expires_at=signed.expires_at,
    )


def _signed_in(request: Request, response: Response, services: Services, token: str) -> None:
    max_age = int(services.settings.session_hours * 3600)
    set_session_cookie(request, response, token, max_age)


@router.get("/config")
def config(services: ServicesDep) -> AuthConfig:
    """How people sign in here (no credentials needed)."""
    return AuthConfig(sso=services.settings.oidc_enabled, demo=services.settings.demo)


@router.post("/login", responses=error_responses(401, 403, 422, 429))
def login(body: SignIn, request: Request, services: ServicesDep) -> JSONResponse:
    """Sign in with a name and password: sets the session cookie. Repeated wrong passwords
    lock the name for a while (429)."""
    check_origin(request)
    _, token = signin.sign_in(services, body.name, body.password, client=_client(request))
    response = JSONResponse(_public(services, token).model_dump(mode="json"))
    _signed_in(request, response, services, token)
    return response


@router.get("/session", responses=error_responses(401))
def session(request: Request, services: ServicesDep) -> SessionPublic:
    """The signed-in person and the session's CSRF token (401 when not signed in)."""
    token = session_token(request)
    if not token:
        raise Unauthorized("not signed in")
    return _public(services, token)


@router.post("/logout", status_code=204, responses=error_responses(403))
def logout(request: Request, services: ServicesDep) -> Response:
    """Sign out: the session ends on every server, and the cookie is cleared."""
    response = Response(status_code=204)
    token = session_token(request)
    if token:
        check_csrf(request, token)
        signed = sessions.resolve(services, token)
        actor = signed.caller.actor if signed else "anonymous"
        sessions.close(services, token, actor)
    clear_session_cookie(request, response)
    return response


def _oidc(request: Request, services: Services) -> OIDCClient:
    if not services.settings.oidc_enabled:
        raise NotFound("single sign-on is not set up here")
    client: OIDCClient | None = getattr(request.app.state, "oidc", None)
    if client is None:
        client = request.app.state.oidc = OIDCClient(services.settings)
    return client


@router.get("/oidc/login", status_code=302, responses=error_responses(404))
def oidc_login(request: Request, services: ServicesDep, next: NextPath = "/") -> Response:
    """Start single sign-on: a redirect to the provider (authorization code + PKCE)."""
    client = _oidc(request, services)
    redirect_uri = own_origin(request) + CALLBACK
    started = client.authorization(redirect_uri)
    flow = sso.Flow(started["code_verifier"], started["nonce"], redirect_uri, safe_next(next))
    sso.start_flow(services, started["state"], flow)
    response = RedirectResponse(started["url"], status_code=302)
    response.set_cookie(
        FLOW_COOKIE,
        started["state"],
        max_age=sso.FLOW_MINUTES * 60,
        path="/v1/auth/oidc/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/oidc/callback", status_code=302, responses=error_responses(404))
def oidc_callback(
    request: Request,
    services: ServicesDep,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The provider's return: exchange the code, sign the person in, go where they were."""
    client = _oidc(request, services)
    mine = hmac.compare_digest(request.cookies.get(FLOW_COOKIE, "").encode(), state.encode())
    flow = sso.take_flow(services, state) if mine else None
    if flow is None or error or not code:
        return _forget_flow(RedirectResponse("/signin?error=sso", status_code=302))
    try:
        claims = client.claims(code, flow.redirect_uri, flow.code_verifier, flow.nonce)
        token = sso.sign_in(services, client.issuer, claims, client=_client(request))
    except Unauthorized:
        return _forget_flow(RedirectResponse("/signin?error=inactive", status_code=302))
    except Exception:  # the provider said no, or answered something we cannot trust
        log.exception("single sign-on failed")
        return _forget_flow(RedirectResponse("/signin?error=sso", status_code=302))
    response = _forget_flow(RedirectResponse(flow.next_path, status_code=302))
    _signed_in(request, response, services, token)
    return response


def _forget_flow(response: Response) -> Response:
    response.delete_cookie(FLOW_COOKIE, path="/v1/auth/oidc/", httponly=True, samesite="lax")
    return response
