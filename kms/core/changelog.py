"""The index change log: what every search process applies to its own indexes.

A transaction that changes what a chunk looks like to search (its text, stages, teams,
status, or its existence) calls :func:`log_changes` with the chunk ids before it commits,
so the log and the change commit together or not at all. Applying a change means "read
this chunk's current state and make the index agree" — idempotent, so a process may apply
a change twice, or late, or after a later one, and still end equal to the database.

On PostgreSQL the same transaction sends a ``NOTIFY`` on :data:`CHANNEL`, delivered at
commit, so followers wake at once; they also poll, which is all SQLite needs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from kms.core.models import IndexChange

CHANNEL = "kms_index_change"


def log_changes(session: Session, chunk_ids: Iterable[int]) -> int:
    """Record that these chunks changed (in the caller's transaction); returns how many."""
    ids = sorted({int(c) for c in chunk_ids})
    if not ids:
        return 0
    table = IndexChange.__table__  # type: ignore[attr-defined]
    for start in range(0, len(ids), 500):
        session.execute(table.insert(), [{"chunk_id": c} for c in ids[start : start + 500]])
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    return len(ids)


def last_seq(session: Session) -> int:
    return int(session.exec(select(func.max(IndexChange.seq))).one() or 0)


def changes_after(session: Session, seq: int, limit: int) -> list[tuple[int, int, object]]:
    """``(seq, chunk id, at)`` of the changes past ``seq``, oldest first."""
    rows = session.exec(
        select(IndexChange.seq, IndexChange.chunk_id, IndexChange.at)
        .where(col(IndexChange.seq) > seq)
        .order_by(col(IndexChange.seq))
        .limit(limit)
    ).all()
    return [(int(s or 0), int(c), at) for s, c, at in rows]


def changed_after(session: Session, seq: int, skip: Collection[int] = ()) -> set[int]:
    """The chunk ids changed past ``seq``, bar the changes numbered in ``skip`` (what
    applying the log from there will touch)."""
    rows = session.exec(
        select(IndexChange.seq, IndexChange.chunk_id).where(col(IndexChange.seq) > seq)
    )
    return {int(chunk) for number, chunk in rows if number not in skip}
