"""API keys: created once, stored hashed, compared in constant time.

A key reads ``kms_<prefix>_<secret>``. Keys are 32 random bytes, so a plain SHA-256
(not a slow password hash) is the right digest: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import select

from kms.core.errors import InputError, NotFound, Unauthorized
from kms.core.models import ApiKey, Role, Team
from kms.core.schemas import KeyPublic, KeysPublic
from kms.core.visibility import Caller, clean_teams
from kms.services.app import Services
from kms.services.audit import audit


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    services: Services,
    role: str,
    teams: list[str],
    name: str = "",
    actor: str = "cli",
    value: str | None = None,
) -> tuple[str, ApiKey]:
    """A new key; the plain text is returned once and never stored."""
    try:
        role_ = Role(role)
    except ValueError as exc:
        raise InputError(
            f"role must be one of rep, curator, admin, not '{role}'", {"field": "role"}
        ) from exc
    teams = clean_teams(teams)  # reserved and malformed names refused before anything is written
    prefix = secrets.token_hex(4)
    key = value or f"kms_{prefix}_{secrets.token_urlsafe(32)}"
    if value:
        prefix = _prefix_of(value) or prefix
    with services.db.session() as session:
        for team in teams:
            if session.get(Team, team) is None:
                session.add(Team(name=team))
        row = ApiKey(name=name, prefix=prefix, key_hash=_digest(key), role=role_, teams=teams)
        session.add(row)
        session.flush()
        audit(session, actor, "key.create", f"key:{row.id}", role=role_, teams=teams, name=name)
        session.commit()
        return key, row


def _prefix_of(key: str) -> str | None:
    parts = key.split("_", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "kms" else None


def authenticate(services: Services, key: str | None) -> Caller:
    """The caller a key belongs to; ``Unauthorized`` for a missing, unknown or revoked key."""
    if not key:
        raise Unauthorized("an API key is required (header X-API-Key or Authorization: Bearer)")
    prefix = _prefix_of(key)
    digest = _digest(key)
    with services.db.session() as session:
        query = select(ApiKey).where(ApiKey.revoked == False)  # noqa: E712
        if prefix:
            query = query.where(ApiKey.prefix == prefix)
        for row in session.exec(query).all():
            if hmac.compare_digest(row.key_hash, digest):
                teams = tuple(row.teams) if row.role != Role.admin else None
                return Caller(
                    name=row.name or f"key:{row.id}",
                    role=row.role,
                    teams=teams,
                    key_id=row.id,
                )
    raise Unauthorized("unknown or revoked API key")


def ensure_key(services: Services, value: str, role: str, teams: list[str], name: str) -> None:
    """Create a key with a fixed value unless it exists (development and demo only)."""
    try:
        authenticate(services, value)
    except Unauthorized:
        create_key(services, role, teams, name=name, actor="startup", value=value)


def revoke_key(services: Services, key_id: int, actor: str) -> bool:
    with services.db.session() as session:
        row = session.get(ApiKey, key_id)
        if row is None:
            return False
        row.revoked = True
        session.add(row)
        audit(session, actor, "key.revoke", f"key:{key_id}")
        session.commit()
        return True


def key_public(row: ApiKey) -> KeyPublic:
    return KeyPublic(
        id=row.id or 0,
        name=row.name,
        prefix=row.prefix,
        role=row.role.value,
        teams=list(row.teams),
        revoked=row.revoked,
        created_at=row.created_at,
    )


def list_keys(services: Services) -> KeysPublic:
    with services.db.session() as session:
        rows = session.exec(select(ApiKey).order_by(ApiKey.id)).all()  # type: ignore[arg-type]
        return KeysPublic(data=[key_public(r) for r in rows], count=len(rows))


def revoke(services: Services, key_id: int, caller: Caller) -> KeyPublic:
    """Revoke a key (404 when unknown); the audit log names who did it."""
    if not revoke_key(services, key_id, caller.actor):
        raise NotFound(f"no key {key_id}")
    with services.db.session() as session:
        row = session.get(ApiKey, key_id)
        assert row is not None
        return key_public(row)
