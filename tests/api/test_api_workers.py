"""Two API replicas and two ``kms worker`` processes on one database: SQLite (the job
table, polled) and a real PostgreSQL (procrastinate's workers).

Uploads are stored and queued by the replica that receives them; a worker runs the job;
the other replica follows the change log and finds the document in both halves of its
index. A worker killed with SIGKILL mid-job leaves the job to the other one, which
finishes it exactly once (one asset per file, nothing ingested twice).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from apiserver import (
    EMBED_CACHE,
    REPO,
    Server,
    start_server,
    stop_process,
    stop_server,
    wait_for_job,
)
from sqlmodel import Session, create_engine, func, select

from kms.core.models import Asset, Job

pytestmark = pytest.mark.xdist_group("workers")

HEARTBEAT_S = "0.5"  # a killed worker's job is taken over 3 s later


@dataclass
class Cluster:
    data_dir: Path
    database_url: str
    replicas: list[Server]
    workers: list[subprocess.Popen[bytes]]

    def engine(self):  # type: ignore[no-untyped-def]
        return create_engine(self.database_url or f"sqlite:///{self.data_dir / 'kms.db'}")

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        return start_worker(self.data_dir, name, self.database_url)


def start_worker(data_dir: Path, name: str, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KMS_DATABASE_URL": database_url,
        "KMS_DATA_DIR": str(data_dir),
        "KMS_EMBED_CACHE_DIR": str(EMBED_CACHE),
        "KMS_JOB_HEARTBEAT_S": HEARTBEAT_S,
    }
    log = (data_dir.parent / f"worker-{name}.log").open("wb")
    command = [sys.executable, "-m", "kms.cli", "worker", "--poll", "0.3"]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    url = ""
    if request.param == "postgres":
        from pg import create_database, database_url

        server = request.getfixturevalue("postgres_server")
        url = database_url(server, create_database(server))
    data_dir = tmp_path_factory.mktemp(f"cluster-{request.param}") / "data"
    env: dict[str, str | None] = {
        "KMS_DATABASE_URL": url or None,
        "KMS_IN_PROCESS_WORKER": "false",
        "KMS_RATE_LIMIT_PER_MINUTE": "100000",
        "KMS_JOB_HEARTBEAT_S": HEARTBEAT_S,
    }
    a = start_server(data_dir, {**env, "KMS_REPLICA_ID": "a"}, name="a")
    replicas = [a]
    workers: list[subprocess.Popen[bytes]] = []
    try:
        replicas.append(start_server(data_dir, {**env, "KMS_REPLICA_ID": "b"}, name="b"))
        workers += [start_worker(data_dir, "1", url), start_worker(data_dir, "2", url)]
        yield Cluster(data_dir, url, replicas, workers)
    finally:
        for process in workers:
            stop_process(process)
        for server in replicas:
            stop_server(server)


def briefs(count: int) -> list[tuple[str, str]]:
    """``count`` text files of six paragraphs each: a job that takes a while to ingest."""
    return [
        (
            f"regional-brief-{n:02d}.txt",
            "\n\n".join(
                f"Regional brief {n}, part {p}: territory {n * 31 + p} renewals, "
                f"pipeline coverage {n}.{p}x and the objections heard in quarter {p}. " * 4
                for p in range(6)
            ),
        )
        for n in range(count)
    ]


def upload(server: Server, files: list[tuple[str, str]]) -> int:
    with server.client("admin") as client:
        parts = [("files", (name, text.encode(), "text/plain")) for name, text in files]
        response = client.post("/v1/ingest", files=parts, data={"status": "approved"})
        assert response.status_code == 202, response.text
        return int(response.json()["job_id"])


def wait_until(check, timeout: float = 300.0):  # type: ignore[no-untyped-def]
    """Poll ``check`` until it returns something truthy. The bounds in these tests are
    generous on purpose (a worker's first job loads the models, on a busy machine): they
    catch a job that never ends, not a slow one; speed is measured in bench/perf.py."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_an_upload_on_one_replica_is_found_by_the_other_in_both_halves(cluster: Cluster) -> None:
    a, b = cluster.replicas
    token = "Zephyrine"
    text = (
        f"{token} onboarding playbook. Customers in the {token} pilot get a dedicated "
        "success manager, weekly check-ins and a migration runbook for their legacy CRM."
    )
    job_id = upload(a, [("zephyrine-playbook.txt", text)])
    with a.client("admin") as client:
        job = wait_for_job(client, job_id, timeout=900)
    assert job["status"] == "done" and job["added"] == 1, job

    def hit() -> dict[str, object] | None:
        with b.client("admin") as client:
            results = client.post("/v1/search", json={"query": f"{token} onboarding"}).json()
        for result in results["results"]:
            if token in result["title"] or token in result["snippet"]:
                return result
        return None

    found = wait_until(hit)
    signals = {w["signal"] for w in found["why"]}
    assert "bm25" in signals, signals  # the keyword half
    assert signals & {"minilm", "use"}, signals  # a vector half
    for server in (a, b):
        with server.client("admin") as client:
            report = client.get("/v1/index/check").json()
        assert report["ok"], report
        assert report["replica"] in ("a", "b")


def test_a_worker_killed_mid_job_leaves_it_to_the_other_exactly_once(cluster: Cluster) -> None:
    a = cluster.replicas[0]
    files = briefs(16)
    job_id = upload(a, files)
    engine = cluster.engine()

    def running_worker() -> str | None:
        with Session(engine) as session:
            job = session.get(Job, job_id)
            if job is not None and job.status == "running" and job.done >= 1 and job.worker:
                return job.worker
        return None

    holder = wait_until(running_worker, timeout=900)
    pid = int(holder.rsplit(":", 1)[1])
    victim = next(w for w in cluster.workers if w.pid == pid)
    os.kill(pid, signal.SIGKILL)
    victim.wait()
    with a.client("admin") as client:
        job = wait_for_job(client, job_id, timeout=900)
    assert job["status"] == "done", job
    assert job["done"] == job["total"] == len(files)
    assert job["failed"] == 0 and job["added"] == len(files), job
    with Session(engine) as session:
        stored = session.get(Job, job_id)
        # taken over once — or more on an overloaded machine, where a live worker can look
        # silent: it then stops between files (tests/test_job_lease.py)
        assert stored is not None and stored.attempts >= 2
        assert stored.worker != holder
        sources = [f"upload:{name}" for name, _ in files]
        per_source = session.exec(
            select(Asset.source, func.count())
            .where(Asset.source.in_(sources))
            .group_by(Asset.source)  # type: ignore[attr-defined]
        ).all()
    assert sorted(per_source) == sorted((s, 1) for s in sources)
    cluster.workers.remove(victim)


def test_a_job_queued_while_no_worker_runs_is_run_when_one_starts(cluster: Cluster) -> None:
    for process in cluster.workers:
        stop_process(process)
    cluster.workers.clear()
    a = cluster.replicas[0]
    job_id = upload(a, [("late-note.txt", "A note uploaded while every worker was stopped.")])
    with a.client("admin") as client:
        time.sleep(1.0)
        assert client.get(f"/v1/jobs/{job_id}").json()["status"] == "queued"
        cluster.workers.append(cluster.start_worker("3"))
        job = wait_for_job(client, job_id, timeout=900)
    assert job["status"] == "done" and job["added"] == 1, job


def test_a_server_killed_during_an_upload_job_finishes_it_after_a_restart(
    tmp_path: Path,
) -> None:
    """The embedded default: one server runs its own jobs. SIGKILL it mid-job; the restarted
    server takes the silent job over, and every file is stored once, indexes equal to the
    database."""
    data_dir = tmp_path / "data"
    env: dict[str, str | None] = {"KMS_JOB_HEARTBEAT_S": HEARTBEAT_S}
    server = start_server(data_dir, env)
    files = briefs(12)
    try:
        job_id = upload(server, files)
        engine = create_engine(f"sqlite:///{data_dir / 'kms.db'}")

        def started() -> bool:
            with Session(engine) as session:
                job = session.get(Job, job_id)
                return job is not None and job.status == "running" and job.done >= 1

        wait_until(started, timeout=900)
    finally:
        server.process.kill()  # SIGKILL: no shutdown, the job is left "running"
        server.process.wait()
    server = start_server(data_dir, env)
    try:
        with server.client("admin") as client:
            job = wait_for_job(client, job_id, timeout=900)
            report = client.get("/v1/index/check").json()
        assert job["status"] == "done" and job["done"] == len(files), job
        assert job["added"] == len(files) and job["failed"] == 0, job
        assert report["ok"], report
        with Session(engine) as session:
            count = session.exec(
                select(func.count()).where(Asset.source.like("upload:regional-brief-%"))  # type: ignore[attr-defined]
            ).one()
        assert count == len(files)
    finally:
        stop_server(server)


def test_workers_run_queued_reindex_jobs_and_the_scheduled_gap_detection(
    cluster: Cluster,
) -> None:
    """A language gone wrong in the database is fixed by a reindex queued from the CLI and
    run by a worker; the scheduled gap detection ran in a worker (once: a lease), never in
    the replicas, which leave jobs to the workers."""
    from sqlmodel import col

    from kms.core.models import Chunk

    a = cluster.replicas[0]
    note = "A renewal note: quote the two-year price lock before the procurement review."
    with a.client("admin") as client:
        assert wait_for_job(client, upload(a, [("relabel-me.txt", note)]))["added"] == 1
    engine = cluster.engine()
    with Session(engine) as session:
        chunk = session.exec(select(Chunk).where(col(Chunk.text).contains("two-year"))).first()
        assert chunk is not None
        chunk.language = "zh"
        session.add(chunk)
        session.commit()
        chunk_id = chunk.id
    env = {
        **os.environ,
        "KMS_DATABASE_URL": cluster.database_url,
        "KMS_DATA_DIR": str(cluster.data_dir),
        "KMS_EMBED_CACHE_DIR": str(EMBED_CACHE),
    }
    queued = subprocess.run(
        [sys.executable, "-m", "kms.cli", "reindex", "--queue"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert queued.returncode == 0, queued.stdout + queued.stderr
    job_id = int(queued.stdout.split("queued reindex job ")[1].split(":")[0])
    with cluster.replicas[0].client("admin") as client:
        job = wait_for_job(client, job_id, timeout=900)
    assert job["status"] == "done" and job["updated"] >= 1, job
    with Session(engine) as session:
        fixed = session.get(Job, job_id)
        assert (
            fixed is not None
            and fixed.worker
            and fixed.worker.rsplit(":", 1)[1] in {str(w.pid) for w in cluster.workers}
        )
        assert session.get(Chunk, chunk_id).language == "en"  # type: ignore[union-attr]
    workers = [p.read_text(errors="replace") for p in cluster.data_dir.parent.glob("worker-*.log")]
    assert sum("gap detection: {" in text for text in workers) == 1, workers
    for server in cluster.replicas:
        assert "gap detection" not in "\n".join(server.log_lines())
