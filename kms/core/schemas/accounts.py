"""Public models of people, their sign-ins and the widget's tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from kms.core.schemas.bounded import TeamList

UserName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$",
        description="Sign-in name (letters, digits, . _ @ -); kept in lower case",
    ),
]
Password = Annotated[str, Field(min_length=10, max_length=200, description="10+ characters")]
RoleName = Literal["rep", "curator", "admin"]


class UserCreate(BaseModel):
    name: UserName
    role: RoleName
    teams: TeamList = Field(default_factory=list)
    password: Password | None = Field(None, description="None: single sign-on only")
    display_name: str = Field("", max_length=100)
    email: str | None = Field(None, max_length=200)


class UserUpdate(BaseModel):
    role: RoleName | None = None
    teams: TeamList | None = None
    active: bool | None = Field(None, description="False: signed out everywhere, cannot sign in")
    password: Password | None = None
    display_name: str | None = Field(None, max_length=100)


class UserPublic(BaseModel):
    id: int
    name: str
    display_name: str
    email: str | None
    role: str
    teams: list[str]
    active: bool
    sso: bool = Field(description="Signs in through single sign-on")
    has_password: bool
    created_at: datetime
    last_signin_at: datetime | None


class UsersPublic(BaseModel):
    data: list[UserPublic]
    count: int


class SignIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200)


class SessionPublic(BaseModel):
    """The signed-in person, and the CSRF token their page sends with every change."""

    name: str
    display_name: str
    role: str
    teams: list[str] | None = Field(description="None: every team (admin)")
    method: str = Field(description="password or oidc")
    csrf: str = Field(description="Send as X-CSRF-Token with every POST, PATCH and DELETE")
    expires_at: datetime


class AuthConfig(BaseModel):
    """How people may sign in here (read by the sign-in page)."""

    sso: bool = Field(description="Single sign-on (OpenID Connect) is set up")
    demo: bool = Field(description="A demo server: its sign-in is printed where it was started")
