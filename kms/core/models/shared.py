"""What every process of a deployment shares through the database, beyond the graph itself.

- ``IndexChange`` — the index change log: one row per chunk whose indexed form may have
  changed, written in the same transaction as the change. Every search process applies
  the log to its own indexes (:mod:`kms.services.follower`); the sequence is monotonic.
- ``ChunkVector`` — each chunk's embedding per model, stored once by the process that
  ingested it, so no search replica ever encodes a passage.
- ``Blob`` — stored files (uploads waiting for a worker, originals for download),
  content-addressed, so any worker or replica on any machine can read them.
- ``Lease`` — a named, expiring lock for work that runs once per deployment (gap
  detection), taken with one atomic UPDATE.
- ``RateBucket`` — each API key's token bucket, shared by every API replica.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary
from sqlmodel import Field, SQLModel

from kms.core.models._types import utcnow


class IndexChange(SQLModel, table=True):
    __tablename__ = "index_change"

    seq: int | None = Field(default=None, primary_key=True)
    chunk_id: int = Field(index=True, description="Re-read this chunk and re-index (or drop) it")
    at: datetime = Field(default_factory=utcnow)


class ChunkVector(SQLModel, table=True):
    __tablename__ = "chunk_vector"

    chunk_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("chunk.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    model: str = Field(primary_key=True, description="The embedder's cache id (model + settings)")
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # float32, native order


class Blob(SQLModel, table=True):
    sha256: str = Field(primary_key=True)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Lease(SQLModel, table=True):
    name: str = Field(primary_key=True)
    holder: str
    expires_at: datetime


class RateBucket(SQLModel, table=True):
    __tablename__ = "rate_bucket"

    key: str = Field(primary_key=True)
    tokens: float = Field(description="Tokens left at ``at``")
    at: float = Field(description="Seconds since the epoch of the last request")
    granted: bool = Field(False, description="Whether the last request got a token")
