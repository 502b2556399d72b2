"""Stored embeddings (``ChunkVector``): written by whoever ingests a chunk, read by every
search process. Plain bytes here (float32, native order); the services turn them into
arrays for the indexes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session, col, select

from kms.core.db import insert
from kms.core.models import ChunkVector

Row = tuple[int, str, bytes]  # chunk id, model cache id, float32 bytes
BATCH = 500


def store_vectors(session: Session, rows: Iterable[Row]) -> int:
    """Upsert vector rows in the caller's transaction; returns how many."""
    values = [{"chunk_id": c, "model": m, "vector": v} for c, m, v in rows]
    if not values:
        return 0
    table = ChunkVector.__table__  # type: ignore[attr-defined]
    statement = insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=["chunk_id", "model"], set_={"vector": statement.excluded.vector}
    )
    for start in range(0, len(values), BATCH):
        session.execute(statement, values[start : start + BATCH])
    return len(values)


def stored_vectors(session: Session, chunk_ids: Sequence[int], models: Sequence[str]) -> list[Row]:
    """The stored rows of ``chunk_ids`` for ``models``."""
    out: list[Row] = []
    for start in range(0, len(chunk_ids), BATCH):
        batch = list(chunk_ids[start : start + BATCH])
        rows = session.exec(
            select(ChunkVector.chunk_id, ChunkVector.model, ChunkVector.vector).where(
                col(ChunkVector.chunk_id).in_(batch), col(ChunkVector.model).in_(list(models))
            )
        ).all()
        out += [(int(c), str(m), bytes(v)) for c, m, v in rows]
    return out
