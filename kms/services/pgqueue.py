"""Jobs on PostgreSQL go through procrastinate, a maintained queue on the same database.

The ``job`` table stays what users see and what makes a job run once (:func:`run_job`
claims it, a heartbeat keeps it, a silent one is taken over). Procrastinate delivers it:
queuing an upload defers the task ``kms.run_job`` (its workers wake at once through
LISTEN/NOTIFY), and ``kms worker`` runs procrastinate's worker. A periodic task
``kms.sweep``, which procrastinate defers once per tick for the whole cluster, closes the
procrastinate jobs of workers that stopped sending heartbeats (procrastinate's stalled
jobs) and defers again any job still waiting in the ``job`` table — one queued by a
process that died between its commit and its defer, or one a killed worker left running.

Procrastinate's own tables are created by migration ``0005_queue`` on PostgreSQL.
SQLite has no procrastinate: there the server's (or ``kms worker``'s) job runner polls the
``job`` table (:class:`kms.services.queue.JobRunner`), with the same claims.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Status
from sqlalchemy.engine import make_url

from kms.services.heartbeat import STALE_BEATS, fail_abandoned, worker_name
from kms.services.queue import run_job, runnable_jobs

if TYPE_CHECKING:
    from kms.services.app import Services

log = logging.getLogger("kms.pgqueue")

QUEUE = "kms"
SWEEP_CRON = "* * * * * */5"  # every 5 seconds (croniter's sixth field is the seconds)


def uses_procrastinate(services: Services) -> bool:
    return services.db.engine.dialect.name == "postgresql"


def conninfo(services: Services) -> str:
    """The libpq connection string of the database the services use."""
    url = make_url(services.settings.database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def stale_seconds(services: Services) -> float:
    return services.settings.job_heartbeat_s * STALE_BEATS


def make_app(services: Services, sync: bool = False) -> procrastinate.App:
    """The procrastinate app with our tasks (``sync``: a connector for deferring from
    threads of a synchronous server)."""
    connector: procrastinate.BaseConnector = (
        procrastinate.SyncPsycopgConnector(conninfo=conninfo(services))
        if sync
        else procrastinate.PsycopgConnector(conninfo=conninfo(services))
    )
    app = procrastinate.App(connector=connector)

    @app.task(name="kms.run_job", queue=QUEUE)
    def run(job_id: int) -> None:
        run_job(services, job_id)

    @app.periodic(cron=SWEEP_CRON, periodic_id="sweep")
    @app.task(name="kms.sweep", queue=QUEUE, queueing_lock="kms.sweep", pass_context=True)
    async def sweep(context: procrastinate.JobContext, timestamp: int) -> None:
        manager = context.app.job_manager
        stalled = await manager.get_stalled_jobs(
            task_name="kms.run_job", seconds_since_heartbeat=stale_seconds(services)
        )
        for job in stalled:  # its worker is gone: close it; the job table says what is left
            log.warning("procrastinate job %s: its worker stopped; handing it over", job.id)
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
        await asyncio.to_thread(fail_abandoned, services)
        for job_id in await asyncio.to_thread(runnable_jobs, services):
            with contextlib.suppress(AlreadyEnqueued):
                await run.configure(queueing_lock=f"job-{job_id}").defer_async(job_id=job_id)

    return app


class Deferrer:
    """Defers ``kms.run_job`` for jobs this process queues (a ``Services.job_listeners``
    entry on PostgreSQL). A failed defer is logged: the sweep defers the job later."""

    def __init__(self, services: Services) -> None:
        self.app = make_app(services, sync=True)
        self.app.open()
        services.on_close.append(self.app.close)

    def __call__(self, job_id: int) -> None:
        task = self.app.tasks["kms.run_job"]
        try:
            task.configure(queueing_lock=f"job-{job_id}").defer(job_id=job_id)
        except AlreadyEnqueued:
            pass
        except Exception:
            log.exception("job %s: could not defer it (the sweep will)", job_id)


def run_worker(services: Services) -> None:
    """Procrastinate's worker for our queue, until SIGTERM or Ctrl-C (graceful)."""
    app = make_app(services)
    heartbeat = services.settings.job_heartbeat_s
    app.run_worker(
        queues=[QUEUE],
        name=worker_name(),
        concurrency=1,
        update_heartbeat_interval=heartbeat,
        stalled_worker_timeout=stale_seconds(services),
        delete_jobs="successful",
    )
