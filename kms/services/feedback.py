"""Feedback: helpful / not helpful on one result of a logged query, and which queries'
results their askers opened (click-through).

A caller votes on its own queries (admins on any); one vote per key (or person), query and
asset — voting again replaces the vote. The asset must be visible to the caller. A not-helpful
vote raises (or counts on) the ``negative_feedback`` gap of that query.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from kms.core.errors import NotFound
from kms.core.models import Asset, Feedback, Gap, QueryLog
from kms.core.models._types import utcnow
from kms.core.schemas import FeedbackCreate, FeedbackPublic
from kms.core.visibility import Caller, visible_asset
from kms.services.app import Services, side_write
from kms.services.gapdetect import sync_feedback_gaps

MAX_NOTES = 50


def give_feedback(services: Services, caller: Caller, vote: FeedbackCreate) -> FeedbackPublic:
    with services.db.session() as session:
        query = session.get(QueryLog, vote.query_id)
        mine = query is not None and (query.key_id, query.user_id) == _asker(caller)
        if query is None or (caller.teams is not None and not mine):
            raise NotFound(f"no query {vote.query_id}", {"query_id": vote.query_id})
        visible_asset(session, caller, vote.asset_id)
        row = session.exec(
            select(Feedback).where(
                Feedback.query_id == vote.query_id,
                Feedback.asset_id == vote.asset_id,
                Feedback.key_id == caller.key_id,
                Feedback.user_id == caller.user_id,
            )
        ).first() or Feedback(query_id=vote.query_id, asset_id=vote.asset_id, helpful=vote.helpful)
        row.helpful, row.comment = vote.helpful, vote.comment
        row.reason = None if vote.helpful else vote.reason
        row.key_id, row.user_id = _asker(caller)
        row.created_at = utcnow()
        session.add(row)
        session.flush()
        gap_id = sync_feedback_gaps(session, query)  # a changed vote may lower a count too
        if gap_id is not None and not vote.helpful and (vote.reason or vote.comment):
            _add_evidence(session, gap_id, vote)
        session.commit()
        return FeedbackPublic(
            id=row.id or 0,
            query_id=row.query_id,
            asset_id=row.asset_id,
            helpful=row.helpful,
            comment=row.comment,
            reason=row.reason,
            gap_id=gap_id if not vote.helpful else None,
            created_at=row.created_at,
        )


def record_opened(services: Services, caller: Caller, query_id: int) -> bool:
    """The asker opened one of the query's results (click-through): counted atomically, in
    its own short transaction; a query of someone else's is not counted. False when not."""
    key_id, user_id = _asker(caller)

    def write(session: Session) -> bool:
        statement = (
            update(QueryLog)
            .where(col(QueryLog.id) == query_id)
            .where(col(QueryLog.key_id).is_not_distinct_from(key_id))
            .where(col(QueryLog.user_id).is_not_distinct_from(user_id))
            .values(clicks=QueryLog.clicks + 1)
        )
        counted = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
        session.commit()
        return counted

    return bool(side_write(services, "click", write))


def _add_evidence(session: Session, gap_id: int, vote: FeedbackCreate) -> None:
    """The vote's reason, result and words become a note on its negative-feedback gap."""
    gap = session.get(Gap, gap_id)
    asset = session.get(Asset, vote.asset_id)
    if gap is None:
        return
    title = asset.title if asset else f"asset {vote.asset_id}"
    note = f"{vote.reason or 'other'} · {title}" + (f": {vote.comment}" if vote.comment else "")
    gap.notes = [*gap.notes, note][-MAX_NOTES:]
    session.add(gap)


def _asker(caller: Caller) -> tuple[int | None, int | None]:
    """The (key, person) pair a query or vote is recorded under."""
    return caller.key_id, caller.user_id
