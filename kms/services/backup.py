"""Online backup and restore of a knowledge base: the database and the stored files.

``backup(settings, dest)`` runs beside a live server or ingest:

1. it snapshots the database: SQLite through its online backup API (a consistent copy,
   WAL included, while others keep writing), PostgreSQL with ``pg_dump`` (a consistent
   snapshot of its own). The database holds everything the indexes are built from —
   chunks, their stored vectors, visibility — so the indexes are not copied;
2. it copies the stored source files of older data dirs (content-addressed, written
   atomically: a file present is complete) and writes ``backup.json`` (what, when,
   schema revision, counts).

``restore`` brings the database back and removes the data dir's index replicas: each
rebuilds from the restored database (stored vectors, no encoding) when it next opens, so
a restored data dir passes ``kms check``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from kms.core.config import Settings
from kms.core.db import Database
from kms.core.errors import InputError
from kms.core.models import Asset, Chunk
from kms.core.models._types import utcnow

MANIFEST = "backup.json"
SQLITE_FILE = "kms.db"
PG_DUMP_FILE = "kms.pgdump"
SKIP = shutil.ignore_patterns("*.lock", ".*.tmp")


@dataclass
class BackupReport:
    path: Path
    manifest: dict[str, Any]


def backup(settings: Settings, dest: Path) -> BackupReport:
    """A consistent online copy of the knowledge base in ``dest`` (new or empty)."""
    if dest.exists() and any(dest.iterdir()):
        raise InputError(f"{dest} is not empty: back up into a new folder", {"field": "dest"})
    dest.mkdir(parents=True, exist_ok=True)
    db = Database(settings)  # brings the schema up to date first, like every command
    try:
        counts = _counts(db)  # PostgreSQL: as the dump starts; SQLite: of the copy below
        kind = _snapshot_database(settings, db, dest)
        if kind == "sqlite":
            counts = _sqlite_counts(dest / SQLITE_FILE)
        if settings.files_dir.exists():
            shutil.copytree(settings.files_dir, dest / "files", ignore=SKIP)
        manifest = {
            "kms_backup": 1,
            "created_at": utcnow().isoformat(),
            "database": kind,
            "revision": _revision(db),
            **counts,
        }
    finally:
        db.close()
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return BackupReport(dest, manifest)


def _snapshot_database(settings: Settings, db: Database, dest: Path) -> str:
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database or "")
        target = sqlite3.connect(dest / SQLITE_FILE)
        try:
            source.backup(target)  # online and consistent: readers and writers go on
        finally:
            target.close()
            source.close()
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        dump = ["pg_dump", "--format=custom", f"--file={dest / PG_DUMP_FILE}"]
        subprocess.run([*dump, _libpq_url(settings.db_url)], check=True)
        return "postgresql"
    raise InputError(f"cannot back up a {url.get_backend_name()} database")


def restore(settings: Settings, src: Path, force: bool = False) -> dict[str, Any]:
    """Bring a backup back into the (empty, unless ``force``) data dir of ``settings``.
    Returns the backup's manifest. The index replicas are removed; each rebuilds from the
    restored database when it next opens."""
    manifest_path = src / MANIFEST
    if not manifest_path.is_file():
        raise InputError(f"{src} holds no {MANIFEST}: not a KMS backup", {"field": "src"})
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    if not force and _has_assets(settings):
        raise InputError(
            f"{settings.data_dir} already holds a knowledge base: restore into a fresh data "
            "dir, or pass --force to replace it",
            {"field": "data_dir"},
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = make_url(settings.db_url)
    if manifest["database"] == "sqlite" and url.get_backend_name() == "sqlite":
        target = Path(url.database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        copy = sqlite3.connect(src / SQLITE_FILE)
        into = sqlite3.connect(target)
        try:
            copy.backup(into)
        finally:
            into.close()
            copy.close()
    elif manifest["database"] == "postgresql" and url.get_backend_name() == "postgresql":
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner"]
        target_db = f"--dbname={_libpq_url(settings.db_url)}"
        subprocess.run([*command, target_db, str(src / PG_DUMP_FILE)], check=True)
    else:
        raise InputError(
            f"the backup holds a {manifest['database']} database; "
            f"this data dir uses {url.get_backend_name()}"
        )
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    if (src / "files").exists():
        shutil.copytree(src / "files", settings.files_dir, dirs_exist_ok=True)
    return manifest


def _has_assets(settings: Settings) -> bool:
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return False
    db = Database(settings)
    try:
        return _counts(db)["assets"] > 0
    finally:
        db.close()


def _counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        assets = session.exec(select(func.count()).select_from(Asset)).one()
        chunks = session.exec(select(func.count()).select_from(Chunk)).one()
    return {"assets": int(assets), "chunks": int(chunks)}


def _sqlite_counts(path: Path) -> dict[str, int]:
    """Assets and chunks in a SQLite copy (what the backup holds, not the live database)."""
    copy = sqlite3.connect(path)
    try:
        assets = copy.execute("SELECT count(*) FROM asset").fetchone()[0]
        chunks = copy.execute("SELECT count(*) FROM chunk").fetchone()[0]
    finally:
        copy.close()
    return {"assets": int(assets), "chunks": int(chunks)}


def _revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return str(row[0]) if row else None


def _libpq_url(url: str) -> str:
    """``postgresql+psycopg://...`` as libpq tools want it (``postgresql://...``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
