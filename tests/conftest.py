"""Shared fixtures: a demo knowledge base built once per test run, with real parts.

The demo knowledge base (demo/ plus the shared article) is ingested with the real
embedding models into one directory per run; xdist workers share it through a file
lock. Tests that change data copy it first. Embeddings are cached by content hash in
``.cache/test-embeddings`` so a second run does not encode again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.nodeid import NodeId
from filelock import FileLock

from kms.core.config import Settings


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make ``--dist loadgroup`` group again under pytest 9.

    pytest-xdist 3.8 marks a grouped test by appending ``@group`` to ``item._nodeid``,
    which pytest 9 no longer reads (the id lives in ``item._id``), so every group was
    spread over the workers and each started its own server. Do the same on ``_id``.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted(
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        )
        if names and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")  # type: ignore[attr-defined]


REPO = Path(__file__).resolve().parents[1]
EMBED_CACHE = REPO / ".cache" / "test-embeddings"


def demo_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, embed_cache_dir=EMBED_CACHE)


def _build_demo(data_dir: Path) -> None:
    from kms.services.app import Services
    from kms.services.demo import demo_sources
    from kms.services.ingest import ingest_paths

    services = Services(demo_settings(data_dir))
    for paths, meta in demo_sources():
        ingest_paths(services, paths, meta, created_by="tests")
    services.close()


@pytest.fixture(scope="session")
def demo_kb(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A data directory holding the ingested demo knowledge base (read-only for tests)."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent
    target = root / "demo-kb"
    with FileLock(str(root / "demo-kb.lock")):
        if not (target / "ready").exists():
            shutil.rmtree(target, ignore_errors=True)
            _build_demo(target)
            (target / "ready").touch()
    return target


@pytest.fixture()
def demo_copy(demo_kb: Path, tmp_path: Path) -> Path:
    """A private copy of the demo knowledge base that a test may change."""
    target = tmp_path / "kb"
    shutil.copytree(demo_kb, target, ignore=shutil.ignore_patterns("ready"))
    return target


@pytest.fixture(scope="session")
def demo_services(demo_kb: Path) -> Iterator[object]:
    from kms.services.app import Services

    services = Services(demo_settings(demo_kb))
    yield services
    services.db.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """A PostgreSQL server for this session (see tests/pg.py)."""
    from pg import started_server

    yield from started_server()


@pytest.fixture()
def pg_url(postgres_server: object) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty PostgreSQL database for this test."""
    from pg import create_database, database_url, drop_database

    from kms.cluster.postgres import LocalPostgres

    assert isinstance(postgres_server, LocalPostgres)
    name = create_database(postgres_server)
    yield database_url(postgres_server, name)
    drop_database(postgres_server, name)


ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.xdist_group("postgres"))]


@pytest.fixture(params=ENGINES)
def engine_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database on each engine: a SQLite file, or a PostgreSQL database.
    Empty for SQLite means the default (``kms.db`` in the data dir)."""
    if request.param == "sqlite":
        return ""
    return str(request.getfixturevalue("pg_url"))
