"""Database engine, sessions and schema migrations (Alembic).

SQLite runs in WAL mode so that readers never block the one writer; PostgreSQL is
chosen by ``KMS_DATABASE_URL``. ``open_database`` brings the schema to the newest
migration and synchronises the stages from the sales-process file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

import kms.core.models  # noqa: F401  (registers every table)
from kms.core.config import Settings
from kms.core.models import Stage
from kms.core.resources import resource_path
from kms.core.stages import SalesProcess, load_sales_process

WRITE_WAIT_S = 30.0  # how long a writer waits for the write lock
SIDE_WRITE_WAIT_S = 1.0  # ...and a best-effort write beside a read (query log, gap counts)
Row = TypeVar("Row", bound=SQLModel)


def _sqlite_pragmas(wait_s: float) -> Any:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(wait_s * 1000)}")
        cursor.close()

    return apply


def make_engine(url: str, wait_s: float = WRITE_WAIT_S) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": wait_s})
        event.listen(engine, "connect", _sqlite_pragmas(wait_s))
        return engine
    return create_engine(url, pool_pre_ping=True)


def insert_or_get(
    session: Session, model: type[Row], keys: dict[str, Any], row: Row
) -> tuple[Row, bool]:
    """The row of ``model`` with these unique ``keys``: ``row`` inserted when there is none
    (``INSERT ... ON CONFLICT DO NOTHING``, so two writers racing for the same keys end
    with one row and neither fails), else the stored one. Returns (row, inserted)."""
    session.flush()  # rows this one refers to must exist first
    table = model.__table__  # type: ignore[attr-defined]
    values = {
        c.name: getattr(row, c.name)
        for c in table.columns
        if not (c.primary_key and getattr(row, c.name) is None)
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=list(keys))
    inserted = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
    query = select(model).where(*[getattr(model, k) == v for k, v in keys.items()])
    stored = session.exec(query.execution_options(populate_existing=True)).one()
    return stored, inserted


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
        self._side_engine: Engine | None = None
        self.process = load_sales_process(settings.sales_process)
        migrate(self.engine)
        with Session(self.engine) as session:
            sync_stages(session, self.process)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def side_session(self) -> Iterator[Session]:
        """A session for a short best-effort write beside a read (the query log, a gap's
        count): it waits at most ``SIDE_WRITE_WAIT_S`` for the write lock, so a long
        writer elsewhere makes it fail fast instead of holding up a search."""
        if self._side_engine is None:
            self._side_engine = make_engine(self.settings.db_url, SIDE_WRITE_WAIT_S)
        with Session(self._side_engine, expire_on_commit=False) as session:
            if self._side_engine.dialect.name == "postgresql":
                wait_ms = int(SIDE_WRITE_WAIT_S * 1000)
                session.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
            yield session

    def close(self) -> None:
        if self._side_engine is not None:
            self._side_engine.dispose()
        self.engine.dispose()
