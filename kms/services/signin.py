"""Signing in with a password: lockout after repeated failures, an audit entry each time.

Failures are counted per sign-in name in the database (``LoginThrottle``), for names that
exist and names that do not alike, so the lockout reveals nothing and holds across every
API replica. ``KMS_LOGIN_MAX_FAILURES`` wrong passwords in a row (within the lockout
period) lock the name for ``KMS_LOGIN_LOCKOUT_MINUTES``; a right password resets the count.
Each write transaction starts with its write, so concurrent replicas on SQLite never need
to upgrade a read lock.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import case, update
from sqlmodel import Session, col, delete, select

from kms.core.errors import Locked, Unauthorized
from kms.core.models import LoginThrottle, User
from kms.core.models._types import utcnow
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.sessions import open_session
from kms.services.users import find_user, password_matches, rehash_if_needed

WRONG = "wrong name or password"


def sign_in(services: Services, name: str, password: str, client: str = "") -> tuple[User, str]:
    """The person and a new session token; ``Unauthorized`` or ``Locked`` otherwise."""
    key = name.strip().lower()[:200]
    with services.db.session() as session:
        throttle = session.get(LoginThrottle, key)
        user = find_user(session, key)
    now = utcnow()
    if throttle is not None and throttle.locked_until is not None and throttle.locked_until > now:
        _record(services, "auth.signin_locked", key, client)
        raise _locked(throttle.locked_until - now)
    if not password_matches(user, password):
        _failed(services, key, client)
        raise Unauthorized(WRONG)
    assert user is not None
    with services.db.session() as session:
        session.exec(delete(LoginThrottle).where(col(LoginThrottle.name) == key))
        user = session.get(User, user.id)
        assert user is not None
        rehash_if_needed(user, password)
        user.last_signin_at = now
        session.add(user)
        token = open_session(services, session, user, "password")
        audit(
            session,
            f"user:{user.id} {user.name}",
            "auth.signin",
            f"user:{user.id}",
            method="password",
            client=client,
        )
        session.commit()
        return user, token


def _failed(services: Services, key: str, client: str) -> None:
    settings = services.settings
    now = utcnow()
    lockout = timedelta(minutes=settings.login_lockout_minutes)
    with services.db.session() as session:
        failures = _count(session, key, now, now - lockout)
        locked = failures >= settings.login_max_failures
        if locked:
            session.exec(
                update(LoginThrottle)
                .where(col(LoginThrottle.name) == key)
                .values(failures=0, first_failure_at=None, locked_until=now + lockout)
            )
        audit(
            session,
            "anonymous",
            "auth.signin_failed",
            f"name:{key}",
            client=client,
            failures=failures,
        )
        if locked:
            audit(
                session,
                "system",
                "auth.locked",
                f"name:{key}",
                minutes=settings.login_lockout_minutes,
            )
        session.commit()


def _count(session: Session, key: str, now: datetime, window_start: datetime) -> int:
    """Add one failure for ``key`` (a new count when the last ones are older than the
    window), atomically, and return the count."""
    stale = col(LoginThrottle.first_failure_at) < window_start
    bump = (
        update(LoginThrottle)
        .where(col(LoginThrottle.name) == key)
        .values(
            failures=case((stale, 1), else_=col(LoginThrottle.failures) + 1),
            first_failure_at=case((stale, now), else_=col(LoginThrottle.first_failure_at)),
        )
        .returning(col(LoginThrottle.failures))
    )
    failures = session.execute(bump).scalar_one_or_none()
    if failures is None:
        session.add(LoginThrottle(name=key, failures=1, first_failure_at=now))
        session.flush()
        failures = 1
    return int(failures)


def _record(services: Services, action: str, key: str, client: str) -> None:
    with services.db.session() as session:
        audit(session, "anonymous", action, f"name:{key}", client=client)
        session.commit()


def _locked(left: timedelta) -> Locked:
    minutes = max(1, math.ceil(left.total_seconds() / 60))
    return Locked(
        f"too many wrong passwords: this name is locked for {minutes} more minute(s)",
        {"retry_after": math.ceil(left.total_seconds())},
    )


def unlock(services: Services, name: str, actor: str) -> bool:
    """Lift a lockout (an admin's ``kms users unlock``); whether there was one."""
    key = name.strip().lower()
    with services.db.session() as session:
        found = session.exec(select(LoginThrottle).where(LoginThrottle.name == key)).first()
        session.exec(delete(LoginThrottle).where(col(LoginThrottle.name) == key))
        audit(session, actor, "auth.unlock", f"name:{key}")
        session.commit()
        return found is not None
