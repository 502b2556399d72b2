"""The session cookie and the checks on requests that a cookie authenticates.

The cookie is HttpOnly (no script reads it), ``SameSite=Strict`` (a browser sends it only
on requests a KMS page makes — never from another site, not even a link's first load,
which is fine: the pages are static and ask ``/v1`` themselves) and Secure over HTTPS.
A request that changes something with a cookie must come from KMS's own origin (the
browser's ``Origin`` header) and carry the session's CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

from fastapi import Request, Response

from kms.core.errors import CsrfRejected
from kms.services.sessions import csrf_matches

COOKIE = "kms_session"
SECURE_COOKIE = "__Host-kms_session"  # the prefix pins it to this host, path / and HTTPS
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.secure_cookies


def session_token(request: Request) -> str | None:
    return request.cookies.get(SECURE_COOKIE) or request.cookies.get(COOKIE)


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    secure = _secure(request)
    response.set_cookie(
        SECURE_COOKIE if secure else COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    for name in (COOKIE, SECURE_COOKIE):
        if name in request.cookies:
            secure = name == SECURE_COOKIE
            response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="strict")


def own_origin(request: Request) -> str:
    public = request.app.state.public_url
    return public or f"{request.url.scheme}://{request.url.netloc}"


def check_origin(request: Request) -> None:
    """Refuse a change whose page is on another site (``Origin``; ``Sec-Fetch-Site``)."""
    origin = request.headers.get("origin")
    site = request.headers.get("sec-fetch-site")
    if (origin is not None and origin != own_origin(request)) or site in (
        "cross-site",
        "same-site",
    ):
        raise CsrfRejected("this request came from another site", {"origin": origin})


def check_csrf(request: Request, token: str) -> None:
    """A cookie-authenticated change: same origin, and the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    check_origin(request)
    if not csrf_matches(token, request.headers.get(CSRF_HEADER)):
        raise CsrfRejected(f"a signed-in change needs the {CSRF_HEADER} header of its session")
