"""Concurrent searches (more than the server's search slots) get the answers sequential
ones get: the search gate queues them, and the shared indexes, embedders and query-vector
cache are safe to use from many request threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from apiserver import Server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]

QUERIES = [
    {"query": "客户说价格太高怎么办", "stage": "negotiation"},
    {"query": "how do we beat DataForge"},
    {"query": "ERR-LF-4012"},
    {"query": "工厂数据孤岛 报表要好几天", "stage": "discovery"},
    {"query": "security review questionnaire", "stage": "Proposal/Price Quote"},
    {"query": "续约 增购"},
]


def _results(server: Server, body: dict[str, str], who: str) -> list[tuple[int, int]]:
    with server.client(who) as client:
        response = client.post("/v1/search", json={**body, "log": False})
    assert response.status_code == 200, response.text
    return [(hit["asset_id"], hit["chunk_id"]) for hit in response.json()["results"]]


def test_concurrent_searches_match_sequential_ones(server: Server) -> None:
    jobs = [(body, who) for body in QUERIES for who in ("rep", "rep_emea")]
    sequential = [_results(server, body, who) for body, who in jobs]
    with ThreadPoolExecutor(12) as pool:
        concurrent = list(pool.map(lambda job: _results(server, *job), jobs * 2))
    assert concurrent == sequential * 2
    assert all(sequential)
