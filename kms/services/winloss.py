"""Win/loss summaries for a context: deals, win rate, top reasons won and lost."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, select

from kms.core.models import Asset, Outcome
from kms.core.schemas import ReasonCount, WinLossSummary
from kms.core.visibility import Caller

TOP_REASONS = 5


def summarise(
    session: Session,
    caller: Caller,
    competitor: str | None = None,
    industry: str | None = None,
    stage: str | None = None,
) -> WinLossSummary:
    """Deals visible to the caller that match every given filter (keys, already resolved)."""
    visible = {
        a.id
        for a in session.exec(select(Asset).where(Asset.source_type == "winloss")).all()
        if caller.can_see(a.teams) and a.status.value != "retired"
    }
    deals = [
        o
        for o in session.exec(select(Outcome)).all()
        if o.asset_id in visible
        and (not competitor or competitor in o.competitors)
        and (not industry or o.industry == industry)
        and (not stage or o.stage_key == stage)
    ]
    filters = {
        k: v
        for k, v in {"competitor": competitor, "industry": industry, "stage": stage}.items()
        if v
    }
    return summary_of(deals, filters)


def summary_of(deals: list[Outcome], filters: dict[str, str]) -> WinLossSummary:
    """Counts, win rate and top reasons over the given deals."""
    counts = Counter(o.outcome for o in deals)
    decided = counts["won"] + counts["lost"]
    return WinLossSummary(
        deals=len(deals),
        won=counts["won"],
        lost=counts["lost"],
        no_decision=counts["no_decision"],
        win_rate=round(counts["won"] / decided, 3) if decided else None,
        top_reasons_won=_reasons(deals, "won"),
        top_reasons_lost=_reasons(deals, "lost"),
        filters=filters,
    )


def _reasons(deals: list[Outcome], outcome: str) -> list[ReasonCount]:
    counter = Counter(r for o in deals if o.outcome == outcome for r in o.reasons)
    return [ReasonCount(reason=r, count=n) for r, n in counter.most_common(TOP_REASONS)]
