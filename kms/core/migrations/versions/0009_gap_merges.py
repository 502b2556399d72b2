"""gap merges: a curator merges a question gap into another that asks the same thing (in
either language); the merged gap keeps its askers and points at the one it joined

Revision ID: 0009_gap_merges
Revises: 0008_draft_visibility
Create Date: 2026-12-01 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_gap_merges"
down_revision: str | None = "0008_draft_visibility"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gap", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_gap_merged_into"), ["merged_into"], unique=False)
        batch_op.create_foreign_key("fk_gap_merged_into_gap", "gap", ["merged_into"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("gap", schema=None) as batch_op:
        batch_op.drop_constraint("fk_gap_merged_into_gap", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_gap_merged_into"))
        batch_op.drop_column("merged_into")
