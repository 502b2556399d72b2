"""scale-out: the index change log, stored embeddings and files, leases, shared rate
buckets, jobs a worker can resume, and one gap per kind and subject

Revision ID: 0002_scaleout
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002_scaleout"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AT = sqlmodel.sql.sqltypes.UTCDateTime
TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "blob",
        sa.Column("sha256", TEXT(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", AT(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "index_change",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("chunk_id", sa.Integer(), nullable=False),
        sa.Column("at", AT(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_index_change_chunk_id", "index_change", ["chunk_id"])
    op.create_table(
        "lease",
        sa.Column("name", TEXT(), nullable=False),
        sa.Column("holder", TEXT(), nullable=False),
        sa.Column("expires_at", AT(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "rate_bucket",
        sa.Column("key", TEXT(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "chunk_vector",
        sa.Column("chunk_id", sa.Integer(), nullable=False),
        sa.Column("model", TEXT(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["chunk_id"], ["chunk.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("chunk_id", "model"),
    )
    # gaps raised concurrently before this constraint: fold each kind+subject into its first
    op.execute(
        "UPDATE gap SET occurrences = (SELECT SUM(g.occurrences) FROM gap g "
        "WHERE g.kind = gap.kind AND g.subject = gap.subject) "
        "WHERE subject IS NOT NULL AND id = (SELECT MIN(g.id) FROM gap g "
        "WHERE g.kind = gap.kind AND g.subject = gap.subject)"
    )
    op.execute(
        "DELETE FROM gap WHERE subject IS NOT NULL AND id > (SELECT MIN(g.id) FROM gap g "
        "WHERE g.kind = gap.kind AND g.subject = gap.subject)"
    )
    with op.batch_alter_table("gap") as batch_op:
        batch_op.create_unique_constraint("uq_gap_kind_subject", ["kind", "subject"])
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("items", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("worker", TEXT(), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", AT(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_job_status", ["status"])


def downgrade() -> None:
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_index("ix_job_status")
        for column in ("attempts", "heartbeat_at", "worker", "items", "payload"):
            batch_op.drop_column(column)
    with op.batch_alter_table("gap") as batch_op:
        batch_op.drop_constraint("uq_gap_kind_subject", type_="unique")
    op.drop_table("chunk_vector")
    op.drop_table("rate_bucket")
    op.drop_table("lease")
    op.drop_index("ix_index_change_chunk_id", table_name="index_change")
    op.drop_table("index_change")
    op.drop_table("blob")
