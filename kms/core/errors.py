"""One exception hierarchy for the whole product.

    KMSError                      base; carries code, message, detail
    ├── InputError                bad input from a user or a file (422)
    │   ├── ParseError            a file could not be parsed (names the file)
    │   ├── UnsupportedType       a file type we do not ingest
    │   ├── TooLarge              over a size limit (413)
    │   └── ConfigError           an invalid configuration file (names the line)
    ├── NotFound                  absent, or not visible to the caller (404)
    ├── Unauthorized              no or unknown API key (401)
    ├── Forbidden                 the role may not do this (403)
    ├── RateLimited               too many requests (429)
    └── IndexMismatch             database and an index disagree

The API maps each to one JSON shape: ``{"error": {"code", "message", "detail"}}``.
"""

from __future__ import annotations

from typing import Any


class KMSError(Exception):
    code = "error"
    status = 500

    def __init__(self, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class InputError(KMSError):
    code = "invalid_input"
    status = 422


class ParseError(InputError):
    code = "parse_error"


class UnsupportedType(InputError):
    code = "unsupported_type"
    status = 415


class TooLarge(InputError):
    code = "too_large"
    status = 413


class ConfigError(InputError):
    code = "config_error"


class NotFound(KMSError):
    code = "not_found"
    status = 404


class Unauthorized(KMSError):
    code = "unauthorized"
    status = 401


class Forbidden(KMSError):
    code = "forbidden"
    status = 403


class RateLimited(KMSError):
    code = "rate_limited"
    status = 429


class IndexMismatch(KMSError):
    code = "index_mismatch"
