"""API keys, for machines: created once, stored hashed, compared in constant time.

A key reads ``kms_<prefix>_<secret>``. Keys are 32 random bytes, so a plain SHA-256
(not a slow password hash) is the right digest: there is nothing to brute-force.

An admin makes a key for a team (its own role and teams) or for a person (``user``): such
a key sees what the person sees — their teams, at most their role — and stops working
when they are deactivated. The development key (``KMS_DEV_ADMIN_KEY``) is marked as such
and revoked at the next start that does not set it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import select

from kms.core.db import serialize
from kms.core.errors import InputError, NotFound, Unauthorized
from kms.core.models import ApiKey, Role, User
from kms.core.schemas import KeyPublic, KeysPublic
from kms.core.visibility import ROLE_RANK, Caller, clean_teams
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.users import ensure_teams, find_user


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    services: Services,
    role: str,
    teams: list[str],
    name: str = "",
    actor: str = "cli",
    value: str | None = None,
    user: str | None = None,
    dev: bool = False,
) -> tuple[str, ApiKey]:
    """A new key, for ``teams`` or for the person named ``user``; the plain text is
    returned once and never stored."""
    try:
        role_ = Role(role)
    except ValueError as exc:
        raise InputError(
            f"role must be one of rep, curator, admin, not '{role}'", {"field": "role"}
        ) from exc
    if user and teams:
        raise InputError("a key for a person takes their teams: leave teams empty")
    teams = clean_teams(teams)  # reserved and malformed names refused before anything is written
    prefix = secrets.token_hex(4)
    key = value or f"kms_{prefix}_{secrets.token_urlsafe(32)}"
    if value:
        prefix = _prefix_of(value) or prefix
    with services.db.session() as session:
        owner = find_user(session, user) if user else None
        if user and owner is None:
            raise InputError(f"no user '{user[:64]}'", {"field": "user"})
        ensure_teams(session, teams)
        row = ApiKey(
            name=name,
            prefix=prefix,
            key_hash=_digest(key),
            role=role_,
            teams=teams,
            user_id=owner.id if owner else None,
            dev=dev,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            actor,
            "key.create",
            f"key:{row.id}",
            role=role_,
            teams=teams,
            name=name,
            user=owner.name if owner else None,
        )
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
                owner = session.get(User, row.user_id) if row.user_id is not None else None
                if row.user_id is not None and (owner is None or not owner.active):
                    break
                return _caller(row, owner)
    raise Unauthorized("unknown or revoked API key")


def _caller(row: ApiKey, owner: User | None) -> Caller:
    """A team key: its role and teams. A person's key: at most their role, their teams."""
    name = row.name or f"key:{row.id}"
    if owner is None:
        teams = tuple(row.teams) if row.role != Role.admin else None
        return Caller(name=name, role=row.role, teams=teams, key_id=row.id)
    role = min(row.role, owner.role, key=lambda r: ROLE_RANK[r])
    teams = None if role == Role.admin else tuple(owner.teams)
    return Caller(name=name, role=role, teams=teams, key_id=row.id, user_id=owner.id)


def ensure_dev_key(services: Services, value: str | None) -> None:
    """The development admin key: created when set and missing; every other development
    key (an earlier start's) is revoked, so a key stops working once it is unset. Replicas
    starting together take turns (one transaction under a cluster-wide lock), so the key is
    created once."""
    digest = _digest(value) if value else None
    with services.db.write_session() as session:
        serialize(session, "dev-key")
        stale = session.exec(
            select(ApiKey).where(ApiKey.dev == True, ApiKey.revoked == False)  # noqa: E712
        ).all()
        present = False
        for row in stale:
            if digest is not None and hmac.compare_digest(row.key_hash, digest):
                present = True
                continue
            row.revoked = True
            session.add(row)
            audit(session, "startup", "key.revoke", f"key:{row.id}", reason="dev key unset")
        if value and digest and not present:
            prefix = _prefix_of(value) or secrets.token_hex(4)
            key = ApiKey(
                name="development admin", prefix=prefix, key_hash=digest, role=Role.admin, dev=True
            )
            session.add(key)
            session.flush()
            audit(session, "startup", "key.create", f"key:{key.id}", role=Role.admin, dev=True)
        session.commit()


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


def key_public(row: ApiKey, user: str | None = None) -> KeyPublic:
    return KeyPublic(
        id=row.id or 0,
        name=row.name,
        prefix=row.prefix,
        role=row.role.value,
        teams=list(row.teams),
        user=user,
        revoked=row.revoked,
        created_at=row.created_at,
    )


def list_keys(services: Services) -> KeysPublic:
    with services.db.session() as session:
        rows = session.exec(select(ApiKey).order_by(ApiKey.id)).all()  # type: ignore[arg-type]
        names = {u.id: u.name for u in session.exec(select(User)).all()}
        data = [key_public(r, names.get(r.user_id) if r.user_id else None) for r in rows]
        return KeysPublic(data=data, count=len(rows))


def revoke(services: Services, key_id: int, caller: Caller) -> KeyPublic:
    """Revoke a key (404 when unknown); the audit log names who did it."""
    if not revoke_key(services, key_id, caller.actor):
        raise NotFound(f"no key {key_id}")
    with services.db.session() as session:
        row = session.get(ApiKey, key_id)
        assert row is not None
        return key_public(row)
