"""Database engine, sessions and schema migrations (Alembic).

SQLite runs in WAL mode so that readers never block the one writer; PostgreSQL is
chosen by ``KMS_DATABASE_URL``. Opening a ``Database`` brings the schema to the newest
migration and the stages to the sales-process file — once per deployment, not once per
process: the work runs under a lock (a PostgreSQL advisory lock, a file lock beside a
SQLite file) and is skipped when the schema is already at the head, so replicas that
start together never race. ``kms migrate`` does the same from a deploy script.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, create_engine, select

import kms.core.models  # noqa: F401  (registers every table)
from kms.core.config import Settings
from kms.core.errors import ConfigError
from kms.core.models import Stage
from kms.core.resources import resource_path
from kms.core.stages import SalesProcess, load_sales_process

WRITE_WAIT_S = 30.0  # how long a writer waits for the write lock
SIDE_WRITE_WAIT_S = 5.0  # ...and a best-effort write beside a read (query log, gap counts)
Row = TypeVar("Row", bound=SQLModel)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_ms: int = 30_000) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: a kill -9 loses no commit
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, immediate: bool = False, busy_s: float = WRITE_WAIT_S) -> Engine:
    """An engine for ``url``. ``immediate`` (SQLite): every transaction starts with
    ``BEGIN IMMEDIATE``, taking the write lock before its first read, so a read-modify-write
    never works from a stale snapshot (PostgreSQL uses row locks for that instead)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_s})
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=int(busy_s * 1000)))
        if immediate:
            event.listen(engine, "connect", _no_implicit_begin)
            event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the "begin" event issues BEGIN itself


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


MIGRATION_LOCK = 0x4B4D53  # the advisory lock key on PostgreSQL ("KMS")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resource_path("kms.core", "migrations")))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, process: SalesProcess | None = None, revision: str = "head") -> bool:
    """Bring the schema to ``revision`` (and the stages to ``process``) unless it is there
    already; returns whether anything ran. Safe to call from many processes at once."""
    if revision == "head" and process is None:
        with engine.connect() as connection:
            if current_revision(connection) == head_revision():
                return False
    with _migration_lock(engine) as connection:
        ran = revision != "head" or current_revision(connection) != head_revision()
        if ran:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        if process is not None:
            with Session(bind=connection) as session:
                sync_stages(session, process)
        return ran


def downgrade(engine: Engine, revision: str) -> None:
    with _migration_lock(engine) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the deployment-wide migration lock."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            yield connection
        return
    database = engine.url.database
    lock = FileLock(f"{database}.migrate.lock") if database and database != ":memory:" else None
    with lock if lock is not None else nullcontext(), engine.begin() as connection:
        yield connection


def sync_stages(session: Session, process: SalesProcess) -> None:
    """Make the Stage table equal to the sales-process file (writes only what differs)."""
    existing = {s.key: s for s in session.exec(select(Stage)).all()}
    if _stages_match(existing, process):
        return
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


def _stages_match(existing: dict[str, Stage], process: SalesProcess) -> bool:
    if set(existing) != {spec.key for spec in process.stages}:
        return False
    return all(
        (row.name_zh, row.name_en, row.order, row.description, list(row.typical_questions))
        == (
            spec.names.zh,
            spec.names.en,
            spec.order,
            spec.description,
            list(spec.typical_questions),
        )
        and (list(row.asset_kinds), list(row.exit_criteria), list(row.crm_aliases))
        == (list(spec.asset_kinds), list(spec.exit_criteria), list(spec.crm_aliases))
        and list(row.keywords) == list(spec.keywords)
        for spec in process.stages
        if (row := existing[spec.key]) is not None
    )


class Database:
    """The engine plus the sales process; opened once per process."""

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.engine = make_engine(settings.db_url)
        postgres = self.engine.dialect.name == "postgresql"
        self.write_engine = self.engine if postgres else make_engine(settings.db_url, True)
        self.side_engine = make_engine(settings.db_url, busy_s=SIDE_WRITE_WAIT_S)
        self.process = load_sales_process(settings.sales_process)
        if settings.auto_migrate:
            migrate(self.engine, self.process)
        else:
            self._check_schema()

    def _check_schema(self) -> None:
        with self.engine.connect() as connection:
            current = current_revision(connection)
        if current != head_revision():
            raise ConfigError(
                f"the database schema is at {current or 'nothing'}, not {head_revision()}: "
                "run `kms migrate` first"
            )

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Reads, and writes that are single atomic statements."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A read-modify-write transaction: holds SQLite's write lock from its start; on
        PostgreSQL lock the rows you read with ``with_for_update()``."""
        with Session(self.write_engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def side_session(self) -> Iterator[Session]:
        """A session for a short best-effort write beside a read (the query log, a gap's
        count, a rate-limit token): it waits at most ``SIDE_WRITE_WAIT_S`` for a lock, so a
        long writer elsewhere makes it fail fast instead of holding up a search."""
        with Session(self.side_engine, expire_on_commit=False) as session:
            if self.postgres:
                wait_ms = int(SIDE_WRITE_WAIT_S * 1000)
                session.execute(text(f"SET LOCAL lock_timeout = {wait_ms}"))
            yield session

    def close(self) -> None:
        for engine in {self.engine, self.write_engine, self.side_engine}:
            engine.dispose()


def serialize(session: Session, name: str) -> None:
    """Make writers of the same ``name`` (an asset's source...) take turns until this
    transaction ends: a PostgreSQL transaction-scoped advisory lock on the name's hash.
    SQLite needs none: its write transactions begin with the database's write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def insert(session: Session, table: Any) -> Any:
    """``INSERT`` for the session's dialect, with ``on_conflict_do_update`` / ``_do_nothing``
    (PostgreSQL and SQLite spell them alike): for upserts that two writers cannot race."""
    from sqlalchemy.dialects import postgresql, sqlite

    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


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
    statement = insert(session, table).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    inserted = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
    query = select(model).where(*[getattr(model, k) == v for k, v in keys.items()])
    stored = session.exec(query.execution_options(populate_existing=True)).one()
    return stored, inserted


def ours(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    """Alembic's ``include_object``: the schema objects our models describe (not the queue
    library's ``procrastinate_*`` tables, which its own schema script creates)."""
    table = getattr(obj, "table", None)
    names = (name or "", getattr(table, "name", "") or "")
    return not any(n.startswith("procrastinate") for n in names)
