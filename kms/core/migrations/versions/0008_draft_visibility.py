"""drafts hidden from reps inside retrieval: a draft's chunks carry draft visibility tokens
(``kms.core.teams.draft_tokens``), so every draft chunk is logged as changed and each index
replica re-indexes it with them as it follows the change log (no rebuild, no schema change)

Revision ID: 0008_draft_visibility
Revises: 0007_approvals
Create Date: 2026-12-01 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from kms.core.models._types import utcnow

revision: str = "0008_draft_visibility"
down_revision: str | None = "0007_approvals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX_CHANGE = sa.table(
    "index_change",
    sa.column("chunk_id", sa.Integer()),
    sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()),
)
DRAFT_CHUNKS = (
    "SELECT chunk.id FROM chunk JOIN asset ON asset.id = chunk.asset_id "
    "WHERE asset.status = 'draft' ORDER BY chunk.id"
)


def upgrade() -> None:
    _log_draft_chunks()


def downgrade() -> None:
    _log_draft_chunks()  # an older version indexes drafts with their plain teams again


def _log_draft_chunks() -> None:
    ids = op.get_bind().execute(sa.text(DRAFT_CHUNKS)).scalars().all()
    now = utcnow()
    for start in range(0, len(ids), 500):
        rows = [{"chunk_id": int(i), "at": now} for i in ids[start : start + 500]]
        op.bulk_insert(INDEX_CHANGE, rows)
