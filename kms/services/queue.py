"""Running queued jobs: claimed once, kept alive by a heartbeat, taken over when silent.

A job is a row of the ``job`` table (its state is what users see). Any process may run
it: the server itself (``in_process_worker``) or ``kms worker`` processes on any machine,
all sharing the database. :func:`run_job` first *claims* the job with one atomic update
(queued → running, or running with a silent heartbeat → running here), so two workers
never both run it; while it runs, a thread renews its heartbeat. A worker killed mid-job
stops its heartbeat; after ``STALE_BEATS`` missed beats another worker claims the job and
runs it again, and the ingest skips the files the job already recorded as done (each
file's result commits with the file), so every file is ingested exactly once.

:class:`JobRunner` is the worker loop: jobs submitted in this process start at once;
every ``poll_s`` it also looks for queued jobs and silent running ones in the table (jobs
submitted by other processes, jobs of a worker that died), so nothing waits for a restart;
it also fails the silent jobs only their own process could run (a killed `kms ingest`,
:func:`kms.services.heartbeat.fail_abandoned`).
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import col, select

from kms.core.blobs import read_blob, sweep_blobs
from kms.core.models import Job, Role
from kms.core.models._types import utcnow
from kms.core.schemas import FileMeta
from kms.core.visibility import Caller
from kms.services.app import scratch_dir
from kms.services.gapdetect import detect_gaps
from kms.services.heartbeat import (
    RUNNABLE_KINDS,
    JobTakenOver,
    Lease,
    fail_abandoned,
    heartbeat,
    stale_before,
    worker_name,
)
from kms.services.indexing import refresh_stored
from kms.services.ingest import ingest_paths

if TYPE_CHECKING:
    from kms.services.app import Services

log = logging.getLogger("kms.queue")


def _waiting(services: Services, now: datetime) -> ColumnElement[bool]:
    """A job a worker may take: runnable, and queued or running with a silent heartbeat."""
    return col(Job.kind).in_(RUNNABLE_KINDS) & or_(
        col(Job.status) == "queued",
        (col(Job.status) == "running") & (col(Job.heartbeat_at) < stale_before(services, now)),
    )


def claim_job(services: Services, job_id: int, worker: str) -> bool:
    """Take the job for ``worker`` if it is queued, or running with a silent heartbeat."""
    now = utcnow()
    statement = (
        update(Job)
        .where(col(Job.id) == job_id)
        .where(_waiting(services, now))
        .values(status="running", worker=worker, heartbeat_at=now, attempts=Job.attempts + 1)
    )
    with services.db.write_session() as session:
        claimed = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
        session.commit()
    return claimed


def runnable_jobs(services: Services) -> list[int]:
    """Jobs waiting for a worker: queued, or running with a silent heartbeat (oldest first)."""
    with services.db.session() as session:
        ids = session.exec(
            select(Job.id).where(_waiting(services, utcnow())).order_by(col(Job.id))
        ).all()
    return [i for i in ids if i is not None]


def run_job(services: Services, job_id: int, worker: str | None = None) -> bool:
    """Run one job if this worker can claim it; False when another worker has it."""
    worker = worker or worker_name()
    if not claim_job(services, job_id, worker):
        return False
    with heartbeat(services, job_id, worker) as lease:
        with services.db.session() as session:
            job = session.get(Job, job_id)
        assert job is not None
        try:
            RUNNERS[job.kind](services, job, lease)
        except JobTakenOver as exc:  # the worker that took it over finishes it
            log.warning("%s", exc)
        except Exception as exc:  # the job must end, whatever happened
            log.exception("job %s failed", job_id)
            fail_job(services, job_id, f"{type(exc).__name__}: {job.kind} failed")
    return True


def run_upload(services: Services, job: Job, lease: Lease) -> None:
    """Ingest an upload's files (read back from the database) as the caller who sent them."""
    payload: dict[str, Any] = job.payload
    sender = payload["writer"]
    teams = sender["teams"]
    writer = Caller(
        name=str(sender["name"]),
        role=Role(sender["role"]),
        teams=tuple(teams) if teams is not None else None,
        key_id=sender.get("key_id"),
        user_id=sender.get("user_id"),
    )
    meta = FileMeta.model_validate(payload["meta"])
    work = scratch_dir(services, f"job-{job.id}-")
    try:
        paths = _materialize(services, payload["files"], work)
        ingest_paths(
            services,
            paths,
            meta,
            job_id=job.id,
            created_by=job.created_by or "upload",
            writer=writer,
            identity=lambda path: f"upload:{path.name}",
            on_progress=lease.check,  # between files: stop if another worker took it over
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with services.db.write_session() as session:
        sweep_blobs(session)  # the files of record uploads are not kept once ingested
        session.commit()
    detect_gaps(services, Caller(name="ingest", role=Role.admin, teams=None))


def _materialize(services: Services, files: list[dict[str, str]], work: Path) -> list[Path]:
    """Write the upload's files into ``work`` under their upload names."""
    paths: list[Path] = []
    with services.db.session() as session:
        for entry in files:
            data = read_blob(session, entry["sha256"])
            if data is None:
                raise RuntimeError(f"{entry['name']}: the uploaded file is missing")
            path = work / entry["name"]
            path.write_bytes(data)
            paths.append(path)
    return paths


def run_reindex(services: Services, job: Job, lease: Lease) -> None:
    """The database side of ``kms reindex`` (replicas follow the changes it logs)."""
    relabelled, stored = refresh_stored(services)
    finish_job(services, job.id or 0, updated=relabelled, added=stored)


# what a worker runs for each kind of job in ``RUNNABLE_KINDS``
RUNNERS: dict[str, Callable[[Services, Job, Lease], None]] = {
    "upload": run_upload,
    "reindex": run_reindex,
}


def queue_job(services: Services, kind: str, created_by: str) -> int:
    """Queue a job that needs no files (``reindex``) for any worker; its id."""
    if kind not in RUNNERS or kind == "upload":
        raise ValueError(f"cannot queue a '{kind}' job without its files")
    with services.db.write_session() as session:
        job = Job(kind=kind, status="queued", total=1, created_by=created_by)
        session.add(job)
        session.commit()
        job_id = job.id or 0
    services.job_queued(job_id)
    return job_id


def finish_job(services: Services, job_id: int, added: int = 0, updated: int = 0) -> None:
    with services.db.write_session() as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.status, job.finished_at = "done", utcnow()
            job.done, job.added, job.updated = job.total, added, updated
            session.add(job)
            session.commit()


def fail_job(services: Services, job_id: int, message: str) -> None:
    with services.db.write_session() as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.status, job.finished_at = "failed", utcnow()
            job.errors = [*job.errors, {"item": "", "message": message}]
            session.add(job)
            session.commit()


class JobRunner:
    """Runs jobs one at a time in a thread: submitted ones at once, others found by polling.

    The same loop serves the server (``in_process_worker``) and ``kms worker``."""

    def __init__(self, services: Services, poll_s: float = 1.0) -> None:
        self.services = services
        self.poll_s = poll_s
        self.worker = worker_name()
        self._wake: queue.Queue[int] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        services.job_listeners.append(self.submit)
        services.on_close.append(self.stop)

    def submit(self, job_id: int) -> None:
        self._wake.put(job_id)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self.run_forever, name="kms-jobs", daemon=True)
            self._thread.start()

    def run_forever(self, on_idle: Callable[[], None] | None = None) -> None:
        while not self._stop.is_set():
            try:
                job_id: int | None = self._wake.get(timeout=self.poll_s)
            except queue.Empty:
                job_id = None
            if self._stop.is_set():
                break
            try:
                if job_id is None:
                    fail_abandoned(self.services)
                for candidate in [job_id] if job_id is not None else runnable_jobs(self.services):
                    if self._stop.is_set():
                        break
                    run_job(self.services, candidate, self.worker)
            except Exception:  # the database may be away for a moment: keep polling
                log.exception("job runner: polling failed")
            if on_idle is not None:
                on_idle()

    def stop(self) -> None:
        self._stop.set()
        self._wake.put(0)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
