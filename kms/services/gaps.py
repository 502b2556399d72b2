"""Content gaps: detected from queries and the graph, or created by hand."""

from __future__ import annotations

from sqlmodel import Session, col, select

from index.analyzer import tokenize
from kms.models import AuditLog, Gap
from kms.models._types import utcnow
from kms.schemas import StageInfo
from kms.services.app import Caller, Services


def _norm_query(query: str) -> str:
    return " ".join(sorted(set(tokenize(query)))) or query.strip().lower()


def record_query_gap(
    services: Services, query: str, stage: StageInfo | None, caller: Caller, kind: str
) -> int:
    """Count a query that found nothing (or too little) as a gap; one row per query."""
    key = _norm_query(query)
    with services.db.session() as session:
        gap = session.exec(
            select(Gap).where(Gap.kind == kind, Gap.subject == f"query:{key}")
        ).first()
        if gap is None:
            gap = Gap(
                kind=kind,
                title=query.strip()[:200],
                query=query.strip(),
                stage_key=stage.key if stage else None,
                subject=f"query:{key}",
                teams=[],
                occurrences=0,
            )
        gap.occurrences += 1
        gap.teams = sorted(set(gap.teams) | set(caller.teams or []))
        gap.updated_at = utcnow()
        session.add(gap)
        session.commit()
        return gap.id or 0


def visible_gaps(session: Session, caller: Caller) -> list[Gap]:
    """Gaps a caller may see: query gaps raised by its teams (or by public callers)."""
    rows = session.exec(select(Gap).order_by(col(Gap.updated_at).desc())).all()
    return [
        g for g in rows if caller.teams is None or not g.teams or set(g.teams) & set(caller.teams)
    ]


def audit(session: Session, actor: str, action: str, target: str, **detail: object) -> None:
    session.add(AuditLog(actor=actor, action=action, target=target, detail=dict(detail)))
