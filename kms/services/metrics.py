"""Operational metrics (Prometheus, through ``prometheus-client``) that the services feed.

Counted where the work happens: files and chunks ingested (``ingest_paths``), and the index
replica lag — a placeholder gauge for the replica that indexes from the shared database
(it stays 0 on one machine). ``collect_state`` reads, at scrape time, what the database and
the indexes hold: jobs queued and running, chunks and bytes per index part. The API serves
them all at ``/metrics`` (``api.metrics``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import col, func, select

from kms.core.models import Job
from kms.services.app import Services

REGISTRY = CollectorRegistry(auto_describe=True)
FILES_INGESTED = Counter("kms_ingested_files", "Files committed by ingest", registry=REGISTRY)
CHUNKS_INGESTED = Counter("kms_ingested_chunks", "Chunks indexed by ingest", registry=REGISTRY)
INDEX_LAG = Gauge(
    "kms_index_lag_seconds",
    "How far this process's indexes trail the shared database (0: in step; fed by the "
    "replica that indexes from a shared database)",
    registry=REGISTRY,
)


class StateCollector(Collector):
    """Queue depth and index sizes, read when scraped."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily("kms_jobs", "Ingest jobs by status", labels=["status"])
        with self.services.db.session() as session:
            rows = session.exec(
                select(Job.status, func.count())
                .where(col(Job.status).in_(["queued", "running"]))
                .group_by(col(Job.status))
            ).all()
        counts = {"queued": 0, "running": 0} | {status: int(n) for status, n in rows}
        for status, n in sorted(counts.items()):
            jobs.add_metric([status], n)
        yield jobs
        chunks = GaugeMetricFamily("kms_index_chunks", "Chunks per index part", labels=["part"])
        if "index" in self.services.__dict__:  # loaded: never load models for a scrape
            index = self.services.index
            chunks.add_metric(["bm25"], len(index.keyword))
            for name, vectors in index.vectors.items():
                chunks.add_metric([name], len(vectors))
            chunks.add_metric(["visibility"], len(index.visibility))
        yield chunks
        size = GaugeMetricFamily("kms_index_bytes", "Bytes on disk per index part", labels=["part"])
        for part, total in sorted(_sizes(self.services.settings.index_dir).items()):
            size.add_metric([part], total)
        yield size


def _sizes(index_dir: Path) -> dict[str, int]:
    """Bytes per top-level entry of the index folder (a keyword engine's folder, a vector
    file, the visibility file)."""
    out: dict[str, int] = {}
    if not index_dir.is_dir():
        return out
    for entry in index_dir.iterdir():
        if entry.name.startswith(".") or entry.suffix == ".lock":
            continue
        files = entry.rglob("*") if entry.is_dir() else [entry]
        out[entry.name] = sum(f.stat().st_size for f in files if f.is_file())
    return out
