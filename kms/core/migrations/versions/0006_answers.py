"""answers: the furthest stage each deal reached (win/loss evidence filters deals that
*reached* a stage; a won deal passed every stage up to its win); a gap's context (the
asker's filters) and notes (ask an expert, thumbs-down reasons); why a result did not help

Revision ID: 0006_answers
Revises: 0005_queue
Create Date: 2026-12-01 10:40:00.000000

Existing outcomes take their recorded stage as the furthest one (the demo and CRM notes
record a win at its closing stage); a re-ingested note recomputes it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_answers"
down_revision: str | None = "0005_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("furthest_stage", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_outcome_furthest_stage"), ["furthest_stage"], unique=False
        )
    op.execute("UPDATE outcome SET furthest_stage = stage_key")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table("gap", schema=None) as batch_op:
        batch_op.add_column(sa.Column("context", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("notes", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("gap", schema=None) as batch_op:
        batch_op.drop_column("notes")
        batch_op.drop_column("context")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("reason")
    with op.batch_alter_table("outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_furthest_stage"))
        batch_op.drop_column("furthest_stage")
