"""The audit log: every curator and admin change, written in the change's own transaction."""

from __future__ import annotations

from sqlmodel import Session, col, select

from kms.core.models import AuditLog
from kms.core.schemas import AuditEntry, AuditPublic
from kms.services.app import Services


def audit(session: Session, actor: str, action: str, target: str, **detail: object) -> None:
    """Add an entry to ``session``; it commits (or rolls back) with the change it records."""
    session.add(AuditLog(actor=actor, action=action, target=target, detail=dict(detail)))


def list_audit(
    services: Services, action: str | None = None, offset: int = 0, limit: int = 50
) -> AuditPublic:
    """The audit log, newest first (admins only: it names every team's changes)."""
    with services.db.session() as session:
        query = select(AuditLog).order_by(col(AuditLog.id).desc())
        if action:
            query = query.where(AuditLog.action == action)
        rows = session.exec(query).all()
        page = [AuditEntry.model_validate(r, from_attributes=True) for r in rows[offset:][:limit]]
        return AuditPublic(data=page, count=len(rows))
