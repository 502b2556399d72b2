"""One exception hierarchy for the whole product.

    KMSError                      base; carries code, message, detail
    ├── InputError                bad input from a user or a file
    │   ├── ParseError            a file could not be parsed (names the file)
    │   ├── UnsupportedType       a file type we do not ingest
    │   ├── TooLarge              over a size limit
    │   └── ConfigError           an invalid configuration file (names the line)
    ├── NotFound                  absent, or not visible to the caller
    ├── Unauthorized              no or unknown credentials
    │   ├── BadToken              a widget token that is forged, tampered or malformed
    │   └── TokenExpired          a widget token past its expiry
    ├── Forbidden                 the role may not do this
    │   └── CsrfRejected          a signed-in request without its CSRF token, or cross-site
    ├── RateLimited               too many requests
    │   └── Locked                a sign-in name locked after repeated wrong passwords
    ├── IndexMismatch             database and an index disagree
    └── InstallationError         a file the installation should contain is missing

They know nothing of HTTP: the API maps each class to a status code and one JSON shape,
``{"error": {"code", "message", "detail"}}`` (:mod:`api.errors`).
"""

from __future__ import annotations

from typing import Any


class KMSError(Exception):
    code = "error"

    def __init__(self, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its detail (errors cross process boundaries: parse children, jobs)."""
        return (type(self), (self.message, self.detail))


class InputError(KMSError):
    code = "invalid_input"


class ParseError(InputError):
    code = "parse_error"


class UnsupportedType(InputError):
    code = "unsupported_type"


class TooLarge(InputError):
    code = "too_large"


class ConfigError(InputError):
    code = "config_error"


class NotFound(KMSError):
    code = "not_found"


class Unauthorized(KMSError):
    code = "unauthorized"


class BadToken(Unauthorized):
    code = "bad_token"


class TokenExpired(Unauthorized):
    code = "token_expired"


class Forbidden(KMSError):
    code = "forbidden"


class CsrfRejected(Forbidden):
    code = "csrf"


class RateLimited(KMSError):
    code = "rate_limited"


class Locked(RateLimited):
    code = "locked"


class IndexMismatch(KMSError):
    code = "index_mismatch"


class InstallationError(KMSError):
    code = "installation"
