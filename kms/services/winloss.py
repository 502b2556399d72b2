"""Win/loss summaries for a context: deals, win rate, top reasons won and lost.

Deals are the closed deals (win/loss notes) the caller may see that share the context's
competitor, industry and product. A stage filter keeps the deals that *reached* the stage:
their furthest stage (``Outcome.furthest_stage``; a won deal passed every stage up to its
win) is at or after it in the sales process — so won deals never drop out of a stage
filter. Counts and the period are computed in SQL; only the matching deals' reasons are
read to rank them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from kms.core.models import Asset, Outcome, Stage
from kms.core.schemas import ReasonCount, WinLossSummary
from kms.core.visibility import Caller, visible

TOP_REASONS = 5
MIN_DEALS = 5  # fewer similar deals than this is an anecdote, not evidence: not shown


def _visible_scopes(session: Session, caller: Caller) -> list[str]:
    """The team scopes of win/loss notes the caller may see (a handful of distinct values)."""
    scopes = session.exec(
        select(Asset.scope).where(Asset.source_type == "winloss").distinct()
    ).all()
    return [s for s in scopes if visible(caller, [t for t in s.split(",") if t])]


def _matching(
    session: Session,
    caller: Caller,
    competitor: str | None,
    industry: str | None,
    stage: str | None,
    product: str | None,
) -> list[Any]:
    """The WHERE clauses of the deals that match every given filter."""
    clauses: list[Any] = [
        Asset.source_type == "winloss",
        Asset.status != "retired",
        col(Asset.scope).in_(_visible_scopes(session, caller)),
    ]
    for column, key in ((Outcome.competitors, competitor), (Outcome.products, product)):
        if key:
            clauses.append(sa.cast(column, sa.String).like(f'%"{_escape(key)}"%', escape="\\"))
    if industry:
        clauses.append(Outcome.industry == industry)
    if stage:
        order = select(Stage.order).where(Stage.key == stage).scalar_subquery()
        reached = select(Stage.key).where(col(Stage.order) >= order)
        clauses.append(col(Outcome.furthest_stage).in_(reached))
    return clauses


def _escape(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', "")


def summarise(
    session: Session,
    caller: Caller,
    competitor: str | None = None,
    industry: str | None = None,
    stage: str | None = None,
    product: str | None = None,
) -> WinLossSummary:
    """Deals visible to the caller that match every given filter (keys, already resolved)."""
    where = _matching(session, caller, competitor, industry, stage, product)
    joined = select(
        Outcome.outcome,
        sa.func.count(),
        sa.func.min(Outcome.close_date),
        sa.func.max(Outcome.close_date),
    ).join(Asset, col(Asset.id) == Outcome.asset_id)
    rows = session.exec(joined.where(*where).group_by(Outcome.outcome)).all()
    counts = Counter({outcome: int(n) for outcome, n, _, _ in rows})
    starts = [r[2] for r in rows if r[2] is not None]
    ends = [r[3] for r in rows if r[3] is not None]
    reasons = session.exec(
        select(Outcome.outcome, Outcome.reasons)
        .join(Asset, col(Asset.id) == Outcome.asset_id)
        .where(*where, col(Outcome.outcome).in_(["won", "lost"]))
    ).all()
    filters = {
        k: v
        for k, v in {
            "competitor": competitor,
            "industry": industry,
            "stage": stage,
            "product": product,
        }.items()
        if v
    }
    decided = counts["won"] + counts["lost"]
    deals = sum(counts.values())
    return WinLossSummary(
        deals=deals,
        won=counts["won"],
        lost=counts["lost"],
        no_decision=counts["no_decision"],
        win_rate=round(counts["won"] / decided, 3) if decided else None,
        top_reasons_won=_ranked(r for o, rs in reasons if o == "won" for r in rs),
        top_reasons_lost=_ranked(r for o, rs in reasons if o == "lost" for r in rs),
        filters=filters,
        first_year=min(starts).year if starts else None,
        last_year=max(ends).year if ends else None,
        shown=deals >= MIN_DEALS and bool(set(filters) - {"stage"}),
    )


def _ranked(reasons: Any) -> list[ReasonCount]:
    counter = Counter(reasons)
    return [ReasonCount(reason=r, count=n) for r, n in counter.most_common(TOP_REASONS)]


def summary_of(deals: list[Outcome], filters: dict[str, str]) -> WinLossSummary:
    """Counts, win rate and top reasons over the given deals (already chosen)."""
    counts = Counter(o.outcome for o in deals)
    decided = counts["won"] + counts["lost"]
    dates = [o.close_date for o in deals if o.close_date]
    return WinLossSummary(
        deals=len(deals),
        won=counts["won"],
        lost=counts["lost"],
        no_decision=counts["no_decision"],
        win_rate=round(counts["won"] / decided, 3) if decided else None,
        top_reasons_won=_ranked(r for o in deals if o.outcome == "won" for r in o.reasons),
        top_reasons_lost=_ranked(r for o in deals if o.outcome == "lost" for r in o.reasons),
        filters=filters,
        first_year=min(dates).year if dates else None,
        last_year=max(dates).year if dates else None,
        shown=len(deals) >= MIN_DEALS,
    )
