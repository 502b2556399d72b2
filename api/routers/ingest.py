"""Ingest: multipart upload of files, and the progress of the resulting job."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, CuratorDep, ServicesDep
from api.errors import error_responses, file_name, scrub
from api.multipart import receive_upload, upload_form
from api.routers.params import Id
from api.urls import job_url
from kms.core.schemas import IndexCheck, JobPublic, UploadAccepted
from kms.services.indexing import check_public
from kms.services.jobs import get_job, start_ingest
from kms.services.uploads import check_files

router = APIRouter(prefix="/v1", tags=["ingest"], responses=error_responses(401, 403, 429))

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "One or more files (type is read from content)",
                        },
                        "kind": {"type": "string", "description": "Asset kind"},
                        "status": {"type": "string", "enum": ["draft", "approved", "retired"]},
                        "owner": {"type": "string"},
                        "teams": {"type": "string", "description": "Comma-separated teams"},
                        "stages": {"type": "string", "description": "Comma-separated stages"},
                        "review_by": {"type": "string", "format": "date"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/ingest",
    status_code=202,
    openapi_extra=UPLOAD_BODY,
    responses=error_responses(413, 415, 422),
)
async def upload(request: Request, services: ServicesDep, caller: CuratorDep) -> UploadAccepted:
    """Upload files to ingest; returns a job at once (`GET /v1/jobs/{id}` for progress).

    Each file may be at most `upload_max_bytes` (checked while it streams in); its type
    is read from its content; Office files that would expand absurdly are refused.
    """
    stager = await receive_upload(request, services.settings)
    batch = stager.batch()
    try:
        await run_in_threadpool(check_files, batch, services.settings.upload_max_bytes)
        form = upload_form(stager.fields)
        job_id = await run_in_threadpool(start_ingest, services, caller, batch, form)
    except BaseException:
        batch.discard()
        raise
    return UploadAccepted(
        job_id=job_id, files=[f.name for f in batch.files], status_url=job_url(job_id)
    )


@router.get("/jobs/{job_id}", responses=error_responses(404))
def job(job_id: Id, services: ServicesDep, caller: CuratorDep) -> JobPublic:
    """Progress of an ingest job, with per-file errors."""
    job = get_job(services, caller, job_id)
    for error in job.errors:
        error.item, error.message = file_name(error.item), scrub(error.message)
    return job


@router.get("/index/check", responses=error_responses(403))
def index_check(services: ServicesDep, caller: AdminDep) -> IndexCheck:
    """This replica's keyword and vector indexes against the database (every id compared);
    ``ok`` false names the first differing chunks. Admins only."""
    return check_public(services)
