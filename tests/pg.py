"""A real PostgreSQL for the tests: Debian's server started by ``LocalPostgres``.

One server per xdist worker that runs PostgreSQL tests (mark them
``xdist_group("postgres")`` so ``--dist loadgroup`` puts them on one worker): it starts
once (about 5 s, most of it ``initdb``) in a fresh folder, and every test gets a database
of its own (``CREATE DATABASE`` takes ~0.2 s), dropped afterwards. The server is stopped
and its folder removed when the session ends; nothing relies on a server left running.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from kms.cluster.postgres import LocalPostgres

POSTGRES = pytest.mark.xdist_group("postgres")


def started_server() -> Iterator[LocalPostgres]:
    # as root the server runs as the postgres user, who must be able to reach the folder:
    # pytest's tmp dirs are private (0700), so the server gets a folder of its own
    root = Path(tempfile.mkdtemp(prefix="kms-test-pg-"))
    os.chmod(root, 0o755)
    server = LocalPostgres(root / "pg").start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def database_url(server: LocalPostgres, name: str) -> str:
    return server.url.rsplit("/", 1)[0] + f"/{name}"


def create_database(server: LocalPostgres) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(server: LocalPostgres, name: str) -> None:
    with psycopg.connect(server.dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
