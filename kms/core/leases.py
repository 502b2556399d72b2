"""Leases: work that runs once per deployment, whichever process gets there first.

``take_lease(session, name, holder, seconds)`` claims a named lease with one atomic
statement (insert, or update an expired lease or one this holder already has), so two
replicas asking at once never both win. A lease is never released early: it expires,
which makes "once per interval" the rule even when the holder crashes.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from kms.core.db import insert
from kms.core.models import Lease
from kms.core.models._types import utcnow


def take_lease(session: Session, name: str, holder: str, seconds: float) -> bool:
    """Claim ``name`` for ``seconds`` (commits); True when this holder has it now."""
    now = utcnow()
    table = Lease.__table__  # type: ignore[attr-defined]
    statement = insert(session, table).values(
        name=name, holder=holder, expires_at=now + timedelta(seconds=seconds)
    )
    statement = statement.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        where=(table.c.expires_at < now) | (table.c.holder == holder),
    ).returning(table.c.name)
    won = session.execute(statement).first() is not None
    session.commit()
    return won
