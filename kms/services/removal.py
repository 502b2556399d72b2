"""Deleting an asset for good: database rows, index entries and the stored file.

Retiring keeps an asset (out of search, still auditable); deleting removes it, for
content that must not be kept at all. Everything that points at the asset goes with it:
chunks and their stage affinities, graph edges it is the source or evidence of, its
win/loss outcome, pins and feedback; a gap it closed keeps the gap, without the link.
Assets stored as its exact duplicates become originals and are indexed; a near-duplicate
group that one of its chunks headed is re-headed by the group's next chunk.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from kms.core.blobs import blob_digest, sweep_blobs
from kms.core.changelog import log_changes
from kms.core.models import (
    Asset,
    AuditLog,
    Chunk,
    ChunkStage,
    Feedback,
    Gap,
    Outcome,
    Pin,
    Relation,
)
from kms.core.visibility import Caller, visible_asset
from kms.services.app import Services


def delete_asset(services: Services, caller: Caller, asset_id: int) -> list[int]:
    """Delete one asset the caller may see; returns the chunk ids removed from the indexes."""
    with services.write_lock, services.db.write_session() as session:
        asset = visible_asset(session, caller, asset_id, for_update=True)
        chunk_ids = [
            i for i in session.exec(select(Chunk.id).where(Chunk.asset_id == asset_id)) if i
        ]
        stored = asset.stored_file
        freed = _freed_duplicates(session, asset_id, chunk_ids)
        _delete_rows(session, asset_id, chunk_ids)
        log_changes(session, [*chunk_ids, *freed])
        session.add(
            AuditLog(
                actor=caller.actor,
                action="asset.delete",
                target=f"asset:{asset_id}",
                detail={"title": asset.title, "chunks": len(chunk_ids)},
            )
        )
        session.delete(asset)
        session.commit()
    services.changed()
    _delete_file_if_unused(services, stored)
    return chunk_ids


def _freed_duplicates(session: Session, asset_id: int, chunk_ids: list[int]) -> list[int]:
    """Chunks of the assets stored as exact duplicates of this one: they become searchable."""
    twins = session.exec(
        select(Chunk.id)
        .join(Asset, col(Asset.id) == Chunk.asset_id)
        .where(col(Asset.duplicate_of) == asset_id)
    ).all()
    return [int(i) for i in twins if i is not None]


def _reheads_groups(session: Session, asset_id: int, chunk_ids: list[int]) -> None:
    """Near-duplicate groups headed by a chunk that goes: the next chunk of another asset
    heads the group (grouping is not indexed, so no index change)."""
    members = session.exec(
        select(Chunk.id, Chunk.duplicate_of)
        .where(col(Chunk.duplicate_of).in_(chunk_ids), Chunk.asset_id != asset_id)
        .order_by(col(Chunk.id))
    ).all()
    groups: dict[int, list[int]] = {}
    for member, head in members:
        groups.setdefault(int(head or 0), []).append(int(member or 0))
    for rest in groups.values():
        new_head, others = rest[0], rest[1:]
        session.execute(update(Chunk).where(col(Chunk.id) == new_head).values(duplicate_of=None))
        if others:
            session.execute(
                update(Chunk).where(col(Chunk.id).in_(others)).values(duplicate_of=new_head)
            )


def _delete_rows(session: Session, asset_id: int, chunk_ids: list[int]) -> None:
    aid = str(asset_id)
    outcome_ids = [
        str(o) for o in session.exec(select(Outcome.id).where(Outcome.asset_id == asset_id)) if o
    ]
    session.execute(delete(ChunkStage).where(col(ChunkStage.chunk_id).in_(chunk_ids)))
    _reheads_groups(session, asset_id, chunk_ids)
    session.execute(delete(Chunk).where(col(Chunk.asset_id) == asset_id))
    session.execute(
        delete(Relation).where(
            or_(
                col(Relation.evidence_asset_id) == asset_id,
                (col(Relation.src_type) == "asset") & (col(Relation.src_id) == aid),
                (col(Relation.dst_type) == "asset") & (col(Relation.dst_id) == aid),
                (col(Relation.src_type) == "outcome") & col(Relation.src_id).in_(outcome_ids),
                (col(Relation.dst_type) == "outcome") & col(Relation.dst_id).in_(outcome_ids),
            )
        )
    )
    session.execute(delete(Outcome).where(col(Outcome.asset_id) == asset_id))
    session.execute(delete(Pin).where(col(Pin.asset_id) == asset_id))
    session.execute(delete(Feedback).where(col(Feedback.asset_id) == asset_id))
    session.execute(
        update(Gap).where(col(Gap.closing_asset_id) == asset_id).values(closing_asset_id=None)
    )
    session.execute(
        update(Asset).where(col(Asset.duplicate_of) == asset_id).values(duplicate_of=None)
    )


def _delete_file_if_unused(services: Services, stored: str | None) -> None:
    if not stored:
        return
    if blob_digest(stored) is not None:
        with services.db.write_session() as session:
            sweep_blobs(session)  # an exact duplicate may still name the same bytes
            session.commit()
        return
    with services.db.session() as session:  # a file stored before files moved into the database
        if session.exec(select(Asset.id).where(Asset.stored_file == stored)).first() is not None:
            return  # another asset (an exact duplicate) still points at the same bytes
    path = services.settings.data_dir / stored
    path.unlink(missing_ok=True)
