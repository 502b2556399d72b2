"""Several processes on one database, for real: ``kms serve`` replicas and CLI commands.

Three replicas started at once on a fresh PostgreSQL database all become ready (the
schema is migrated once, under a lock). A CLI ingest while a server runs (SQLite and
PostgreSQL) reaches the server's keyword and vector indexes through the change log, and
the server's snapshot holds it when it stops. A replica killed with SIGKILL: the other
keeps serving, and the restarted one catches up from its snapshot and the change log
with the stored vectors — its /health counts the vectors it had to encode: none.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from replicas import (
    Replica,
    cli,
    hits,
    kill,
    replica_env,
    start_replica,
    stop,
    wait_found,
    wait_ready,
)
from sqlmodel import select

from kms.core.changelog import last_seq
from kms.core.config import Settings
from kms.core.models import Asset
from kms.services.app import Services
from kms.services.indexing import wanted_chunk_ids

pytestmark = pytest.mark.slow

DOCS = {
    "quokka": (
        "# Quokka Freight renewal playbook\n\nQUOKKA-7731: when a logistics customer renews, "
        "offer the fleet telemetry add-on and a two-year price lock.\n\n"
        "## 续约\n\n物流客户续约时，推荐车队遥测附加模块并锁定两年价格。\n"
    ),
    "heron": (
        "# Heron Mills onboarding checklist\n\nHERON-2208: a textile plant goes live in "
        "three weeks: data audit, line sensors, then the yield dashboard.\n"
    ),
}


def write_doc(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(DOCS[name], encoding="utf-8")
    return path


def title_of(name: str) -> str:
    return DOCS[name].splitlines()[0].removeprefix("# ")


def gap_detection_outcome(replica: Replica, timeout: float = 60.0) -> str:
    """What the replica's log says its first scheduled gap detection did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = replica.log_file.read_text(errors="replace")
        if "gap detection: another process holds" in text:
            return "skipped"
        if "gap detection: {" in text:
            return "ran"
        time.sleep(0.2)
    raise AssertionError(f"no gap detection in {replica.name}'s log:\n{replica.log_tail()}")


def ingest(env: dict[str, str], path: Path) -> None:
    result = cli({**env, "KMS_REPLICA_ID": ""}, "ingest", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.xdist_group("postgres")
def test_three_replicas_starting_at_once_on_a_fresh_database_become_ready(
    tmp_path: Path, pg_url: str
) -> None:
    replicas = [start_replica(tmp_path / f"r{i}", pg_url, f"r{i}") for i in range(3)]
    try:
        for replica in replicas:
            wait_ready(replica)
            assert replica.health()["index"]["pending"] == 0
        # scheduled gap detection: tried by each, run by the one holding the lease
        outcomes = [gap_detection_outcome(replica) for replica in replicas]
        assert sorted(outcomes) == ["ran", "skipped", "skipped"]
    finally:
        codes = [stop(replica) for replica in replicas]
    assert codes == [0, 0, 0]
    for replica in replicas:
        assert "Traceback" not in replica.log_file.read_text(errors="replace")


def test_cli_ingest_while_serving_reaches_both_halves_and_survives_the_stop(
    tmp_path: Path, engine_url: str
) -> None:
    data = tmp_path / "data"
    server = start_replica(data, engine_url, "server")
    try:
        wait_ready(server)
        ingest(server.env, write_doc(tmp_path / "docs", "quokka"))
        seconds, hit = wait_found(server, "QUOKKA-7731 fleet telemetry renewal", title_of("quokka"))
        print(f"CLI ingest visible on the server after {seconds:.2f} s")
        assert (
            wait_found(server, "物流客户续约 车队遥测", title_of("quokka"))[1]["asset_id"]
            == (hit["asset_id"])
        )
    finally:
        assert stop(server) == 0
    result = cli({**server.env, "KMS_REPLICA_ID": ""}, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    # the server's own snapshot, as it saved it on the way out, holds every chunk
    services = Services(Settings(data_dir=data, database_url=engine_url, replica_id="server"))
    follower = services.follower  # opened from the snapshot, not caught up
    with services.db.session() as session:
        wanted, top = wanted_chunk_ids(session), last_seq(session)
    assert wanted and follower.state.applied == top
    assert all(ids == wanted for ids in follower.index.ids_per_index().values())
    follower.stop()
    services.close()


@pytest.mark.xdist_group("postgres")
def test_a_killed_replica_catches_up_without_encoding(tmp_path: Path, pg_url: str) -> None:
    writer_env = replica_env(tmp_path / "cli", pg_url, "")
    a = start_replica(tmp_path / "a", pg_url, "a")
    b = start_replica(tmp_path / "b", pg_url, "b")
    try:
        wait_ready(a), wait_ready(b)
        ingest(writer_env, write_doc(tmp_path / "docs", "quokka"))
        for replica in (a, b):
            wait_found(replica, "QUOKKA-7731 fleet telemetry", title_of("quokka"))
        kill(b)
        ingest(writer_env, write_doc(tmp_path / "docs", "heron"))
        wait_found(a, "HERON-2208 textile onboarding", title_of("heron"))  # a keeps serving
        b = start_replica(tmp_path / "b", pg_url, "b")
        wait_ready(b)
        wait_found(b, "HERON-2208 textile onboarding", title_of("heron"))
        index = b.health()["index"]
        assert index["pending"] == 0
        assert index["indexed_chunks"] > 0 and index["encoded_vectors"] == 0
        assert [h["chunk_id"] for h in hits(a, "QUOKKA-7731")] == [
            h["chunk_id"] for h in hits(b, "QUOKKA-7731")
        ]
    finally:
        stop(a), stop(b)
    services = Services(Settings(data_dir=tmp_path / "cli", database_url=pg_url))
    with services.db.session() as session:
        assert len(session.exec(select(Asset)).all()) == 2
    services.close()


def test_two_replicas_share_one_keys_rate_limit(tmp_path: Path, engine_url: str) -> None:
    """A key allowed 2 requests a minute gets 2 in all from two replicas, not 2 from each
    (a token comes back every 30 s: the requests take far less)."""
    limited = {"KMS_RATE_LIMIT_PER_MINUTE": "2"}
    shared = tmp_path / "data"  # SQLite: one data dir (its database), one replica folder each
    a = start_replica(shared if not engine_url else tmp_path / "a", engine_url, "a", **limited)
    b = None
    try:
        wait_ready(a)  # first: it creates the development key both use
        b = start_replica(shared if not engine_url else tmp_path / "b", engine_url, "b", **limited)
        wait_ready(b)
        started = time.monotonic()
        statuses = []
        for replica in (a, b) * 4:
            with replica.client() as client:
                statuses.append((replica.name, client.get("/v1/me").status_code))
        elapsed = time.monotonic() - started
    finally:
        stop(a)
        if b is not None:
            stop(b)
    assert elapsed < 30, "too slow to tell: a token came back meanwhile"
    assert statuses == [("a", 200), ("b", 200)] + [("a", 429), ("b", 429)] * 3
