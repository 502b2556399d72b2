"""Search filters as a restriction the engines apply: kind, language, status and the
product / industry / competitor an asset is about.

``filter_scope`` reads, from the database, the chunks of every live asset that passes the
request's filters; the keyword engine then searches only those assets' chunks and faiss
only those chunks (with the caller's teams, as before), so a filtered query finds matches
that rank far below the unfiltered top, and its ``total`` counts every match. A search
without filters gets ``None`` and no restriction at all.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from index.hybrid import Only
from kms.core.graph import find_entities
from kms.core.models import Asset, AssetStatus, Chunk, EntityType, Outcome, Relation
from kms.core.schemas import SearchFilters
from kms.core.visibility import Caller, readable_by

ENTITY_FILTERS = (
    ("product", EntityType.product),
    ("industry", EntityType.industry),
    ("competitor", EntityType.competitor),
)


LIVE_STATUSES = {AssetStatus.approved.value, AssetStatus.draft.value}


def has_filters(filters: SearchFilters) -> bool:
    """Does the request narrow the search? (A status list naming every live status — drafts
    asked for beside approved assets — narrows nothing: it widens a rep's search, inside the
    engines, ``kms.core.visibility.drafts_wanted``.)"""
    return bool(
        filters.kind
        or filters.language
        or _narrows_status(filters)
        or filters.product
        or filters.industry
        or filters.competitor
    )


def filter_scope(session: Session, filters: SearchFilters, caller: Caller) -> Only | None:
    """The chunks a filtered search may return (None: no filters)."""
    if not has_filters(filters):
        return None
    query = (
        select(Chunk.id, Chunk.asset_id)
        .join(Asset, col(Asset.id) == Chunk.asset_id)
        .where(Asset.status != AssetStatus.retired, col(Asset.duplicate_of).is_(None))
    )
    if filters.kind:
        query = query.where(col(Asset.kind).in_(filters.kind))
    if filters.language:
        query = query.where(Asset.language == filters.language)
    if _narrows_status(filters):
        known = [s for s in AssetStatus if s.value in filters.status]
        query = query.where(col(Asset.status).in_(known))
    chunks = {int(c or 0): int(a) for c, a in session.exec(query)}
    for name, type_ in ENTITY_FILTERS:
        value = getattr(filters, name)
        if value:
            about = assets_about(session, value, type_, caller)
            chunks = {c: a for c, a in chunks.items() if a in about}
    return Only.of(chunks)


def _narrows_status(filters: SearchFilters) -> bool:
    return bool(filters.status) and not set(filters.status) >= LIVE_STATUSES


def assets_about(session: Session, value: str, type_: EntityType, caller: Caller) -> set[int]:
    """Assets about the entity ``value`` names (any of its scopes the caller may read):
    they mention it, or their win/loss outcome names it."""
    entities = find_entities(session, type_, value, readable_by(caller))
    if not entities:
        return set()
    about = {
        int(src_id)
        for src_id in session.exec(
            select(Relation.src_id).where(
                Relation.src_type == "asset",
                Relation.dst_type == "entity",
                col(Relation.dst_id).in_([str(e.id) for e in entities]),
            )
        )
    }
    keys = {e.key for e in entities}
    field = {EntityType.industry: "industry", EntityType.competitor: "competitors"}.get(type_)
    if field:
        for outcome in session.exec(select(Outcome)):
            named = getattr(outcome, field)
            if named in keys or (isinstance(named, list) and keys & set(named)):
                about.add(outcome.asset_id)
    return about
