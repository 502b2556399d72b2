"""Ingest as a service: a job row, the pipeline, and the index kept in step per file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ingest.drafts import UpsertResult
from ingest.pipeline import BatchOutcome, Ingestor, OnProgress, discover
from kms.core.models import Job
from kms.core.schemas import FileMeta
from kms.core.visibility import LOCAL_ADMIN, Caller
from kms.services.app import Services
from kms.services.indexing import index_chunks, refresh_assets, remove_chunks
from kms.services.metrics import CHUNKS_INGESTED, FILES_INGESTED


def create_job(services: Services, created_by: str, total: int = 0) -> int:
    with services.db.session() as session:
        job = Job(created_by=created_by, total=total)
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
) -> BatchOutcome:
    """Ingest files and folders as ``writer`` (the CLI, or the key that uploaded: it updates
    only assets it may see); every committed file is searchable before the next starts."""
    sources = discover(paths, defaults or FileMeta())
    job_id = job_id or create_job(services, created_by, len(sources))
    ingestor = Ingestor(services.db.engine, services.settings, services.process, writer)

    def on_commit(results: list[UpsertResult]) -> None:
        removed = [c for r in results for c in r.removed_chunk_ids]
        added = [c for r in results for c in r.added_chunk_ids]
        FILES_INGESTED.inc()
        CHUNKS_INGESTED.inc(len(added))
        with services.db.session() as session:
            remove_chunks(services, removed)
            index_chunks(services, session, added)
        changed = [r.asset_id for r in results if r.meta_changed]
        if changed:
            refresh_assets(services, changed, save=False)

    with services.write_lock:
        outcome = ingestor.run(sources, job_id, on_commit=on_commit, on_progress=on_progress)
        services.index.save()
    return outcome


def get_job(services: Services, job_id: int) -> Job | None:
    with services.db.session() as session:
        return session.get(Job, job_id)
