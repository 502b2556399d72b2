"""File bytes in the database: the uploads workers ingest and the originals users download.

A blob is keyed by the SHA-256 of its bytes, so the same file stored twice is one row.
Keeping them in the database (not a folder) means every API replica and worker, on any
machine, reads the same files from the one truth it already shares, and a database
backup (``kms backup``, ``pg_dump``) holds them. Uploads are bounded by
``upload_max_bytes`` (25 MB by default), which keeps rows a size both engines handle well.

An asset's ``stored_file`` names its blob as ``sha256:<hex>``; assets stored before blobs
existed name a path under the data dir (read by :mod:`kms.services.curate`).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete
from sqlmodel import Session, col, select

from kms.core.db import insert
from kms.core.models import Asset, Blob, Job

PREFIX = "sha256:"


def blob_ref(digest: str) -> str:
    return f"{PREFIX}{digest}"


def blob_digest(ref: str | None) -> str | None:
    """The digest of a ``sha256:`` reference; None for a legacy path or nothing."""
    return ref[len(PREFIX) :] if ref and ref.startswith(PREFIX) else None


def put_blob(session: Session, data: bytes, digest: str | None = None) -> str:
    """Store ``data`` (once per content) in the caller's transaction; returns its digest."""
    digest = digest or hashlib.sha256(data).hexdigest()
    table = Blob.__table__  # type: ignore[attr-defined]
    statement = insert(session, table).values(sha256=digest, size=len(data), data=data)
    session.execute(statement.on_conflict_do_nothing(index_elements=["sha256"]))
    return digest


def read_blob(session: Session, digest: str) -> bytes | None:
    data = session.exec(select(Blob.data).where(col(Blob.sha256) == digest)).first()
    return bytes(data) if data is not None else None


def sweep_blobs(session: Session) -> int:
    """Delete every blob that no asset names and no unfinished job still needs (in the
    caller's transaction); returns how many. A blob is always written in the same
    transaction as the asset or job that names it, so a sweep never races a writer."""
    used = {
        blob_digest(ref)
        for ref in session.exec(
            select(Asset.stored_file).where(col(Asset.stored_file).like(f"{PREFIX}%"))
        ).all()
    }
    pending = session.exec(select(Job.payload).where(col(Job.status).in_(["queued", "running"])))
    for payload in pending.all():
        used.update(str(f.get("sha256")) for f in (payload or {}).get("files", []))
    stored = set(session.exec(select(Blob.sha256)).all())
    unused = sorted(stored - used)
    if unused:
        session.execute(delete(Blob).where(col(Blob.sha256).in_(unused)))
    return len(unused)
