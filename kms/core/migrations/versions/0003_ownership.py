"""ownership: an asset's identity is (source, team scope); entities and outcomes follow

- ``asset.scope``: the teams as one key (sorted, comma-joined; "" = public), unique
  together with ``source``, so the same file name, deal id or problem key in two teams
  is two assets;
- ``entity.scope``: the scope of the source that introduced an entity; unique
  (type, key, scope) instead of (type, key);
- ``outcome``: one per note asset (unique ``asset_id``); ``deal_id`` is no longer unique;
- reserved team names (``__...``) that older versions let in are removed from assets,
  gaps and keys (they stopped the server from starting).

Revision ID: 0003_ownership
Revises: 0002_scaleout
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_ownership"
down_revision: str | None = "0002_scaleout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESERVED_PREFIX = "__"
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s"}


def _teams(raw: Any) -> list[str]:
    value = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return sorted({str(t) for t in value if str(t) and not str(t).startswith(RESERVED_PREFIX)})


def _scope(teams: list[str]) -> str:
    return ",".join(sorted(set(teams)))


def _strip_reserved(conn: sa.Connection, table: str) -> None:
    for row_id, raw in conn.execute(sa.text(f"SELECT id, teams FROM {table}")).all():
        before = json.loads(raw) if isinstance(raw, str) else (raw or [])
        teams = _teams(raw)
        if teams != sorted(set(before)):
            conn.execute(
                sa.text(f"UPDATE {table} SET teams = :teams WHERE id = :id"),
                {"teams": json.dumps(teams), "id": row_id},
            )


def _backfill_assets(conn: sa.Connection) -> dict[int, str]:
    scopes: dict[int, str] = {}
    seen: set[tuple[str, str]] = set()
    rows = conn.execute(sa.text("SELECT id, source, teams FROM asset ORDER BY id")).all()
    for asset_id, source, raw in rows:
        scope = _scope(_teams(raw))
        scopes[asset_id] = scope
        if (source, scope) in seen:  # never happened by design; keep both, rename the later
            source = f"{source}#{asset_id}"
        seen.add((source, scope))
        conn.execute(
            sa.text("UPDATE asset SET scope = :scope, source = :source WHERE id = :id"),
            {"scope": scope, "source": source, "id": asset_id},
        )
    return scopes


def _backfill_entities(conn: sa.Connection, asset_scopes: dict[int, str]) -> None:
    """A problem takes its map entry's scope; any other entity the scope of the assets that
    are evidence for its edges: public if any is public (or it has none)."""
    evidence: dict[int, set[str]] = {}
    rows = conn.execute(
        sa.text("SELECT src_type, src_id, dst_type, dst_id, evidence_asset_id FROM relation")
    ).all()
    for src_type, src_id, dst_type, dst_id, asset_id in rows:
        for kind, ref in ((src_type, src_id), (dst_type, dst_id)):
            if kind == "entity" and str(ref).isdigit():
                scope = "" if asset_id is None else asset_scopes.get(asset_id, "")
                evidence.setdefault(int(ref), set()).add(scope)
    for entity_id, type_, meta in conn.execute(sa.text("SELECT id, type, meta FROM entity")).all():
        info = json.loads(meta) if isinstance(meta, str) else (meta or {})
        if type_ == "problem" and info.get("asset_id") in asset_scopes:
            scope = asset_scopes[info["asset_id"]]
        else:
            scopes = evidence.get(entity_id, {""})
            scope = "" if "" in scopes else min(scopes)
        conn.execute(
            sa.text("UPDATE entity SET scope = :scope WHERE id = :id"),
            {"scope": scope, "id": entity_id},
        )


def upgrade() -> None:
    conn = op.get_bind()
    with op.batch_alter_table("asset") as batch:
        batch.add_column(
            sa.Column(
                "scope", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
    for table in ("asset", "gap", "apikey"):
        _strip_reserved(conn, table)
    asset_scopes = _backfill_assets(conn)
    with op.batch_alter_table("asset") as batch:  # indexes only: no table rebuild
        batch.create_index("ix_asset_scope", ["scope"], unique=False)
        batch.create_index("uq_asset_source_scope", ["source", "scope"], unique=True)

    with op.batch_alter_table("entity") as batch:
        batch.add_column(
            sa.Column(
                "scope", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
    _backfill_entities(conn, asset_scopes)
    if conn.dialect.name == "postgresql":
        op.drop_constraint("entity_type_key_key", "entity", type_="unique")
        with op.batch_alter_table("entity") as batch:
            batch.create_index("ix_entity_scope", ["scope"], unique=False)
            batch.create_unique_constraint("uq_entity_type_key_scope", ["type", "key", "scope"])
    else:
        with op.batch_alter_table("entity", naming_convention=NAMING) as batch:
            batch.drop_constraint("uq_entity_type_key", type_="unique")
            batch.create_index("ix_entity_scope", ["scope"], unique=False)
            batch.create_unique_constraint("uq_entity_type_key_scope", ["type", "key", "scope"])

    with op.batch_alter_table("outcome") as batch:
        batch.drop_index("ix_outcome_deal_id")
        batch.drop_index("ix_outcome_asset_id")
        batch.create_index("ix_outcome_deal_id", ["deal_id"], unique=False)
        batch.create_index("ix_outcome_asset_id", ["asset_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("outcome") as batch:
        batch.drop_index("ix_outcome_asset_id")
        batch.drop_index("ix_outcome_deal_id")
        batch.create_index("ix_outcome_asset_id", ["asset_id"], unique=False)
        batch.create_index("ix_outcome_deal_id", ["deal_id"], unique=True)
    with op.batch_alter_table("entity") as batch:
        batch.drop_constraint("uq_entity_type_key_scope", type_="unique")
        batch.drop_index("ix_entity_scope")
        batch.drop_column("scope")
        batch.create_unique_constraint("uq_entity_type_key", ["type", "key"])
    op.drop_index("uq_asset_source_scope", table_name="asset")
    op.drop_index("ix_asset_scope", table_name="asset")
    op.execute("ALTER TABLE asset DROP COLUMN scope")  # no rebuild: other tables refer to it
