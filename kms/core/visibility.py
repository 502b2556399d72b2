"""Who is asking, and the one rule for what they may see.

A ``Caller`` is built once per request (from an API key) or per command (the CLI) and
passed into every service and into retrieval. It has no defaults: a forgotten argument is
a type error, never an admin with no team limit.

The rule (:func:`visible`): a caller with no team limit (``teams is None`` — admins and
the local CLI) sees everything; an item with no teams is public; otherwise the caller
must share a team with the item. Assets, gaps and logged queries all follow it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from kms.core.errors import Forbidden
from kms.core.models import Role

ROLE_RANK = {Role.rep: 0, Role.curator: 1, Role.admin: 2}


@dataclass(frozen=True)
class Caller:
    """Who is asking. ``teams`` None means no team limit (admins and the local CLI)."""

    name: str
    role: Role
    teams: tuple[str, ...] | None
    key_id: int | None = None  # the API key, when there is one

    def can_see(self, teams: Collection[str]) -> bool:
        return visible(self, teams)

    def has_role(self, role: Role) -> bool:
        """Whether this caller's role is ``role`` or a higher one."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"key:{self.key_id} {self.name}" if self.key_id is not None else self.name


def visible(caller: Caller, teams: Collection[str]) -> bool:
    """Whether ``caller`` may see an item shared with ``teams`` (empty: public)."""
    return caller.teams is None or not teams or not set(teams).isdisjoint(caller.teams)


def require_role(caller: Caller, role: Role) -> Caller:
    """The caller, if its role is at least ``role``; ``Forbidden`` otherwise."""
    if not caller.has_role(role):
        raise Forbidden(f"this needs the {role.value} role", {"role": caller.role.value})
    return caller


LOCAL_ADMIN = Caller(name="cli", role=Role.admin, teams=None)
"""The local command line: an admin with no team limit (whoever can run it owns the data)."""
