"""queue: uploads are named ``upload:<name>`` (workers on any machine ingest them from the
database), no longer by the path of the server's inbox folder; on PostgreSQL, the tables
and functions of procrastinate (the job queue)

Revision ID: 0005_queue
Revises: 0004_accounts
Create Date: 2026-12-01 11:30:00
"""

from collections.abc import Sequence
from pathlib import PurePath

import sqlalchemy as sa
from alembic import op

revision: str = "0005_queue"
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


# every procrastinate table, function and type in the current schema
DROP_PROCRASTINATE = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables
           WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%' LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
    EXECUTE 'DROP FUNCTION IF EXISTS ' || r.sig::text || ' CASCADE';
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'
             AND t.typtype IN ('e', 'c') LOOP
    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
  END LOOP;
END $$;
"""


def _run_script(bind: sa.Connection, script: str) -> None:
    """Run a multi-statement SQL script as it is (no parameters: a ``%`` stays a ``%``),
    in the migration's transaction."""
    cursor = bind.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(script)
    finally:
        cursor.close()


def upgrade() -> None:
    bind = op.get_bind()
    _apply(_renames(bind, legacy=False))
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        _run_script(bind, SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _run_script(bind, DROP_PROCRASTINATE)
    # the inbox folder of a data dir is not known here: a relative path names it well enough
    _apply(_renames(bind, legacy=True))
