"""Writes never block reads: while another process holds the database's write lock (as a
long ingest would), searches, answers and recommendations still answer 200 — the query
log and gap counts are best-effort side writes that give up quickly and are logged."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from apiserver import Server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]


@contextmanager
def write_lock(server: Server) -> Iterator[None]:
    """Hold SQLite's write lock on the server's database from this process."""
    db = sqlite3.connect(server.data_dir / "kms.db", isolation_level=None, timeout=60)
    try:
        db.execute("BEGIN IMMEDIATE")
        yield
        db.execute("ROLLBACK")
    finally:
        db.close()


def test_reads_answer_while_another_process_holds_the_write_lock(server: Server) -> None:
    with server.client("rep") as rep:
        with write_lock(server):
            search = rep.post("/v1/search", json={"query": "how do we beat DataForge"})
            nothing = rep.post("/v1/search", json={"query": "qwxzv vbnmq zzkx"})  # a gap
            answer = rep.post("/v1/answer", json={"query": "qwxzv vbnmq zzkx"})
            recommend = rep.post("/v1/recommend", json={"stage": "negotiation"})
            for response in (search, nothing, answer, recommend):
                assert response.status_code == 200, response.text
            assert search.json()["results"] and search.json()["query_id"] is None
            assert answer.json()["gap_recorded"] is False
        after = rep.post("/v1/search", json={"query": "how do we beat DataForge"})
    assert after.status_code == 200 and after.json()["query_id"] is not None
    assert any("query log not recorded" in line for line in server.log_lines())
