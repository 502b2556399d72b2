"""The cluster run of ``bench/perf.py --cluster``: replicas on one PostgreSQL.

    .venv/bin/python bench/perf.py --cluster [--cluster-size 10000] [--requests 100]

On a fresh ``LocalPostgres`` in ``bench/cache/cluster`` (removed first):

1. A corpus of ``size`` chunks (``perfkit.corpus``: the eval passages) written as rows,
   with a *stored* vector per chunk and model. The vectors are random unit vectors: this
   run measures how a replica builds and follows its indexes from stored embeddings, not
   search quality, and encoding 100k passages with the real models would take most of an
   hour on two cores. Search cost does not depend on the vectors' values (exact search
   below ``KMS_ANN_THRESHOLD``, HNSW above it, either way).
2. The first replica's time to ready, built from those stored rows and embeddings (no
   snapshot exists yet; models loaded, warm-up included), and its ``/health`` count of
   vectors it had to encode (must be 0). It publishes its snapshot once built.
3. QPS through HAProxy at concurrency 8 with 1 replica; then a new replica joins — its
   time to ready from the first one's published snapshot plus the change log since — and
   QPS with 2 (the CPU count is reported: on 2 cores the gain is bounded by the cores).
4. Change-visible latency: a one-chunk document committed by another process (this
   one: rows, real vectors and the index change, as a writer commits them), from its
   commit until a search on the replica finds it through both the keyword and a vector
   index; several samples.
5. Catch-up: 10,000 index changes committed in one transaction; the time until both
   running replicas have applied them (``/health``: nothing pending).

Writes ``bench/results/cluster.json``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx
import numpy as np
import perfkit
from common import CACHE_DIR, RESULTS_DIR
from perfkit import log

from kms.cluster.launch import (
    HAPROXY,
    Child,
    Cluster,
    ClusterSpec,
    haproxy_config,
    wait_in_rotation,
    wait_ready,
)
from kms.cluster.postgres import LocalPostgres, free_port
from kms.core.config import Settings

CHANGES = 10_000
LATENCY_SAMPLES = 5
EXTRA_ENV = {"KMS_RATE_LIMIT_PER_MINUTE": "1000000"}  # measure search, not the rate limit


def build_corpus(services: Any, size: int) -> dict[str, float]:
    """``size`` chunks as rows, each with a stored random unit vector per model."""
    from kms.core.models import Asset, AssetStatus
    from kms.core.text.language import detect_language
    from kms.core.vectors import store_vectors

    rng = np.random.default_rng(size)
    passages = perfkit.corpus(size)
    started = time.perf_counter()
    models = [(e.cache_id, e.dim) for e in services.embedders.values()]
    for start in range(0, size, 2000):
        part = passages[start : start + 2000]
        with services.db.session() as session:
            assets = [
                Asset(
                    kind="document",
                    source_type="document",
                    title=p.title,
                    source=f"perf:{start + i}",
                    content_hash=perfkit.content_hash(p.title + p.text),
                    language=detect_language(p.text),
                    status=AssetStatus.approved,
                )
                for i, p in enumerate(part)
            ]
            session.add_all(assets)
            session.flush()
            chunks = perfkit.add_one_chunk_each(session, assets, [p.text for p in part])
            for model, dim in models:
                matrix = rng.standard_normal((len(chunks), dim)).astype(np.float32)
                matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
                rows = ((c.id or 0, model, matrix[i].tobytes()) for i, c in enumerate(chunks))
                store_vectors(session, rows)
            session.commit()
    return {"rows_and_vectors_s": time.perf_counter() - started}


def start_replica(cluster: Cluster, name: str) -> tuple[Child, float]:
    port = free_port()
    command = [sys.executable, "-m", "kms.cli", "serve", "--port", str(port)]
    started = time.perf_counter()
    child = cluster.spawn(name, command, f"http://127.0.0.1:{port}")
    wait_ready(child)
    return child, time.perf_counter() - started


def health(child: Child) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{child.url}/health", timeout=30).json()
    return body


def proxy(cluster: Cluster, replicas: list[Child], port: int) -> subprocess.Popen[bytes]:
    """HAProxy over ``replicas``, returned once its health checks have every one UP."""
    config = cluster.spec.root / f"haproxy-{len(replicas)}.cfg"
    stats_port = free_port()
    config.write_text(haproxy_config(port, replicas, stats_port), encoding="utf-8")
    process = subprocess.Popen([HAPROXY, "-db", "-f", str(config)])
    wait_in_rotation(f"http://127.0.0.1:{stats_port}/stats;csv", [c.name for c in replicas])
    return process


def load(url: str, key: str, bodies: list[dict[str, Any]], concurrency: int) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    def worker(batch: list[dict[str, Any]]) -> list[float]:
        times = []
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=120) as client:
            for body in batch:
                t0 = time.perf_counter()
                client.post("/v1/search", json=body).raise_for_status()
                times.append(time.perf_counter() - t0)
        return times

    batches = [bodies[i::concurrency] for i in range(concurrency)]
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        times = [t for part in pool.map(worker, batches) for t in part]
    wall = time.perf_counter() - started
    return {**perfkit.percentiles(times), "qps": len(times) / wall, "concurrency": concurrency}


def write_document(services: Any, token: str) -> None:
    """What a writer (the CLI, a worker) commits for a new one-chunk document: the asset,
    its chunk, the chunk's vectors (encoded here with the real models) and the index
    change, in one transaction. (Not ``ingest_paths``: at this size its near-duplicate
    state, built per batch, takes minutes before the commit — measured apart.)"""
    from kms.core.changelog import log_changes
    from kms.core.models import Asset, AssetStatus, Chunk
    from kms.core.vectors import store_vectors

    text = f"{token}: renewal pricing for a logistics fleet, with a two-year price lock."
    title = f"Field note {token}"
    vectors = {e.cache_id: e.encode([f"{title}\n{text}"])[0] for e in services.embedders.values()}
    with services.db.session() as session:
        asset = Asset(
            kind="document",
            source_type="document",
            title=title,
            source=f"bench:{token}",
            content_hash=perfkit.content_hash(text),
            language="en",
            status=AssetStatus.approved,
        )
        session.add(asset)
        session.flush()
        chunk = Chunk(
            asset_id=asset.id or 0,
            ordinal=0,
            text=text,
            language="en",
            content_hash=perfkit.content_hash(text),
        )
        session.add(chunk)
        session.flush()
        store_vectors(session, ((chunk.id or 0, m, v.tobytes()) for m, v in vectors.items()))
        log_changes(session, [chunk.id or 0])
        session.commit()


def visible_latency(services: Any, replica: Child, key: str) -> list[float]:
    """Seconds from a writer's commit to the replica finding the document in both halves
    (its hit's ``why`` names bm25 and a model)."""
    out = []
    for i in range(LATENCY_SAMPLES):
        token = f"ZEBRAQUILL{i}X{random.randrange(10**6)}"
        write_document(services, token)
        committed = time.perf_counter()
        with httpx.Client(base_url=replica.url, headers={"X-API-Key": key}, timeout=30) as client:
            while time.perf_counter() - committed < 60:
                body = {"query": f"{token} renewal pricing", "log": False}
                hits = client.post("/v1/search", json=body).json()["results"]
                signals = {w["signal"] for h in hits if token in h["title"] for w in h["why"]}
                if "bm25" in signals and signals & {"minilm", "use"}:
                    break
                time.sleep(0.02)
        out.append(time.perf_counter() - committed)
    return out


def catch_up(services: Any, replicas: list[Child]) -> float:
    """Commit ``CHANGES`` index changes at once; seconds until every replica applied them."""
    from sqlmodel import select

    from kms.core.changelog import last_seq, log_changes
    from kms.core.models import Chunk

    with services.db.session() as session:
        ids = session.exec(select(Chunk.id).limit(CHANGES)).all()
        log_changes(session, [int(i or 0) for i in ids])
        session.commit()
        top = last_seq(session)
    started = time.perf_counter()
    pending = list(replicas)
    while pending and time.perf_counter() - started < 600:
        pending = [r for r in pending if health(r)["index"]["applied"] < top]
        time.sleep(0.05)
    return time.perf_counter() - started


def caught_up_lines(cluster: Cluster) -> list[str]:
    """Each replica's own account of its start (index catch-up, then the warm-up)."""
    lines = []
    for child in cluster.children:
        for line in child.log.read_text(errors="replace").splitlines():
            if any(k in line for k in ("caught up in", "warm-up:", "published snapshot")):
                lines.append(f"{child.name}: {json.loads(line)['msg']}")
    return lines


def run(size: int, n_requests: int) -> dict[str, Any]:
    from kms.services.app import Services

    root = CACHE_DIR / "cluster"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    os.chmod(root, 0o755)
    cluster = Cluster(ClusterSpec(root, replicas=0, workers=0, demo=False, env=EXTRA_ENV))
    result: dict[str, Any] = {"size": size, "cpus": os.cpu_count()}
    result["loadavg_start"] = os.getloadavg()  # the machine is shared: say how busy it was
    cluster.logs.mkdir(parents=True, exist_ok=True)
    cluster.postgres = LocalPostgres(root / "pg").start()
    haproxies: list[subprocess.Popen[bytes]] = []
    try:
        cluster.kms("admin", "migrate")
        settings = Settings(
            data_dir=root / "admin", database_url=cluster.postgres.url, embed_cache_dir=CACHE_DIR
        )
        services = Services(settings)
        log(f"cluster: {size} chunks with stored vectors in PostgreSQL")
        result["build"] = build_corpus(services, size)
        key = cluster.spec.dev_key
        cluster.prepare_admin()
        log("cluster: the first replica, from stored rows and embeddings")
        r1, result["first_replica_ready_s"] = start_replica(cluster, "replica-1")
        result["first_replica_health"] = health(r1)["index"]
        stages = [s.key for s in services.process.stages]
        rng = random.Random(3)
        pool = [q for _, q in perfkit.queries(3 * n_requests)]
        bodies = [{"query": q, "stage": rng.choice(stages), "log": False} for q in pool]
        warm, one, two = bodies[:16], bodies[16 : 16 + n_requests], bodies[-n_requests:]
        port = free_port()
        haproxies.append(proxy(cluster, [r1], port))
        load(f"http://127.0.0.1:{port}", key, warm, 4)
        log("cluster: QPS at c=8 with 1 replica")
        result["qps_1_replica_c8"] = load(f"http://127.0.0.1:{port}", key, one, 8)
        haproxies.pop().terminate()
        write_document(services, "joined-after-the-snapshot")  # a change it must apply
        log("cluster: a new replica joins, from the published snapshot")
        r2, result["new_replica_ready_s"] = start_replica(cluster, "replica-2")
        result["new_replica_health"] = health(r2)["index"]
        port = free_port()
        haproxies.append(proxy(cluster, [r1, r2], port))
        load(f"http://127.0.0.1:{port}", key, warm, 4)
        log("cluster: QPS at c=8 with 2 replicas")
        result["qps_2_replicas_c8"] = load(f"http://127.0.0.1:{port}", key, two, 8)
        log("cluster: change visible on a replica")
        samples = visible_latency(services, r2, key)
        result["change_visible_s"] = {
            "samples": samples,
            "median": statistics.median(samples),
            "max": max(samples),
        }
        log(f"cluster: catch-up of {CHANGES} changes")
        result["catch_up_10k_changes_s"] = catch_up(services, [r1, r2])
        result["encoded_vectors"] = {
            r.name: health(r)["index"]["encoded_vectors"] for r in (r1, r2)
        }
        services.close()
        result["loadavg_end"] = os.getloadavg()
        result["replica_log"] = caught_up_lines(cluster)
    finally:
        for process in haproxies:
            process.terminate()
        cluster.stop()
    return result


def main(size: int, n_requests: int) -> None:
    """Run one size; results of other sizes from earlier runs are kept."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / "cluster.json"
    saved = json.loads(out.read_text()) if out.exists() else {}
    sizes: dict[str, Any] = saved.get("sizes", {})
    sizes[str(size)] = run(size, n_requests)
    doc = {
        "machine": {"cpus": os.cpu_count()},
        "note": "corpus vectors are random unit vectors stored as rows (a replica's build and "
        "follow cost, not search quality); ready times include loading the models and "
        "warm-up; QPS through HAProxy over POST /v1/search with a stage, c=8",
        "sizes": sizes,
    }
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False))
    print(json.dumps(sizes[str(size)], indent=2, ensure_ascii=False))
