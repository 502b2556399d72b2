"""Who runs a job, and whether it is still alive: a job row names its worker (``host:pid``)
and carries a heartbeat renewed every ``job_heartbeat_s`` while it runs.

A runnable job (an upload) whose heartbeat falls silent is taken over by another worker
(:mod:`kms.services.queue`). A job only its own process can run — a ``kms ingest`` from the
command line, whose files are on that machine — cannot be taken over: when its heartbeat
falls silent it is marked failed with the reason, so no job reads "running" forever after a
crash. Running the same command again resumes it (unchanged files are skipped).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col, select

from kms.core.models import Job
from kms.core.models._types import utcnow

if TYPE_CHECKING:
    from kms.services.app import Services

log = logging.getLogger(__name__)

STALE_BEATS = 6  # a job whose worker missed this many heartbeats is taken over or failed
# jobs any worker can run (an upload's files are in the database)
RUNNABLE_KINDS = ("upload", "reindex")  # = kms.services.queue.RUNNERS


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def stale_before(services: Services, now: datetime) -> datetime:
    """A heartbeat older than this is silent."""
    return now - timedelta(seconds=services.settings.job_heartbeat_s * STALE_BEATS)


class JobTakenOver(Exception):
    """This worker's job was claimed by another (this one looked silent): stop running it."""


class Lease:
    """A worker's hold on a running job. Another worker takes the job over when this one's
    heartbeat looks silent (a stalled or overloaded process, not only a dead one); the next
    beat then finds the job no longer names this worker, and :meth:`check` — called between
    files — stops the run, so two workers never keep running one job (what each already
    stored stands: every file's result commits with the file)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.lost = threading.Event()

    def check(self, *_: object) -> None:
        if self.lost.is_set():
            raise JobTakenOver(f"job {self.job_id}: another worker took it over")


@contextmanager
def heartbeat(services: Services, job_id: int, worker: str) -> Iterator[Lease]:
    """Renew the job's heartbeat every ``job_heartbeat_s`` while the body runs; the lease
    says when another worker has taken the job over (beats then stop)."""
    stop = threading.Event()
    lease = Lease(job_id)

    def beat() -> None:
        while not stop.wait(services.settings.job_heartbeat_s):
            try:
                with services.db.side_session() as session:
                    renewed = session.execute(
                        update(Job)
                        .where(col(Job.id) == job_id)
                        .where(col(Job.worker) == worker)
                        .values(heartbeat_at=utcnow())
                    ).rowcount  # type: ignore[attr-defined]
                    session.commit()
            except Exception as exc:  # a missed beat is no error; six in a row hand it over
                log.warning("job %s: heartbeat missed (%s: %s)", job_id, type(exc).__name__, exc)
                continue
            if renewed == 0:
                log.warning("job %s: taken over by another worker; %s stops it", job_id, worker)
                lease.lost.set()
                return

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield lease
    finally:
        stop.set()
        thread.join()


def fail_abandoned(services: Services) -> list[int]:
    """Mark failed the jobs only their own process could run whose heartbeat fell silent
    (that process is gone); returns their ids. Safe to run from every process at once: each
    row changes only while it is still running with the silent heartbeat that was read."""
    now = utcnow()
    silent = stale_before(services, now)
    failed: list[int] = []
    with services.db.session() as session:  # a read first: the write lock only when needed
        rows = session.exec(
            select(Job)
            .where(col(Job.kind).not_in(RUNNABLE_KINDS))
            .where(col(Job.status).in_(("queued", "running")))
            .where(col(Job.heartbeat_at) < silent)
        ).all()
    if not rows:
        return failed
    with services.db.write_session() as session:
        for job in rows:
            message = (
                f"the process running this job ({job.worker or 'unknown'}) stopped before it "
                "ended; run the same `kms ingest` again to resume (unchanged files are skipped)"
            )
            done = session.execute(
                update(Job)
                .where(col(Job.id) == job.id)
                .where(col(Job.status) == job.status)
                .where(col(Job.heartbeat_at) == job.heartbeat_at)
                .values(
                    status="failed",
                    finished_at=now,
                    errors=[*job.errors, {"item": "", "message": message}],
                )
            )
            if done.rowcount == 1:  # type: ignore[attr-defined]
                failed.append(job.id or 0)
        session.commit()
    if failed:
        log.warning("jobs %s: their process stopped; marked failed", failed)
    return failed
