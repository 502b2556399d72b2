"""Read-only knowledge-graph queries shared by ingest and the services.

``slug`` makes an entity key from a name; ``find_entity`` finds an entity by key, name or
alias in either language; ``linker`` / ``entities_in`` find the entities a text names
(entity linking for queries and chunks). Nothing here writes: ingest's
:mod:`ingest.graph_store` creates entities and edges.

Every lookup takes the scopes it may use (``kms.core.visibility.readable_by`` for a
caller, ``covering`` for ingest): a team's entity names and aliases never link, filter or
expand anything for someone outside the team.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from sqlmodel import Session, select

from kms.core.linking import EntityLinker, EntityName
from kms.core.models import Entity, EntityType
from kms.core.visibility import ScopeFilter

_NON_KEY = re.compile(r"[^a-z0-9\u4e00-\u9fff]+")


def slug(text: str) -> str:
    """An entity key: lower case, runs of anything but letters, digits and CJK → ``-``."""
    return _NON_KEY.sub("-", text.lower()).strip("-")


def find_entities(
    session: Session, type_: EntityType, ref: str, allowed: ScopeFilter
) -> list[Entity]:
    """Entities of ``type_`` in allowed scopes that ``ref`` names by key, name or alias (any
    language, any case): the most specific scope (a team's own) first, public last."""
    ref = ref.strip()
    if not ref:
        return []
    key, lowered = slug(ref), ref.lower()
    found: list[Entity] = []
    for entity in session.exec(select(Entity).where(Entity.type == type_)).all():
        if not allowed(entity.scope):
            continue
        names = {
            entity.key,
            entity.name_en.lower(),
            entity.name_zh,
            *[a.lower() for a in entity.aliases],
        }
        if key in names or lowered in names:
            found.append(entity)
    return sorted(found, key=lambda e: (e.scope == "", e.id or 0))


def find_entity(
    session: Session, type_: EntityType, ref: str, allowed: ScopeFilter
) -> Entity | None:
    """The first of :func:`find_entities`; None if unknown."""
    found = find_entities(session, type_, ref, allowed)
    return found[0] if found else None


def linker(
    session: Session, allowed: ScopeFilter, types: Iterable[EntityType] | None = None
) -> EntityLinker:
    """A linker over the names (of ``types``) in allowed scopes, rebuilt only when they
    change."""
    wanted = set(types) if types else None
    columns = (Entity.id, Entity.type, Entity.scope, Entity.name_en, Entity.name_zh, Entity.aliases)
    rows = session.exec(select(*columns)).all()  # type: ignore[call-overload]  # >4 columns
    names = tuple(
        EntityName(entity_id or 0, name)
        for entity_id, type_, scope, name_en, name_zh, aliases in rows
        if (not wanted or type_ in wanted) and allowed(scope)
        for name in [name_en, name_zh, *aliases]
        if name
    )
    return _linker(names)


@lru_cache(maxsize=16)
def _linker(names: tuple[EntityName, ...]) -> EntityLinker:
    # building one compiles a regex over every name: ~8 ms a search before this cache
    return EntityLinker(list(names))


def entities_in(
    session: Session, text: str, allowed: ScopeFilter, types: Iterable[EntityType] | None = None
) -> list[int]:
    """Ids of the entities (of ``types``, in allowed scopes) that ``text`` names, most
    mentioned first."""
    return [entity_id for entity_id, _ in linker(session, allowed, types).link(text).most_common()]
