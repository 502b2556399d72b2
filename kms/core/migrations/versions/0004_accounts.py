"""accounts: users, server-side sessions, sign-in lockout, single sign-on logins; API keys
for a user; the development key marked as such; who asked a query or gave feedback

Revision ID: 0004_accounts
Revises: 0003_ownership
Create Date: 2026-12-01 06:09:24.168156
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_accounts"
down_revision: str | None = "0003_ownership"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the "role" type exists since 0001 (apikey.role): PostgreSQL must not create it again
ROLE = sa.Enum("rep", "curator", "admin", name="role").with_variant(
    postgresql.ENUM("rep", "curator", "admin", name="role", create_type=False), "postgresql"
)


def upgrade() -> None:
    op.create_table(
        "loginflow",
        sa.Column("state_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("code_verifier", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("redirect_uri", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("next_path", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    with op.batch_alter_table("loginflow", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loginflow_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "loginthrottle",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "useraccount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("oidc_subject", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_signin_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("oidc_subject"),
    )
    with op.batch_alter_table("useraccount", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_useraccount_name"), ["name"], unique=True)

    op.create_table(
        "websession",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["useraccount.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("websession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_websession_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_websession_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("apikey", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("dev", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_foreign_key("fk_apikey_user_id", "useraccount", ["user_id"], ["id"])
    # keys an earlier start made from KMS_DEV_ADMIN_KEY: revoked at the next start without it
    op.execute(
        sa.text("UPDATE apikey SET dev = :yes WHERE name = 'development admin'").bindparams(
            yes=True
        )
    )

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))

    with op.batch_alter_table("querylog", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("querylog", schema=None) as batch_op:
        batch_op.drop_column("user_id")

    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_column("user_id")

    with op.batch_alter_table("apikey", schema=None) as batch_op:
        batch_op.drop_constraint("fk_apikey_user_id", type_="foreignkey")
        batch_op.drop_column("dev")
        batch_op.drop_column("user_id")

    with op.batch_alter_table("websession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_websession_user_id"))
        batch_op.drop_index(batch_op.f("ix_websession_expires_at"))

    op.drop_table("websession")
    with op.batch_alter_table("useraccount", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_useraccount_name"))

    op.drop_table("useraccount")
    op.drop_table("loginthrottle")
    with op.batch_alter_table("loginflow", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loginflow_expires_at"))

    op.drop_table("loginflow")
