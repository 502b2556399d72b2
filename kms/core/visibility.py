"""Who is asking, and the one rule for what they may see.

A ``Caller`` is built once per request (from an API key, a person's session or a CRM
widget token) or per command (the CLI) and passed into every service and into retrieval.
Who and what it may see have no defaults: a forgotten argument is a type error, never an
admin with no team limit.

The rule (:func:`visible`): a caller with no team limit (``teams is None`` — admins and
the local CLI) sees everything; an item with no teams is public; otherwise the caller
must share a team with the item. Assets, gaps and logged queries all follow it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from sqlmodel import Session

from kms.core.errors import Forbidden, InputError, NotFound
from kms.core.models import Asset, AssetStatus, Role
from kms.core.schemas import Opportunity
from kms.core.teams import DRAFT_TOKEN, covers, draft_tokens, normalise_teams, teams_of

ROLE_RANK = {Role.rep: 0, Role.curator: 1, Role.admin: 2}
ScopeFilter = Callable[[str], bool]  # a scope key → may it be used here?


@dataclass(frozen=True)
class Caller:
    """Who is asking. ``teams`` None means no team limit (admins and the local CLI)."""

    name: str
    role: Role
    teams: tuple[str, ...] | None
    key_id: int | None = None  # the API key, when there is one
    user_id: int | None = None  # the person, when there is one
    # a CRM widget token: the opportunity its CRM signed, and good for nothing else
    opportunity: Opportunity | None = field(default=None, compare=False)

    def can_see(self, teams: Collection[str]) -> bool:
        return visible(self, teams)

    def has_role(self, role: Role) -> bool:
        """Whether this caller's role is ``role`` or a higher one."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def principal(self) -> str:
        """Whose things these are (jobs, queries, votes): the key, else the person."""
        if self.key_id is not None:
            return f"key:{self.key_id}"
        return f"user:{self.user_id}" if self.user_id is not None else self.name

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        if self.key_id is not None:
            return f"key:{self.key_id} {self.name}"
        return f"user:{self.user_id} {self.name}" if self.user_id is not None else self.name


def visible(caller: Caller, teams: Collection[str]) -> bool:
    """Whether ``caller`` may see an item shared with ``teams`` (empty: public)."""
    return caller.teams is None or not teams or not set(teams).isdisjoint(caller.teams)


def drafts_wanted(caller: Caller, statuses: Collection[str]) -> bool:
    """Search serves reps approved knowledge: a draft only when they ask for drafts (a
    status filter that names them). Curators and admins, who review drafts, see them."""
    return caller.has_role(Role.curator) or AssetStatus.draft.value in statuses


def shown_statuses(drafts: bool) -> tuple[AssetStatus, ...]:
    """The statuses search may show: approved, and drafts when they are wanted."""
    return (AssetStatus.approved, AssetStatus.draft) if drafts else (AssetStatus.approved,)


def index_teams(caller: Caller, drafts: bool) -> tuple[str, ...] | None:
    """The visibility tokens retrieval matches for ``caller`` (None: no limit): their teams
    (public chunks always match), and with ``drafts`` the drafts shared with those teams or
    with everyone (``kms.core.teams.draft_tokens``)."""
    if caller.teams is None:
        return None
    teams = tuple(caller.teams)
    if not drafts:
        return teams
    return tuple(dict.fromkeys([*teams, *draft_tokens(teams), DRAFT_TOKEN]))


def require_role(caller: Caller, role: Role) -> Caller:
    """The caller, if its role is at least ``role``; ``Forbidden`` otherwise."""
    if not caller.has_role(role):
        raise Forbidden(f"this needs the {role.value} role", {"role": caller.role.value})
    return caller


def may_see(asset: Asset, caller: Caller) -> bool:
    """An asset: by its teams; a retired one only by curators and admins."""
    if not visible(caller, asset.teams):
        return False
    return asset.status != AssetStatus.retired or caller.has_role(Role.curator)


def visible_asset(
    session: Session, caller: Caller, asset_id: int, for_update: bool = False
) -> Asset:
    """The asset, if the caller may see it; ``NotFound`` otherwise (never ``Forbidden``, so
    its existence does not leak). ``for_update``: lock the row (PostgreSQL) to change it."""
    asset = session.get(Asset, asset_id, with_for_update=for_update)
    if asset is None or not may_see(asset, caller):
        raise NotFound(f"no asset {asset_id}", {"asset_id": asset_id})
    return asset


def clean_teams(teams: list[str], caller: Caller | None = None, field: str = "teams") -> list[str]:
    """Sorted, unique, well-formed team names (reserved names refused: ``kms.core.teams``).
    With a team-bound ``caller``, the result must be public ([]) or include one of the
    caller's teams, so nobody locks themselves out or writes into another team's scope."""
    try:
        clean = normalise_teams(teams)
    except ValueError as exc:
        raise InputError(str(exc), {"field": field}) from exc
    problem = writable_by(caller, clean) if caller is not None else None
    if problem:
        raise InputError(problem, {"field": field})
    return clean


def writable_by(caller: Caller, teams: Collection[str]) -> str | None:
    """Why ``caller`` may not write into the scope of ``teams``, or None when it may."""
    if caller.teams is None or not teams or not set(teams).isdisjoint(caller.teams):
        return None
    return "the teams must include one of your own teams"


def team_change_error(caller: Caller, old: list[str], new: list[str]) -> str | None:
    """Moving an asset between teams is an admin action. A team-bound curator may change
    the teams of an asset that lives only in their own teams, to their own teams or to
    everyone; nothing else (never a public asset, never one shared with a team of others)."""
    if caller.teams is None or sorted(old) == sorted(new):
        return None
    mine = set(caller.teams)
    if not old:
        return "only an admin may restrict a public asset to teams"
    if not set(old) <= mine:
        return "only an admin may move an asset that is shared with teams you are not in"
    if new and not set(new) <= mine:
        return "you may share an asset only with your own teams or with everyone"
    return None


def readable_by(caller: Caller) -> ScopeFilter:
    """Scopes (of entities) the caller may read."""
    return lambda scope: visible(caller, teams_of(scope))


def covering(teams: Collection[str]) -> ScopeFilter:
    """Scopes whose items everyone who sees an item of ``teams`` may see as well."""
    wanted = list(teams)
    return lambda scope: covers(teams_of(scope), wanted)


LOCAL_ADMIN = Caller(name="cli", role=Role.admin, teams=None)
"""The local command line: an admin with no team limit (whoever can run it owns the data)."""
