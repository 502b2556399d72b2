"""Ingest as a service: a job row, the pipeline with the models to embed each file's chunks,
and this process's index replica brought up to date afterwards (other processes follow the
change log the pipeline writes)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ingest.drafts import AssetDraft, ChunkVectors
from ingest.pipeline import BatchOutcome, Ingestor, OnProgress, discover
from ingest.sources import SourceFile
from kms.core.models import Job
from kms.core.models._types import utcnow
from kms.core.schemas import FileMeta
from kms.core.visibility import LOCAL_ADMIN, Caller
from kms.services.app import Services
from kms.services.heartbeat import fail_abandoned, heartbeat, worker_name
from kms.services.metrics import CHUNKS_INGESTED, FILES_INGESTED
from kms.services.vectors import embed_draft

__all__ = ["BatchOutcome", "create_job", "get_job", "ingest_paths"]


def create_job(services: Services, created_by: str, total: int = 0, worker: str = "") -> int:
    """A job row; with ``worker`` it is that process's own (run now, heartbeat from now)."""
    with services.db.session() as session:
        job = Job(
            created_by=created_by,
            total=total,
            worker=worker or None,
            heartbeat_at=utcnow() if worker else None,
        )
        session.add(job)
        session.commit()
        return job.id or 0


def ingest_paths(
    services: Services,
    paths: Sequence[Path],
    defaults: FileMeta | None = None,
    *,
    job_id: int | None = None,
    created_by: str = "cli",
    on_progress: OnProgress | None = None,
    writer: Caller = LOCAL_ADMIN,
    identity: Callable[[Path], str] | None = None,
) -> BatchOutcome:
    """Ingest files and folders as ``writer`` (the CLI, or the key that uploaded: it updates
    only assets it may see): each file commits with its vectors and index changes; when the
    batch ends, this process's replica (if it has one open) has applied them. ``identity``
    names each file's asset (an upload: ``upload:<name>``); default its resolved path."""
    sources = discover(paths, defaults or FileMeta(), identity)
    if job_id is None:  # this process's own job: it beats while it runs (a worker's job does)
        fail_abandoned(services)  # an earlier run killed mid-way: say so before resuming it
        worker = worker_name()
        job_id = create_job(services, created_by, len(sources), worker)
        with heartbeat(services, job_id, worker):
            return _run(services, sources, job_id, writer, on_progress)
    return _run(services, sources, job_id, writer, on_progress)


def _run(
    services: Services,
    sources: list[SourceFile],
    job_id: int,
    writer: Caller,
    on_progress: OnProgress | None,
) -> BatchOutcome:

    def embed(draft: AssetDraft) -> ChunkVectors:
        return embed_draft(services.embedders, draft)

    db = services.db
    ingestor = Ingestor(
        db.write_engine, services.settings, services.process, writer, embed, reader=db.engine
    )
    with services.write_lock:
        outcome = ingestor.run(sources, job_id, on_progress=on_progress)
    FILES_INGESTED.inc(sum(1 for r in outcome.results if r.status != "unchanged"))
    CHUNKS_INGESTED.inc(sum(len(r.added_chunk_ids) for r in outcome.results))
    services.changed()
    return outcome


def get_job(services: Services, job_id: int) -> Job | None:
    with services.db.session() as session:
        return session.get(Job, job_id)
