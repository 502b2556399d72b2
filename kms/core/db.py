"""Database engine, sessions and schema migrations (Alembic).

SQLite runs in WAL mode so that readers never block the one writer; PostgreSQL is
chosen by ``KMS_DATABASE_URL``. ``open_database`` brings the schema to the newest
migration and synchronises the stages from the sales-process file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine, select

import kms.core.models  # noqa: F401  (registers every table)
from kms.core.config import Settings
from kms.core.models import Stage
from kms.core.resources import resource_path
from kms.core.stages import SalesProcess, load_sales_process


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    config = Config()
    config.set_main_option("script_location", str(resource_path("kms.core", "migrations")))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def sync_stages(session: Session, process: SalesProcess) -> None:
    """Make the Stage table equal to the sales-process file."""
    existing = {s.key: s for s in session.exec(select(Stage)).all()}
    for spec in process.stages:
        row = existing.pop(spec.key, None) or Stage(
            key=spec.key, name_zh=spec.names.zh, name_en=spec.names.en, order=spec.order
        )
        row.name_zh, row.name_en, row.order = spec.names.zh, spec.names.en, spec.order
        row.description = spec.description
        row.typical_questions = list(spec.typical_questions)
        row.asset_kinds = list(spec.asset_kinds)
        row.exit_criteria = list(spec.exit_criteria)
        row.crm_aliases = list(spec.crm_aliases)
        row.keywords = list(spec.keywords)
        session.add(row)
    for stale in existing.values():
        session.delete(stale)
    session.commit()


class Database:
    """The engine plus the sales process; opened once per process."""

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.engine = make_engine(settings.db_url)
        self.process = load_sales_process(settings.sales_process)
        migrate(self.engine)
        with Session(self.engine) as session:
            sync_stages(session, self.process)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
