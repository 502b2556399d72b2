"""Upload jobs: stored, then queued; their progress and errors, scrubbed.

``start_ingest`` stores a checked :class:`UploadBatch`'s files in the database (as blobs)
together with a queued job that names them, in one transaction, and wakes this process's
job runner. Whichever worker claims the job (this server, or a ``kms worker`` anywhere) runs
the normal ingest with each file named ``upload:<name>`` (so a re-upload of a file with the
same name is a new version of the same asset) — see :mod:`kms.services.queue`. A job is
visible to the key that started it, and to admins.
"""

from __future__ import annotations

from pydantic import ValidationError

from kms.core.blobs import put_blob
from kms.core.errors import InputError, NotFound
from kms.core.models import Job
from kms.core.schemas import FileMeta, JobError, JobPublic, UploadForm
from kms.core.schemas.bounded import MAX_ITEMS
from kms.core.visibility import Caller, clean_teams
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.uploads import UploadBatch


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
    """Store the checked upload and queue it as an ingest job; returns the job id at once."""
    meta = upload_meta(services, caller, form)
    names = [f.name for f in batch.files]
    try:
        with services.db.write_session() as session:
            files = [
                {"name": f.name, "sha256": put_blob(session, f.path.read_bytes())}
                for f in batch.files
            ]
            job = Job(
                kind="upload",
                status="queued",
                total=len(files),
                created_by=job_owner(caller),
                payload={
                    "files": files,
                    "meta": meta.model_dump(mode="json"),
                    "writer": {
                        "name": caller.name,
                        "role": caller.role.value,
                        "teams": list(caller.teams) if caller.teams is not None else None,
                        "key_id": caller.key_id,
                        "user_id": caller.user_id,
                    },
                },
            )
            session.add(job)
            session.flush()
            job_id = job.id or 0
            audit(session, caller.actor, "ingest.upload", f"job:{job_id}", files=names)
            session.commit()
    finally:
        batch.discard()
    services.job_queued(job_id)
    return job_id


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
