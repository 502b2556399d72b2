"""One error shape for every error: ``{"error": {"code", "message", "detail"}}``.

No stack trace, path or SQL ever reaches a response; unexpected errors are logged with
the request id and answered as a plain 500 (see :class:`api.middleware.RequestContext`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from kms.core.errors import (
    Forbidden,
    InputError,
    KMSError,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthorized,
    UnsupportedType,
)

log = logging.getLogger("kms.api")

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_type",
    429: "rate_limited",
}
# The HTTP status of each domain error; a class not listed takes its nearest listed base's.
STATUS: dict[type[KMSError], int] = {
    KMSError: 500,
    InputError: 422,
    TooLarge: 413,
    UnsupportedType: 415,
    NotFound: 404,
    Unauthorized: 401,
    Forbidden: 403,
    RateLimited: 429,
}
_DIRS = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\\/\s:'\"]+)+[\\/](?=[^\\/\s]+)")


class ErrorInfo(BaseModel):
    code: str
    message: str
    detail: Any = None


class ErrorBody(BaseModel):
    error: ErrorInfo


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the error statuses a route can answer."""
    return {s: {"model": ErrorBody, "description": HTTP_CODES.get(s, "error")} for s in statuses}


def status_of(exc: KMSError) -> int:
    return next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def scrub(value: Any) -> Any:
    """Keep file names, drop the server folders they live in (strings, lists, dicts)."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, str):
        return _DIRS.sub("", value)
    return value


def file_name(item: str) -> str:
    """A path as the file name alone (an error names the file, not where it lives)."""
    return scrub(item).replace("\\", "/").rsplit("/", 1)[-1]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(KMSError)
    async def kms_error(request: Request, exc: KMSError) -> JSONResponse:
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str((exc.detail or {}).get("retry_after", 60))
        if isinstance(exc, Unauthorized):
            headers["WWW-Authenticate"] = "Bearer"
        status = status_of(exc)
        if status >= 500:
            log.error("service error: %s", exc.message)
            body = error_body("internal", "internal error")
        else:
            body = error_body(exc.code, scrub(exc.message), scrub(exc.detail))
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        return JSONResponse(
            error_body("invalid_input", "the request is not valid", detail), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", "-")
        log.exception("unhandled error", extra={"request_id": request_id})
        return JSONResponse(
            error_body("internal", "internal error", {"request_id": request_id}), status_code=500
        )
