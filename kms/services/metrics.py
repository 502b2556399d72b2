"""Operational metrics (Prometheus, through ``prometheus-client``) that the services feed.

Counted where the work happens: files and chunks ingested (``ingest_paths``). Read at
scrape time (``StateCollector``): jobs queued and running, and for this process's index
replica its chunks and bytes per part and how far it trails the database (the age of the
oldest change it has not applied, and how many there are). The API serves them all at
``/metrics`` (``api.metrics``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlmodel import col, func, select

from kms.core.models import Job
from kms.services.app import Services

REGISTRY = CollectorRegistry(auto_describe=True)
FILES_INGESTED = Counter("kms_ingested_files", "Files committed by ingest", registry=REGISTRY)
CHUNKS_INGESTED = Counter("kms_ingested_chunks", "Chunks indexed by ingest", registry=REGISTRY)


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
        follower = self.services.__dict__.get("follower")
        if follower is None:  # no replica open in this process: never load one for a scrape
            return
        index = follower.index
        chunks = GaugeMetricFamily("kms_index_chunks", "Chunks per index part", labels=["part"])
        chunks.add_metric(["bm25"], len(index.keyword))
        for name, vectors in index.vectors.items():
            chunks.add_metric([name], len(vectors))
        chunks.add_metric(["visibility"], len(index.visibility))
        yield chunks
        size = GaugeMetricFamily("kms_index_bytes", "Bytes on disk per index part", labels=["part"])
        for part, total in sorted(_sizes(follower.folder).items()):
            size.add_metric([part], total)
        yield size
        lag = follower.lag()
        yield GaugeMetricFamily(
            "kms_index_lag_seconds",
            "Age of the oldest index change this replica has not applied yet (0: in step)",
            value=lag["seconds"],
        )
        yield GaugeMetricFamily(
            "kms_index_pending_changes",
            "Index changes committed to the database that this replica has not applied",
            value=lag["pending"],
        )


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
