"""Team names and team scopes: what a team may be called, and how a set of teams is keyed.

A team name is 1–64 letters, digits, ``_``, ``.`` or ``-``; names that start with ``__``
are reserved (the keyword index marks public chunks with ``__public__`` and drafts with
``__draft__``). Every entry
point — upload form, ``PATCH /v1/assets``, API keys (API and CLI), ``kms ingest --team``,
manifests, win/loss records, problem maps, gaps — checks names with
:func:`normalise_teams` before anything is written.

A *scope* is the canonical key of a team set: the sorted names joined by commas, ``""``
for public. An asset's identity is its source name *and* its scope, so the same file
name, deal id or problem key in two teams is two separate assets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PUBLIC_TOKEN = "__public__"  # the keyword index's token for "no teams"
DRAFT_TOKEN = "__draft__"  # marks a draft's visibility tokens (see ``draft_tokens``)
RESERVED_PREFIX = "__"
TEAM_NAME = re.compile(r"^[\w.-]{1,64}$")
MAX_TEAMS = 50


def team_name_error(name: str) -> str | None:
    """Why ``name`` cannot name a team, or None when it can."""
    if not TEAM_NAME.match(name):
        return f"not a team name: '{name[:64]}'"
    if name.startswith(RESERVED_PREFIX):
        return f"'{name}' is reserved and cannot name a team"
    return None


def normalise_teams(teams: Iterable[str]) -> list[str]:
    """Sorted, unique, stripped team names; ``ValueError`` names the first bad one."""
    clean = sorted({str(t).strip() for t in teams if str(t).strip()})
    if len(clean) > MAX_TEAMS:
        raise ValueError(f"at most {MAX_TEAMS} teams, not {len(clean)}")
    for name in clean:
        problem = team_name_error(name)
        if problem:
            raise ValueError(problem)
    return clean


def draft_tokens(teams: Iterable[str]) -> list[str]:
    """The visibility tokens of a draft shared with ``teams`` (none: everyone's draft).

    A draft chunk carries these instead of its teams, so retrieval finds it only for a
    reader who adds them to their own teams (``kms.core.visibility.index_teams``): drafts
    are hidden inside the engines, before top-k, like another team's chunks. No team name
    can take this form (reserved prefix, no colon)."""
    return [f"{DRAFT_TOKEN}:{t}" for t in sorted(set(teams)) if t] or [DRAFT_TOKEN]


def scope_of(teams: Iterable[str]) -> str:
    """The scope key of a team set: sorted names joined by commas; ``""`` is public."""
    return ",".join(sorted({t for t in teams if t}))


def teams_of(scope: str) -> list[str]:
    return [t for t in scope.split(",") if t]


def covers(outer: Iterable[str], inner: Iterable[str]) -> bool:
    """Whether everyone who may see an item shared with ``inner`` may also see one shared
    with ``outer`` — so linking the two reveals nothing (empty = public)."""
    outer_set, inner_set = set(outer), set(inner)
    return not outer_set or (bool(inner_set) and inner_set <= outer_set)
