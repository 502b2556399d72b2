"""Single sign-on (OpenID Connect): the flows in flight, and claims → a person.

The protocol itself (discovery, PKCE, the code exchange, checking the ID token) is done by
Authlib in ``api/oidc.py``; this module holds what KMS decides. A flow in flight is a row
keyed by the hash of its ``state``, used once and only within ten minutes, so the callback
may land on any replica. A person is found by issuer + subject, never by name (a name
chosen at the provider must not take over a local account); their role and teams come
from the claims named by ``KMS_OIDC_ROLE_CLAIM`` and ``KMS_OIDC_TEAMS_CLAIM`` at every
sign-in, so the provider stays the source of truth.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, NamedTuple

from sqlmodel import col, delete, select

from kms.core.errors import Unauthorized
from kms.core.models import LoginFlow, Role, User
from kms.core.models._types import utcnow
from kms.core.teams import team_name_error
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.sessions import open_session, token_digest
from kms.services.users import ensure_teams

FLOW_MINUTES = 10
_NAME_CHARS = re.compile(r"[^a-z0-9._@-]+")


class Flow(NamedTuple):
    code_verifier: str
    nonce: str
    redirect_uri: str
    next_path: str


def start_flow(services: Services, state: str, flow: Flow) -> None:
    now = utcnow()
    with services.db.session() as session:
        session.exec(delete(LoginFlow).where(col(LoginFlow.expires_at) < now))
        session.add(
            LoginFlow(
                state_hash=token_digest(state),
                expires_at=now + timedelta(minutes=FLOW_MINUTES),
                **flow._asdict(),
            )
        )
        session.commit()


def take_flow(services: Services, state: str) -> Flow | None:
    """The flow ``state`` belongs to, removed as it is read (a replay finds nothing)."""
    if not state or len(state) > 200:
        return None
    taken = (
        delete(LoginFlow)
        .where(col(LoginFlow.state_hash) == token_digest(state))
        .returning(
            col(LoginFlow.code_verifier),
            col(LoginFlow.nonce),
            col(LoginFlow.redirect_uri),
            col(LoginFlow.next_path),
            col(LoginFlow.expires_at),
        )
    )
    with services.db.session() as session:
        row = session.execute(taken).first()
        session.commit()
    if row is None or row[4] <= utcnow():
        return None
    return Flow(*row[:4])


def role_and_teams(services: Services, claims: dict[str, Any]) -> tuple[Role, list[str]]:
    settings = services.settings
    value = claims.get(settings.oidc_role_claim)
    role = Role(str(value)) if value in Role.__members__ else Role(settings.oidc_default_role)
    raw = claims.get(settings.oidc_teams_claim) or []
    items = raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list) else []
    names = {t.strip() for t in items if isinstance(t, str)}
    teams = sorted(t for t in names if team_name_error(t) is None)  # reserved names too
    return role, teams


def sign_in(services: Services, issuer: str, claims: dict[str, Any], client: str = "") -> str:
    """The person the provider vouches for (created at their first sign-in) signed in:
    the new session's token."""
    subject = f"{issuer} {claims['sub']}"
    role, teams = role_and_teams(services, claims)
    with services.db.session() as session:
        user = session.exec(select(User).where(User.oidc_subject == subject)).first()
        if user is None:
            user = User(name=_free_name(session, claims), role=role, oidc_subject=subject)
        elif not user.active:
            raise Unauthorized("this account is deactivated; ask an admin")
        user.role, user.teams = role, teams
        user.display_name = str(claims.get("name") or user.display_name or "")[:100]
        user.email = claims.get("email") or user.email
        user.last_signin_at = utcnow()
        ensure_teams(session, teams)
        session.add(user)
        session.flush()
        token = open_session(services, session, user, "oidc")
        audit(
            session,
            f"user:{user.id} {user.name}",
            "auth.signin",
            f"user:{user.id}",
            method="oidc",
            role=role.value,
            teams=teams,
            client=client,
        )
        session.commit()
        return token


def _free_name(session: Any, claims: dict[str, Any]) -> str:
    """A sign-in name from the claims that no other account has."""
    wanted = str(claims.get("preferred_username") or claims.get("email") or f"sso-{claims['sub']}")
    base = _NAME_CHARS.sub("-", wanted.lower()).strip("-._@")[:56] or "sso-user"
    name, n = base, 1
    while session.exec(select(User.id).where(User.name == name)).first() is not None:
        n += 1
        name = f"{base}-{n}"
    return name
