"""Server-side sessions: a random token in the person's cookie, its SHA-256 in the database.

Nothing about a session lives in a process, so every API replica on the same database
knows it, and signing out (or deactivating the person) ends it everywhere at once. The
CSRF token is derived from the session token (HMAC), so it needs no storage either: only
the holder of the cookie can know it, and a page reads it from ``GET /v1/auth/session``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlmodel import Session, col, delete, select

from kms.core.models import User, WebSession
from kms.core.models._types import utcnow
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.users import caller_for

TOKEN_BYTES = 32


class SignedIn(NamedTuple):
    caller: Caller
    user: User
    method: str
    expires_at: datetime


def token_digest(token: str) -> str:
    """What is stored of a random token (a session's, a sign-on's state): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(token: str) -> str:
    """The CSRF token that belongs to a session token."""
    return hmac.new(token.encode(), b"kms-csrf", hashlib.sha256).hexdigest()


def csrf_matches(token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(token), given or "")


def open_session(services: Services, session: Session, user: User, method: str) -> str:
    """Add a session for ``user`` to ``session`` (committed by the caller); the token."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    session.add(
        WebSession(
            token_hash=token_digest(token),
            user_id=user.id or 0,
            method=method,
            created_at=now,
            expires_at=now + timedelta(hours=services.settings.session_hours),
        )
    )
    # a sign-in is a good moment to forget sessions that ran out
    session.exec(delete(WebSession).where(col(WebSession.expires_at) < now))
    return token


def resolve(services: Services, token: str | None) -> SignedIn | None:
    """The person a session token belongs to; None when unknown, expired or deactivated."""
    if not token or len(token) > 200:
        return None
    with services.db.session() as session:
        row = session.exec(
            select(WebSession, User)
            .join(User, col(User.id) == WebSession.user_id)
            .where(WebSession.token_hash == token_digest(token))
        ).first()
    if row is None:
        return None
    web, user = row
    if not user.active or _aware(web.expires_at) <= utcnow():
        return None
    return SignedIn(caller_for(user), user, web.method, _aware(web.expires_at))


def close(services: Services, token: str, actor: str) -> None:
    """Sign out: the session stops working on every replica."""
    with services.db.session() as session:
        session.exec(delete(WebSession).where(col(WebSession.token_hash) == token_digest(token)))
        audit(session, actor, "auth.signout", actor.split(" ", 1)[0])
        session.commit()


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
