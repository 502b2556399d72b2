"""People: created by an admin (console, ``kms users add``) or by their first single sign-on.

Passwords are hashed with argon2id (``argon2-cffi``); a hash made with older parameters is
upgraded at the next sign-in. A person's role and teams decide what they see, exactly as
an API key's do (:func:`caller_for`).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, select

from kms.core.errors import InputError, NotFound
from kms.core.models import Role, Team, User, WebSession
from kms.core.schemas import UserCreate, UserPublic, UsersPublic, UserUpdate
from kms.core.visibility import Caller, clean_teams
from kms.services.app import Services
from kms.services.audit import audit

HASHER = PasswordHasher()  # argon2id, the library's current recommended parameters
# verified against when the name is unknown, so a wrong name costs what a wrong password does
_DUMMY_HASH = HASHER.hash("not a password anyone has")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; as slow for an unknown user or no password."""
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        ok = HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and user is not None and bool(user.password_hash) and user.active


def rehash_if_needed(user: User, password: str) -> None:
    if user.password_hash and HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)


def caller_for(user: User) -> Caller:
    """What a person may see: their teams (an admin: every team) and their role."""
    teams = None if user.role == Role.admin else tuple(user.teams)
    return Caller(name=user.name, role=user.role, teams=teams, user_id=user.id)


def user_public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id or 0,
        name=user.name,
        display_name=user.display_name,
        email=user.email,
        role=user.role.value,
        teams=list(user.teams),
        active=user.active,
        sso=user.oidc_subject is not None,
        has_password=user.password_hash is not None,
        created_at=user.created_at,
        last_signin_at=user.last_signin_at,
    )


def find_user(session: Session, name: str) -> User | None:
    return session.exec(select(User).where(User.name == name.strip().lower())).first()


def ensure_teams(session: Session, teams: list[str]) -> None:
    for team in teams:
        if session.get(Team, team) is None:
            session.add(Team(name=team))


def add_user(services: Services, new: UserCreate, actor: str = "cli") -> UserPublic:
    """A new person (422 when the name is taken)."""
    name = new.name.strip().lower()
    teams = clean_teams(new.teams)
    with services.db.session() as session:
        if find_user(session, name) is not None:
            raise InputError(f"there is already a user '{name}'", {"field": "name"})
        ensure_teams(session, teams)
        user = User(
            name=name,
            display_name=new.display_name.strip(),
            email=new.email,
            role=Role(new.role),
            teams=teams,
            password_hash=hash_password(new.password) if new.password else None,
        )
        session.add(user)
        session.flush()
        audit(session, actor, "user.create", f"user:{user.id}", role=new.role, teams=teams)
        session.commit()
        return user_public(user)


def update_user(services: Services, user_id: int, change: UserUpdate, actor: str) -> UserPublic:
    """Change role, teams, password or name; deactivating signs the person out everywhere."""
    with services.db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user {user_id}", {"user_id": user_id})
        changed: dict[str, object] = {}
        if change.role is not None:
            user.role = changed["role"] = Role(change.role)
        if change.teams is not None:
            user.teams = changed["teams"] = clean_teams(change.teams)
            ensure_teams(session, user.teams)
        if change.display_name is not None:
            user.display_name = change.display_name.strip()
        if change.password is not None:
            user.password_hash = hash_password(change.password)
            changed["password"] = "changed"
        if change.active is not None:
            user.active = changed["active"] = change.active
        session.add(user)
        if change.active is False or change.password is not None:
            session.exec(delete(WebSession).where(col(WebSession.user_id) == user_id))
        audit(session, actor, "user.update", f"user:{user_id}", **changed)
        session.commit()
        return user_public(user)


def list_users(services: Services) -> UsersPublic:
    with services.db.session() as session:
        rows = session.exec(select(User).order_by(col(User.name))).all()
        return UsersPublic(data=[user_public(u) for u in rows], count=len(rows))


def user_id_by_name(services: Services, name: str) -> int:
    with services.db.session() as session:
        user = find_user(session, name)
        if user is None:
            raise NotFound(f"no user '{name[:64]}'", {"field": "name"})
        return user.id or 0
