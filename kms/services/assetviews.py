"""Public views of assets: the list row and the detail (chunks, stages, entities, duplicates).

Everything that names another asset (duplicates) goes through the caller's ``visible``
predicate, so a detail never mentions an asset the caller may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlmodel import Session, col, select

from kms.core.models import Asset, Chunk, ChunkStage, Entity, Pin
from kms.core.models._types import utcnow
from kms.core.schemas import (
    AssetDetail,
    AssetPublic,
    ChunkPublic,
    DuplicateRef,
    EntityRef,
    StageAffinity,
)

Visible = Callable[[Asset], bool]


def asset_public(asset: Asset, today: date | None = None) -> AssetPublic:
    today = today or utcnow().date()
    return AssetPublic(
        id=asset.id or 0,
        kind=asset.kind,
        source_type=asset.source_type,
        title=asset.title,
        file_name=asset.meta.get("file_name"),
        mime=asset.mime,
        has_file=asset.stored_file is not None,
        language=asset.language,
        status=asset.status.value,
        owner=asset.owner,
        review_by=asset.review_by,
        approved_by=asset.approved_by,
        approved_at=asset.approved_at,
        stale=asset.review_by is not None and asset.review_by < today,
        teams=list(asset.teams),
        duplicate_of=asset.duplicate_of,
        created_at=asset.created_at,
        updated_at=asset.updated_at,
    )


def asset_detail(session: Session, asset: Asset, visible: Visible) -> AssetDetail:
    chunks = session.exec(
        select(Chunk).where(Chunk.asset_id == asset.id).order_by(col(Chunk.ordinal))
    ).all()
    chunk_ids = [c.id or 0 for c in chunks]
    stage_rows = session.exec(select(ChunkStage).where(col(ChunkStage.chunk_id).in_(chunk_ids)))
    per_chunk: dict[int, list[StageAffinity]] = {}
    best: dict[str, StageAffinity] = {}
    for row in stage_rows:
        affinity = StageAffinity(stage=row.stage_key, score=row.score, origin=row.origin.value)
        per_chunk.setdefault(row.chunk_id, []).append(affinity)
        held = best.get(row.stage_key)
        if held is None or affinity.score > held.score:
            best[row.stage_key] = affinity
    pins = session.exec(select(Pin.query).where(Pin.asset_id == asset.id)).all()
    return AssetDetail(
        **asset_public(asset).model_dump(),
        chunks=[
            ChunkPublic(
                id=c.id or 0,
                ordinal=c.ordinal,
                text=c.text,
                section=c.section,
                page=c.page,
                language=c.language,
                duplicate_of=_visible_chunk(session, c.duplicate_of, visible),
                stages=sorted(per_chunk.get(c.id or 0, []), key=lambda s: -s.score),
            )
            for c in chunks
        ],
        stages=sorted(best.values(), key=lambda s: -s.score),
        entities=_entities(session, {e for c in chunks for e in c.entity_ids}),
        duplicates=_duplicates(session, asset, chunk_ids, visible),
        pins=list(pins),
    )


def _visible_chunk(session: Session, chunk_id: int | None, visible: Visible) -> int | None:
    """The chunk id, if the asset that holds it is visible; else None."""
    if chunk_id is None:
        return None
    chunk = session.get(Chunk, chunk_id)
    asset = session.get(Asset, chunk.asset_id) if chunk else None
    return chunk_id if asset is not None and visible(asset) else None


def _entities(session: Session, ids: set[int]) -> list[EntityRef]:
    if not ids:
        return []
    rows = session.exec(select(Entity).where(col(Entity.id).in_(ids)).order_by(col(Entity.type)))
    return [
        EntityRef(id=e.id or 0, type=e.type.value, key=e.key, name_en=e.name_en, name_zh=e.name_zh)
        for e in rows
    ]


def _duplicates(
    session: Session, asset: Asset, chunk_ids: list[int], visible: Visible
) -> list[DuplicateRef]:
    """Exact duplicates both ways, then assets that share near-duplicate chunks with this one."""
    found: dict[int, str] = {}
    if asset.duplicate_of is not None:
        found[asset.duplicate_of] = "duplicate_of"
    for twin in session.exec(select(Asset.id).where(Asset.duplicate_of == asset.id)).all():
        found.setdefault(twin or 0, "duplicated_by")
    ours = session.exec(select(Chunk.duplicate_of).where(col(Chunk.id).in_(chunk_ids))).all()
    near = {c for c in ours if c is not None}
    theirs = select(Chunk.asset_id).where(col(Chunk.duplicate_of).in_(chunk_ids))
    near_assets = set(session.exec(theirs).all())
    if near:
        near_assets |= set(session.exec(select(Chunk.asset_id).where(col(Chunk.id).in_(near))))
    for near_id in near_assets:
        found.setdefault(near_id, "near_duplicate")
    found.pop(asset.id or 0, None)
    out: list[DuplicateRef] = []
    for other_id, relation in sorted(found.items()):
        other = session.get(Asset, other_id)
        if other is not None and visible(other):
            out.append(DuplicateRef(asset_id=other_id, title=other.title, relation=relation))
    return out
