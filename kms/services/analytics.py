"""Analytics for the curator console: queries, zero results, top queries and gaps, coverage.

Scope: a caller's analytics count only what it may see. Queries are counted when they
were asked by a caller with no team, or by one sharing a team with this caller (a
team's questions are its own business — a query can name a deal); gaps follow the gap
rule in :mod:`kms.services.gaps`; coverage and stale assets count assets the caller's
teams may see. Admins see everything.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlmodel import Session, col, select

from kms.core.models import Feedback, QueryLog
from kms.core.models._types import utcnow
from kms.core.schemas import AnalyticsPublic, CoverageCell, DayCount, QueryCount, StaleAsset
from kms.core.visibility import Caller, visible
from kms.services.app import Services
from kms.services.coverage import Covered, coverage, live_assets
from kms.services.gaps import gap_public, norm_query, visible_gaps

TOP = 10
STALE_MAX = 100


def analytics(services: Services, caller: Caller, days: int = 30) -> AnalyticsPublic:
    today = utcnow().date()
    since = utcnow() - timedelta(days=days)
    with services.db.session() as session:
        rows = session.exec(select(QueryLog).where(col(QueryLog.created_at) >= since)).all()
        logs = [q for q in rows if visible(caller, q.teams)]
        gaps = [g for g in visible_gaps(session, caller) if g.status != "closed"]
        gaps.sort(key=lambda g: (-g.occurrences, -(g.id or 0)))
        covered = coverage(session, live_assets(session, lambda a: caller.can_see(a.teams)))
        zero = sum(1 for q in logs if q.results == 0)
        low = services.settings.low_confidence
        weak = sum(1 for q in logs if _low(q, low))
        votes = _votes(session, logs)
        answered = [q for q in logs if q.results > 0]
        opened = sum(1 for q in answered if q.clicks > 0)
        helpful = sum(1 for v in votes.values() for h in v if h)
        cast = sum(len(v) for v in votes.values())
        return AnalyticsPublic(
            days=days,
            queries=len(logs),
            zero_result_rate=round(zero / len(logs), 3) if logs else None,
            low_confidence_rate=round(weak / len(logs), 3) if logs else None,
            helpful_ratio=round(helpful / cast, 3) if cast else None,
            click_through_rate=round(opened / len(answered), 3) if answered else None,
            per_day=_per_day(logs, low, votes),
            top_queries=_top_queries(logs),
            top_gaps=[gap_public(session, g, caller) for g in gaps[:TOP]],
            coverage=_cells(services, covered),
            stale=_stale(covered, today),
        )


def _low(q: QueryLog, threshold: float) -> bool:
    """An answer below the threshold (a zero-result query is one too)."""
    return q.results == 0 or (q.confidence is not None and q.confidence < threshold)


def _votes(session: Session, logs: list[QueryLog]) -> dict[int, list[bool]]:
    """The helpful / not-helpful votes on these queries, per query id."""
    ids = [q.id for q in logs if q.id is not None]
    out: dict[int, list[bool]] = {}
    if not ids:
        return out
    rows = session.exec(
        select(Feedback.query_id, Feedback.helpful).where(col(Feedback.query_id).in_(ids))
    ).all()
    for query_id, helpful in rows:
        out.setdefault(query_id, []).append(bool(helpful))
    return out


def _per_day(
    logs: list[QueryLog], threshold: float, votes: dict[int, list[bool]]
) -> list[DayCount]:
    """Counts per day, so the console can chart rates over time."""
    total: Counter[date] = Counter()
    zero: Counter[date] = Counter()
    low: Counter[date] = Counter()
    with_results: Counter[date] = Counter()
    opened: Counter[date] = Counter()
    good: Counter[date] = Counter()
    bad: Counter[date] = Counter()
    for q in logs:
        day = q.created_at.date()
        total[day] += 1
        zero[day] += q.results == 0
        low[day] += _low(q, threshold)
        with_results[day] += q.results > 0
        opened[day] += q.results > 0 and q.clicks > 0
        cast = votes.get(q.id or 0, [])
        good[day] += sum(cast)
        bad[day] += len(cast) - sum(cast)
    return [
        DayCount(
            day=d,
            queries=total[d],
            zero_results=zero[d],
            low_confidence=low[d],
            helpful=good[d],
            not_helpful=bad[d],
            with_results=with_results[d],
            opened=opened[d],
        )
        for d in sorted(total)
    ]


def _top_queries(logs: list[QueryLog]) -> list[QueryCount]:
    """Most frequent questions, grouped by their normalised words; shown as first asked."""
    counts: Counter[str] = Counter()
    zero: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for q in sorted(logs, key=lambda q: q.id or 0):
        key = norm_query(q.query)
        counts[key] += 1
        zero[key] += q.results == 0
        shown.setdefault(key, q.query.strip())
    return [
        QueryCount(query=shown[k], count=n, zero_results=zero[k])
        for k, n in counts.most_common(TOP)
    ]


def _cells(services: Services, covered: list[Covered]) -> list[CoverageCell]:
    total: Counter[tuple[str, str]] = Counter()
    approved: Counter[tuple[str, str]] = Counter()
    for item in covered:
        for stage in item.stages:
            total[(stage, item.asset.kind)] += 1
            approved[(stage, item.asset.kind)] += item.asset.status.value == "approved"
    order = {key: i for i, key in enumerate(services.process.keys)}
    return [
        CoverageCell(stage=s, kind=k, approved=approved[(s, k)], total=n)
        for (s, k), n in sorted(total.items(), key=lambda kv: (order.get(kv[0][0], 99), kv[0][1]))
    ]


def _stale(covered: list[Covered], today: date) -> list[StaleAsset]:
    stale = [
        c.asset for c in covered if c.asset.review_by is not None and c.asset.review_by < today
    ]
    stale.sort(key=lambda a: (a.review_by or today, a.id or 0))
    return [
        StaleAsset(asset_id=a.id or 0, title=a.title, owner=a.owner, review_by=a.review_by or today)
        for a in stale[:STALE_MAX]
    ]
