"""Your question was answered: the closed gaps that came from the caller's own questions.

A curator closes a gap by linking the asset that answers it; the reps whose questions
raised the gap (the same normalised question and team scope), or a gap merged into it
(:mod:`kms.services.gap_merge`), see it on their next visit, in their own words. Only
assets the caller may see are offered; which notices a rep has already seen is kept by
the page (they are few and short-lived).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from kms.core.models import Asset, Gap, QueryLog
from kms.core.models._types import utcnow
from kms.core.schemas import AnsweredQuestion
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.gaps import QUESTION_KINDS, query_subject

WINDOW_DAYS = 90
MAX_SHOWN = 20


def answered_for(services: Services, caller: Caller) -> list[AnsweredQuestion]:
    if caller.key_id is None and caller.user_id is None:
        return []  # a widget token or the command line: no questions of its own
    since = utcnow() - timedelta(days=WINDOW_DAYS)
    with services.db.session() as session:
        asked = session.exec(
            select(QueryLog).where(
                QueryLog.key_id == caller.key_id,
                QueryLog.user_id == caller.user_id,
                col(QueryLog.created_at) >= since,
            )
        ).all()
        subjects = {query_subject(q.query, q.teams) for q in asked}
        if not subjects:
            return []
        raised = session.exec(
            select(Gap).where(
                col(Gap.kind).in_(QUESTION_KINDS), col(Gap.subject).in_(sorted(subjects))
            )
        ).all()
        # the gap that holds each question: its own, or the one it was merged into
        holder = {g.merged_into or g.id or 0: g for g in raised}
        closed = session.exec(
            select(Gap).where(
                Gap.status == "closed",
                col(Gap.closing_asset_id).is_not(None),
                col(Gap.id).in_(sorted(holder)),
            )
        ).all()
        out: list[AnsweredQuestion] = []
        for gap in sorted(closed, key=lambda g: g.updated_at, reverse=True):
            mine = holder[gap.id or 0]  # the question in the asker's own words
            asset = session.get(Asset, gap.closing_asset_id)
            if asset is None or asset.status.value == "retired" or not caller.can_see(asset.teams):
                continue
            if any(a.gap_id == gap.id for a in out) or any(
                a.asset_id == asset.id and a.query == mine.query for a in out
            ):
                continue
            out.append(
                AnsweredQuestion(
                    gap_id=gap.id or 0,
                    query=mine.query or mine.title,
                    asset_id=asset.id or 0,
                    title=asset.title,
                    answered_at=gap.updated_at,
                )
            )
        return out[:MAX_SHOWN]
