"""Your question was answered: the closed gaps that came from the caller's own questions.

A curator closes a gap by linking the asset that answers it; the reps whose questions
raised the gap (the same normalised question and team scope) see
it on their next visit. Only assets the caller may see are offered; which notices a rep
has already seen is kept by the page (they are few and short-lived).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from kms.core.models import Asset, Gap, QueryLog
from kms.core.models._types import utcnow
from kms.core.schemas import AnsweredQuestion
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.gaps import query_subject

WINDOW_DAYS = 90
QUESTION_KINDS = ("zero_results", "low_confidence", "negative_feedback", "ask_expert")
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
        gaps = session.exec(
            select(Gap).where(
                Gap.status == "closed",
                col(Gap.closing_asset_id).is_not(None),
                col(Gap.kind).in_(QUESTION_KINDS),
                col(Gap.subject).in_(sorted(subjects)),
            )
        ).all()
        out: list[AnsweredQuestion] = []
        for gap in sorted(gaps, key=lambda g: g.updated_at, reverse=True):
            asset = session.get(Asset, gap.closing_asset_id)
            if asset is None or asset.status.value == "retired" or not caller.can_see(asset.teams):
                continue
            if any(a.gap_id == gap.id for a in out) or any(
                a.asset_id == asset.id and a.query == gap.query for a in out
            ):
                continue
            out.append(
                AnsweredQuestion(
                    gap_id=gap.id or 0,
                    query=gap.query or gap.title,
                    asset_id=asset.id or 0,
                    title=asset.title,
                    answered_at=gap.updated_at,
                )
            )
        return out[:MAX_SHOWN]
