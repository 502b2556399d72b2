"""Migrations: an older database upgrades in place (foreign keys on, rows kept) to a schema
equal to the models, and 0003_ownership gives every asset and entity its team scope."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from kms.core.config import Settings
from kms.core.db import make_engine, ours
from kms.core.resources import resource_path

NOW = "2026-01-01 00:00:00"


def upgrade(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(resource_path("kms.core", "migrations")))
    with make_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def add_asset(db: sqlite3.Connection, asset_id: int, source: str, teams: list[str]) -> None:
    db.execute(
        "INSERT INTO asset (id, kind, source_type, title, source, content_hash, language, status,"
        " teams, meta, created_at, updated_at) VALUES (?, 'document', 'document', 't', ?, 'h',"
        " 'en', 'draft', ?, '{}', ?, ?)",
        (asset_id, source, json.dumps(teams), NOW, NOW),
    )
    db.execute(
        "INSERT INTO chunk (asset_id, ordinal, text, language, content_hash, entity_ids)"
        " VALUES (?, 0, 'x', 'en', 'h', '[]')",
        (asset_id,),
    )


def test_0003_upgrades_a_database_with_rows_in_place(tmp_path: Path) -> None:
    url = Settings(data_dir=tmp_path).db_url
    upgrade(url, "0001")
    db = sqlite3.connect(tmp_path / "kms.db")
    add_asset(db, 1, "plan.md", ["team-b", "__public__"])  # a reserved name older code let in
    add_asset(db, 2, "problem:gap", ["team-a"])
    db.execute(
        "INSERT INTO entity (id, type, key, name_en, name_zh, aliases, description, meta)"
        " VALUES (1, 'problem', 'gap', 'Gap', '', '[]', '', ?)",
        (json.dumps({"asset_id": 2}),),
    )
    db.execute(
        "INSERT INTO outcome (asset_id, deal_id, account, industry, segment, region, competitors,"
        " products, problems, outcome, currency, reasons, notes)"
        " VALUES (1, 'D-1', '', '', '', '', '[]', '[]', '[]', 'won', 'USD', '[]', '')"
    )
    db.commit()
    db.close()
    upgrade(url, "head")
    db = sqlite3.connect(tmp_path / "kms.db")
    assert db.execute("SELECT id, teams, scope FROM asset ORDER BY id").fetchall() == [
        (1, '["team-b"]', "team-b"),
        (2, '["team-a"]', "team-a"),
    ]
    assert db.execute("SELECT scope FROM entity").fetchall() == [("team-a",)]
    assert db.execute("SELECT count(*) FROM chunk").fetchone() == (2,)
    db.close()
    with make_engine(url).connect() as connection:
        assert (
            compare_metadata(
                MigrationContext.configure(connection, opts={"include_object": ours}),
                SQLModel.metadata,
            )
            == []
        )


def test_0008_logs_every_draft_chunk_so_replicas_hide_it_from_reps(tmp_path: Path) -> None:
    """Replicas built before 0008 indexed drafts with their plain teams: the upgrade logs
    each draft chunk as changed, so following the log re-indexes it with draft tokens."""
    url = Settings(data_dir=tmp_path).db_url
    upgrade(url, "0007_approvals")
    db = sqlite3.connect(tmp_path / "kms.db")
    add_asset(db, 1, "draft.md", ["team-a"])
    add_asset(db, 2, "approved.md", [])
    db.execute("UPDATE asset SET status = 'approved' WHERE id = 2")
    db.commit()
    drafts = db.execute("SELECT id FROM chunk WHERE asset_id = 1").fetchall()
    assert db.execute("SELECT count(*) FROM index_change").fetchone() == (0,)
    db.close()
    upgrade(url, "head")
    db = sqlite3.connect(tmp_path / "kms.db")
    assert db.execute("SELECT chunk_id FROM index_change").fetchall() == drafts
    db.close()


@pytest.mark.xdist_group("postgres")
def test_postgres_downgrade_and_upgrade_round_trip(pg_url: str) -> None:
    """On PostgreSQL: head → base leaves no table or enum type behind, and base → head
    again gives a schema equal to the models."""
    from kms.core.db import downgrade, migrate

    engine = make_engine(pg_url)
    assert migrate(engine)
    downgrade(engine, "base")
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
        enums = connection.execute(text("SELECT typname FROM pg_type WHERE typtype = 'e'")).all()
        functions = connection.execute(
            text("SELECT proname FROM pg_proc WHERE proname LIKE 'procrastinate%'")
        ).all()
    assert tables == set() and enums == [] and functions == []
    assert migrate(engine)
    with engine.connect() as connection:
        assert (
            compare_metadata(
                MigrationContext.configure(connection, opts={"include_object": ours}),
                SQLModel.metadata,
            )
            == []
        )
    engine.dispose()
