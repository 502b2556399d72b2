"""Token buckets in the database: a key's rate limit holds across every API replica.

One statement per request takes a token (insert a full bucket, or refill the existing
one for the time passed and take a token if one is there), so two replicas never grant
the same token. When the database cannot answer quickly (SQLite busy with a long
write), the request is let through and the miss is logged: a rate limit must never be
the reason a search fails.
"""

from __future__ import annotations

import logging

from sqlalchemy import case, literal
from sqlalchemy.exc import OperationalError

from kms.core.db import insert
from kms.core.models import RateBucket
from kms.services.app import Services

log = logging.getLogger("kms.ratelimit")


def take_token(services: Services, key: str, capacity: float, now: float) -> float:
    """Take a token from ``key``'s bucket (``capacity`` a minute); 0.0 when granted, else
    the seconds until the next token."""
    rate = capacity / 60.0
    table = RateBucket.__table__  # type: ignore[attr-defined]
    refill = table.c.tokens + (literal(now) - table.c.at) * rate
    level = case((refill > capacity, literal(capacity)), else_=refill)
    try:
        with services.db.side_session() as session:
            statement = insert(session, table).values(
                key=key, tokens=capacity - 1.0, at=now, granted=True
            )
            statement = statement.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "tokens": case((level >= 1.0, level - 1.0), else_=level),
                    "at": now,
                    "granted": level >= 1.0,
                },
            ).returning(table.c.tokens, table.c.granted)
            tokens, granted = session.execute(statement).one()
            session.commit()
    except OperationalError:
        log.warning("rate limit: the database was busy; request allowed")
        return 0.0
    return 0.0 if granted else (1.0 - float(tokens)) / rate
