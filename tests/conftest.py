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
from filelock import FileLock

from kms.config import Settings

REPO = Path(__file__).resolve().parents[1]
EMBED_CACHE = REPO / ".cache" / "test-embeddings"


def demo_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, embed_cache_dir=EMBED_CACHE)


def _build_demo(data_dir: Path) -> None:
    from kms.demo import demo_sources
    from kms.services.app import Services
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
