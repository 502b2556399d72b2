"""A worker that loses its job to another stops running it (real SQLite, models, ingest).

Another worker takes a job over when this one's heartbeat looks silent — on an overloaded
machine a live worker can look silent. The taken-over worker's next beat finds the job no
longer names it; it stops between files, neither failing the job nor marking it done, and
the worker that took it over finishes it: every file stored exactly once.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from kms.core.config import Settings
from kms.core.models import Asset, Job
from kms.core.models._types import utcnow
from kms.core.schemas import UploadForm
from kms.core.visibility import LOCAL_ADMIN
from kms.services.app import Services
from kms.services.jobs import start_ingest
from kms.services.queue import run_job
from kms.services.uploads import UploadBatch, UploadedFile
from tests.conftest import EMBED_CACHE

pytestmark = pytest.mark.slow

FILES = 16


def upload(services: Services, folder: Path) -> int:
    folder.mkdir(parents=True)
    files = []
    for n in range(FILES):
        path = folder / f"lease-brief-{n:02d}.txt"
        path.write_text(
            "\n\n".join(
                f"Lease brief {n}, part {p}: territory {n * 17 + p} renewals and the "
                f"objections heard in quarter {p}. " * 3
                for p in range(5)
            ),
            encoding="utf-8",
        )
        files.append(UploadedFile(path.name, path, path.stat().st_size, "text"))
    return start_ingest(services, LOCAL_ADMIN, UploadBatch(files, folder), UploadForm())


def job(services: Services, job_id: int) -> Job:
    with services.db.session() as session:
        found = session.get(Job, job_id)
    assert found is not None
    return found


def test_a_worker_whose_job_was_taken_over_stops_and_the_other_finishes_it(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", embed_cache_dir=EMBED_CACHE)
    services = Services(settings.model_copy(update={"job_heartbeat_s": 0.1}))
    try:
        job_id = upload(services, tmp_path / "upload")
        a = threading.Thread(target=run_job, args=(services, job_id, "worker-a"))
        a.start()
        deadline = time.monotonic() + 600
        while job(services, job_id).done < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert job(services, job_id).worker == "worker-a"
        # worker-b claims it, as claim_job does when worker-a looks silent
        with services.db.write_session() as session:
            session.execute(
                update(Job)
                .where(col(Job.id) == job_id)
                .values(worker="worker-b", heartbeat_at=utcnow(), attempts=Job.attempts + 1)
            )
            session.commit()
        a.join(timeout=600)
        assert not a.is_alive()
        stopped = job(services, job_id)
        assert stopped.status == "running" and stopped.worker == "worker-b", stopped
        assert stopped.done < FILES  # worker-a stopped between files, not at the end
        # worker-b's own run (it is silent here: let the claim go through again)
        with services.db.write_session() as session:
            past = utcnow() - timedelta(minutes=5)
            session.execute(update(Job).where(col(Job.id) == job_id).values(heartbeat_at=past))
            session.commit()
        assert run_job(services, job_id, "worker-b")
        done = job(services, job_id)
        assert done.status == "done" and done.done == done.total == FILES, done
        assert done.failed == 0 and done.added == FILES, done
        with services.db.session() as session:
            stored = session.exec(
                select(func.count()).where(col(Asset.source).like("upload:lease-brief-%"))
            ).one()
        assert stored == FILES
    finally:
        services.close()
