"""approvals and click-through: who approved an asset and when (results say "approved by
… on …"); how many results of each logged query its asker opened

Revision ID: 0007_approvals
Revises: 0006_answers
Create Date: 2026-12-01 14:30:00.000000

Assets approved before this revision keep no approver: their approval time is taken as
their last update, and results say the approver was not recorded.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_approvals"
down_revision: str | None = "0006_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approved_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.execute("UPDATE asset SET approved_at = updated_at WHERE status = 'approved'")
    with op.batch_alter_table("querylog", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clicks", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("querylog", schema=None) as batch_op:
        batch_op.drop_column("clicks")
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.drop_column("approved_at")
        batch_op.drop_column("approved_by")
