"""``/metrics``: Prometheus text for admins only, with the series operators need."""

from __future__ import annotations

import re

import pytest
from apiserver import Server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]


def value(text: str, series: str) -> float:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match, f"{series} missing"
    return float(match.group(1))


def test_metrics_for_admins(server: Server) -> None:
    with server.client("rep") as rep:
        assert rep.post("/v1/search", json={"query": "DataForge", "log": False}).status_code == 200
        assert rep.get("/metrics").status_code == 403
        assert rep.get("/no/such/page/123").status_code == 404
    with server.client() as anyone:
        assert anyone.get("/metrics").status_code == 401
    with server.client("admin") as admin:
        response = admin.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert value(text, 'kms_request_seconds_count{method="POST",route="/v1/search"}') >= 1
    assert value(text, 'kms_search_seconds_count{route="/v1/search"}') >= 1
    assert 'route="unmatched"' in text and "/no/such/page" not in text
    assert value(text, 'kms_jobs{status="queued"}') >= 0
    assert value(text, 'kms_jobs{status="running"}') >= 0
    assert value(text, "kms_ingested_files_total") > 0  # the demo, ingested at start
    assert value(text, "kms_ingested_chunks_total") > 0
    assert value(text, 'kms_index_chunks{part="bm25"}') > 0
    assert value(text, 'kms_index_chunks{part="minilm"}') > 0
    assert value(text, 'kms_index_bytes{part="keyword-tantivy"}') > 0
    assert value(text, "kms_index_lag_seconds") == 0
