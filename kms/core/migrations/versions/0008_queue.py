"""queue: uploads are named ``upload:<name>`` (workers on any machine ingest them from the
database), no longer by the path of the server's inbox folder

Revision ID: 0008_queue
Revises: 0004_accounts
Create Date: 2026-12-01 11:30:00
"""

from collections.abc import Sequence
from pathlib import PurePath

import sqlalchemy as sa
from alembic import op

revision: str = "0008_queue"
down_revision: str | None = "0004_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASSET = sa.table("asset", sa.column("id", sa.Integer), sa.column("source", sa.String))


def _renames(bind: sa.Connection, legacy: bool) -> list[tuple[int, str]]:
    """(id, new source) of uploaded documents: inbox path → ``upload:<name>`` (or back)."""
    if legacy:
        rows = bind.execute(
            sa.select(ASSET.c.id, ASSET.c.source).where(ASSET.c.source.like("upload:%"))
        )
        return [(i, f"uploads/{s[7:]}/{s[7:]}") for i, s in rows]
    rows = bind.execute(
        sa.select(ASSET.c.id, ASSET.c.source).where(ASSET.c.source.like("%uploads%"))
    )
    renames = []
    for asset_id, source in rows:
        path = PurePath(source)
        if len(path.parts) >= 3 and path.parts[-3] == "uploads" and path.parts[-2] == path.name:
            renames.append((asset_id, f"upload:{path.name}"))
    return renames


def _apply(renames: list[tuple[int, str]]) -> None:
    bind = op.get_bind()
    for asset_id, source in renames:
        bind.execute(sa.update(ASSET).where(ASSET.c.id == asset_id).values(source=source))


def upgrade() -> None:
    _apply(_renames(op.get_bind(), legacy=False))


def downgrade() -> None:
    # the inbox folder of a data dir is not known here: a relative path names it well enough
    _apply(_renames(op.get_bind(), legacy=True))
