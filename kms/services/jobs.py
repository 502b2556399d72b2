"""Upload jobs: queued for one background worker; their progress and errors, scrubbed.

``start_ingest`` creates a job for a checked :class:`UploadBatch` and queues it for one
daemon worker thread, which moves the files to ``uploads/<name>/<name>`` (so a re-upload of
a file with the same name is a new version of the same asset), runs the normal ingest
(:func:`kms.services.ingest.ingest_paths`), re-runs gap detection and removes the copies
(the store keeps its own content-addressed copy for downloads). A job is visible to the key
that started it, and to admins.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from kms.core.errors import InputError, NotFound
from kms.core.models import Job, Role
from kms.core.models._types import utcnow
from kms.core.schemas import FileMeta, JobError, JobPublic, UploadForm
from kms.core.schemas.bounded import MAX_ITEMS
from kms.core.visibility import Caller, clean_teams
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.gapdetect import detect_gaps
from kms.services.ingest import create_job, ingest_paths
from kms.services.uploads import UploadBatch

log = logging.getLogger("kms.jobs")


@dataclass
class _Work:
    services: Services
    job_id: int
    batch: UploadBatch
    meta: FileMeta
    created_by: str
    writer: Caller


class _Worker:
    """One daemon thread that runs queued upload jobs in order (ingest is one writer)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[_Work] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def submit(self, work: _Work) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, name="kms-ingest", daemon=True)
                self.thread.start()
        self.queue.put(work)

    def _loop(self) -> None:
        while True:
            work = self.queue.get()
            try:
                run_upload(work)
            finally:
                self.queue.task_done()


WORKER = _Worker()


def upload_meta(services: Services, caller: Caller, form: UploadForm) -> FileMeta:
    """The upload's form → the files' metadata (kind, status, owner, teams, stages, review_by).

    No ``teams`` means public for a new asset, and "keep the teams" for a new version."""
    if len(form.stages) > MAX_ITEMS:
        raise InputError(f"at most {MAX_ITEMS} stages", {"field": "stages"})
    stages: list[str] = []
    for name in form.stages:
        key = services.process.resolve(name)
        if key is None:
            known = services.process.known_names()
            raise InputError(f"unknown stage '{name}'", {"field": "stages", "known": known})
        stages.append(key)
    raw = {
        "kind": form.kind,
        "status": form.status,
        "owner": form.owner,
        "teams": clean_teams(form.teams, caller) or None,
        "stages": stages,
        "review_by": form.review_by,
    }
    try:
        return FileMeta.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field_name = ".".join(str(p) for p in err["loc"])
        raise InputError(f"field '{field_name}': {err['msg']}", {"field": field_name}) from exc


def start_ingest(services: Services, caller: Caller, batch: UploadBatch, form: UploadForm) -> int:
    """Queue the checked upload as an ingest job; returns the job id at once."""
    meta = upload_meta(services, caller, form)
    names = [f.name for f in batch.files]
    job_id = create_job(services, job_owner(caller), total=len(names))
    with services.db.session() as session:
        audit(session, caller.actor, "ingest.upload", f"job:{job_id}", files=names)
        session.commit()
    WORKER.submit(_Work(services, job_id, batch, meta, job_owner(caller), caller))
    return job_id


def run_upload(work: _Work) -> None:
    services, batch = work.services, work.batch
    inbox = services.settings.data_dir / "uploads"
    paths: list[Path] = []
    try:
        for staged in batch.files:
            target = inbox / staged.name / staged.name
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.path.replace(target)
            paths.append(target)
        ingest_paths(
            services,
            paths,
            work.meta,
            job_id=work.job_id,
            created_by=work.created_by,
            writer=work.writer,
        )
        detect_gaps(services, Caller(name="ingest", role=Role.admin, teams=None))
    except Exception as exc:  # the job must end, whatever happened
        log.exception("upload job %s failed", work.job_id)
        _fail(services, work.job_id, f"{type(exc).__name__}: ingest failed")
    finally:
        for path in paths:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                path.parent.rmdir()
        batch.discard()


def _fail(services: Services, job_id: int, message: str) -> None:
    with services.db.session() as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.status, job.finished_at = "failed", utcnow()
            job.errors = [*job.errors, {"item": "", "message": message}]
            session.add(job)
            session.commit()


def job_owner(caller: Caller) -> str:
    return caller.principal


def get_job(services: Services, caller: Caller, job_id: int) -> JobPublic:
    """A job its creator (or an admin) may see; ``NotFound`` for anyone else."""
    with services.db.session() as session:
        job = session.get(Job, job_id)
    if job is None or (caller.teams is not None and job.created_by != job_owner(caller)):
        raise NotFound(f"no job {job_id}", {"job_id": job_id})
    errors = [
        JobError(
            item=str(e.get("item") or ""),
            line=e.get("line"),
            field=e.get("field"),
            message=str(e.get("message") or ""),
        )
        for e in job.errors
    ]
    return JobPublic(**job.model_dump(exclude={"errors", "created_by"}), errors=errors)
