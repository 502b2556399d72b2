"""Results are documents, and both the CLI and the API page through them with an offset:
results 51–100 of a query that 120 documents answer, the same through both, ``total``
counting documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.apiserver import Server, start_server, stop_server
from tests.conftest import EMBED_CACHE, REPO

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("paging")]

DOCUMENTS = 120
QUERY = "renewal notice period 续约通知期"


def kms(data_dir: Path, *args: str) -> str:
    env = {
        **os.environ,
        "KMS_DATA_DIR": str(data_dir),
        "KMS_EMBED_CACHE_DIR": str(EMBED_CACHE),
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", "kms.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("paging")
    corpus = root / "corpus"
    corpus.mkdir()
    for i in range(DOCUMENTS):
        body = (
            f"# Contract {i:03d}\n\nThe renewal notice period of contract {i:03d} is {i % 9 + 1} "
            f"months before the end of term, and the customer in region {i % 7} confirms "
            f"the renewal in writing.\n\n合同{i:03d}的续约通知期为期满前{i % 9 + 1}个月。\n"
        )
        (corpus / f"contract-{i:03d}.md").write_text(body, encoding="utf-8")
    data = root / "data"
    kms(data, "ingest", str(corpus))
    return data


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[Server]:
    running = start_server(data_dir, {"KMS_DEMO": None, "KMS_RATE_LIMIT_PER_MINUTE": "100000"})
    yield running
    stop_server(running)


def cli_page(data_dir: Path, offset: int) -> dict[str, object]:
    out = kms(data_dir, "search", QUERY, "--limit", "50", "--offset", str(offset), "--json")
    return json.loads(out)  # type: ignore[no-any-return]


def test_cli_and_api_page_to_results_51_to_100(data_dir: Path, server: Server) -> None:
    first, second = cli_page(data_dir, 0), cli_page(data_dir, 50)
    assert second["offset"] == 50 and second["total"] == DOCUMENTS
    cli_ids = [hit["asset_id"] for hit in second["results"]]  # type: ignore[attr-defined]
    assert len(cli_ids) == 50
    first_ids = {hit["asset_id"] for hit in first["results"]}  # type: ignore[attr-defined]
    assert not first_ids & set(cli_ids)  # documents, each on one page only
    with server.client("admin") as client:
        body = {"query": QUERY, "limit": 50, "offset": 50, "log": False}
        response = client.post("/v1/search", json=body)
        assert response.status_code == 200, response.text
        api = response.json()
        last = client.post("/v1/search", json={**body, "offset": 100}).json()
    assert api["total"] == DOCUMENTS and api["offset"] == 50
    assert [hit["asset_id"] for hit in api["results"]] == cli_ids
    seen = first_ids | set(cli_ids) | {hit["asset_id"] for hit in last["results"]}
    assert len(last["results"]) == DOCUMENTS - 100 and len(seen) == DOCUMENTS


def test_the_cli_prints_the_range_it_shows(data_dir: Path) -> None:
    out = kms(data_dir, "search", QUERY, "--limit", "50", "--offset", "50")
    assert f"51–100 of {DOCUMENTS} documents" in out
    assert "\n51. Contract" in out and "\n100. Contract" in out


def test_the_cli_refuses_a_page_over_the_limit(data_dir: Path) -> None:
    env = {**os.environ, "KMS_DATA_DIR": str(data_dir), "KMS_EMBED_CACHE_DIR": str(EMBED_CACHE)}
    done = subprocess.run(
        [sys.executable, "-m", "kms.cli", "search", QUERY, "--limit", "51"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2
    assert "limit must be at most 50" in done.stderr
