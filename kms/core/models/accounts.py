"""People and their sign-ins: users, server-side sessions, lockout counters, OIDC logins.

Everything here lives in the database, never in a process, so any number of API replicas
sharing one database agree on who is signed in and who is locked out.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from kms.core.models._types import json_field, utcnow
from kms.core.models.ops import Role


class User(SQLModel, table=True):
    """A person. ``teams`` limit what a rep or curator sees; an admin sees every team."""

    __tablename__ = "useraccount"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True, description="Sign-in name, lower case")
    display_name: str = ""
    email: str | None = None
    role: Role
    teams: list[str] = json_field()
    password_hash: str | None = Field(default=None, description="argon2id; None: SSO only")
    oidc_subject: str | None = Field(
        default=None, unique=True, description="issuer + ' ' + sub, for single sign-on"
    )
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_signin_at: datetime | None = None


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    token_hash: str = Field(primary_key=True)
    user_id: int = Field(foreign_key="useraccount.id", index=True)
    method: str = Field(description="password or oidc")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per name (known or not, so a lockout reveals nothing)."""

    name: str = Field(primary_key=True)
    failures: int = 0
    first_failure_at: datetime | None = None
    locked_until: datetime | None = None


class LoginFlow(SQLModel, table=True):
    """A single sign-on in flight: what the callback needs, used once, short-lived."""

    state_hash: str = Field(primary_key=True)
    code_verifier: str
    nonce: str
    redirect_uri: str
    next_path: str = "/"
    expires_at: datetime = Field(index=True)
