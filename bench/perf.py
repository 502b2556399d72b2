"""Speed, scale and memory against the raw floor, in one run (issue 6).

    .venv/bin/python bench/perf.py [--sizes 10000,100000] [--requests 100]
    .venv/bin/python bench/perf.py --cluster [--cluster-size 10000]   (see perfcluster)

Per corpus size (chunks; see ``perfkit`` for how the corpus is built):

1. Build a data dir under ``bench/cache/perf-<size>/``: the demo knowledge base
   through ``ingest_paths`` (parse included), then the corpus as Asset/Chunk/
   ChunkStage rows in the database, their vectors stored (``store_missing_vectors``)
   and a replica built from them (parse excluded). Embeddings are cached by content
   hash in ``bench/cache/embeddings.sqlite`` (the product's ``CachedEmbedder``), so
   a rerun encodes nothing; the bulk timing is therefore *warm* (framework cost).
2. Ingest vs raw encode, cold: a sample of chunks through the product's index path
   with an empty cache, and the same texts through the raw models → ratio.
3. A real server (``uvicorn --factory api.app:create_app`` on 127.0.0.1): cold start
   to ``/ready``, then hybrid ``POST /v1/search`` with a stage, as a rep key with a
   team, at concurrency 1 and 8 (bounded request counts); peak RSS sampled throughout.
4. Profiles: py-spy on the server under a further c=8 load (not the measured one) →
   ``bench/results/perf.server-profile.txt``; a cProfile of 20 in-process searches →
   ``bench/results/perf.profile.txt``.
5. In the same run (``perfrefs``): the semantic floor (raw model encode of the same queries + exact
   faiss ``IndexFlatIP`` over the same vectors, for the models the query's language
   uses) with single-threaded models (``floor``, the ratios' base) and with the
   models as the product configures them (``floor_as_configured``); ``bm25s`` over
   the same chunks; our ``KeywordIndex`` on the same queries.

The product keeps query vectors in memory only (``CachedEmbedder``), and every measured
query is new to the server, so the server encodes each one, like the floor.

Writes ``bench/results/perf.json`` (sizes from earlier runs are kept) and ``perf.png``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import perfkit
from apiserver import cli_key, start_server, stop_server
from common import CACHE_DIR, RESULTS_DIR
from perfkit import EMBEDDERS, TEAM, log
from perfrefs import floor_and_keyword

from index.embedders import load_embedder, passage_text
from index.hybrid import HybridIndex, understands
from kms.core.config import Settings
from kms.core.text.language import detect_language

COLD_SAMPLE = 256
SERVER_ENV = {
    "KMS_EMBED_CACHE_DIR": str(CACHE_DIR),
    "KMS_DEMO": "0",
    "KMS_RATE_LIMIT_PER_MINUTE": "1000000",  # measure search, not the per-key rate limit
}


def build_data_dir(size: int, data_dir: Path) -> tuple[dict, list[int], list[str]]:
    """Demo KB + ``size`` corpus chunks in a fresh data dir; returns timings, ids, texts."""
    from sqlmodel import select

    from kms.core.models import Asset, AssetStatus, Chunk, ChunkStage
    from kms.services.app import Services
    from kms.services.demo import demo_sources
    from kms.services.indexing import store_missing_vectors
    from kms.services.ingest import ingest_paths

    shutil.rmtree(data_dir, ignore_errors=True)
    services = Services(Settings(data_dir=data_dir, embed_cache_dir=CACHE_DIR, demo=False))
    out: dict[str, float] = {}
    started = time.perf_counter()
    for paths, meta in demo_sources():
        ingest_paths(services, paths, meta, created_by="perf")
    out["demo_ingest_s"] = time.perf_counter() - started
    with services.db.session() as session:
        demo_assets = session.exec(select(Asset)).all()
        demo_chunks = session.exec(select(Chunk)).all()
        stage_rows = session.exec(select(ChunkStage)).all()
    by_chunk: dict[int, list[ChunkStage]] = {c.id or 0: [] for c in demo_chunks}
    for row in stage_rows:
        by_chunk.setdefault(row.chunk_id, []).append(row)
    stage_profiles = list(by_chunk.values())  # incl. chunks without a stage, as in real data
    out["demo_assets"] = len(demo_assets)
    out["demo_chunks"] = len(demo_chunks)

    rng = random.Random(size)
    passages = perfkit.corpus(size)
    started = time.perf_counter()
    with services.db.session() as session:
        assets = []
        for p in passages:
            like = rng.choice(demo_assets)
            assets.append(
                Asset(
                    kind=like.kind,
                    source_type="document",
                    title=p.title,
                    source=f"perf:{p.lang_set}",
                    content_hash=perfkit.content_hash(p.title + p.text),
                    language=detect_language(p.text),
                    status=AssetStatus.approved,
                    teams=list(like.teams),
                )
            )
        session.add_all(assets)
        session.flush()
        chunks = perfkit.add_one_chunk_each(session, assets, [p.text for p in passages])
        for c in chunks:
            for s in rng.choice(stage_profiles):
                session.add(
                    ChunkStage(
                        chunk_id=c.id or 0, stage_key=s.stage_key, score=s.score, origin=s.origin
                    )
                )
        session.commit()
        ids = [c.id or 0 for c in chunks]
    out["db_rows_s"] = time.perf_counter() - started
    log(f"{size}: {len(ids)} chunks in the database; storing vectors and indexing (warm cache)")
    started = time.perf_counter()
    store_missing_vectors(services)
    out["vectors_warm_s"] = time.perf_counter() - started
    services.changed()
    services.follower.save()
    out["index_warm_s"] = time.perf_counter() - started
    out["index_warm_chunks_per_s"] = len(ids) / out["index_warm_s"]
    texts = [passage_text(p.title, p.text) for p in passages]
    services.close()
    return out, ids, texts


def cold_ingest_vs_raw(data_dir: Path, ids: list[int]) -> dict:
    """A sample through the product's index path with an empty cache vs the raw models."""
    from kms.services.app import Services
    from kms.services.indexing import build_index_chunks

    sample = random.Random(1).sample(ids, min(COLD_SAMPLE, len(ids)))
    services = Services(Settings(data_dir=data_dir, embed_cache_dir=CACHE_DIR, demo=False))
    with services.db.session() as session:
        chunks = build_index_chunks(session, sample)
    services.db.close()
    texts = [passage_text(c.title, c.text) for c in chunks]
    langs = [c.language for c in chunks]
    # the instances the index uses (same options → same object; HybridIndex passes batch_size)
    raw = {name: load_embedder(name, batch_size=32) for name in EMBEDDERS}

    def raw_encode() -> float:
        started = time.perf_counter()
        for model in raw.values():
            model.encode([t for t, lg in zip(texts, langs, strict=True) if understands(model, lg)])
        return time.perf_counter() - started

    def product_index() -> float:
        with tempfile.TemporaryDirectory() as tmp:
            index = HybridIndex(None, EMBEDDERS, cache_dir=Path(tmp))  # empty cache: all misses
            started = time.perf_counter()
            index.upsert(chunks)
            elapsed = time.perf_counter() - started
            index.close()
        return elapsed

    raw_encode()  # warm-up pass: first-call costs are not throughput
    # alternated, best of two each: the machine is shared, a slow pass is contention
    raw_runs, product_runs = [], []
    for _ in range(2):
        raw_runs.append(raw_encode())
        product_runs.append(product_index())
    raw_s, product_s = min(raw_runs), min(product_runs)
    return {
        "sample_chunks": len(chunks),
        "raw_encode_chunks_per_s": len(chunks) / raw_s,
        "product_index_cold_chunks_per_s": len(chunks) / product_s,
        "ratio": raw_s / product_s,
        "raw_runs_s": raw_runs,
        "product_runs_s": product_runs,
        "note": "parse excluded; chunks from the DB → build_index_chunks → HybridIndex.upsert "
        "with an empty CachedEmbedder, vs raw encode of the same texts (MiniLM on en/mixed, "
        "USE on all, as the index does)",
    }


def http_load(url: str, key: str, reqs: list[dict], concurrency: int) -> dict:
    import httpx

    def worker(batch: list[dict]) -> list[float]:
        times = []
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=120) as client:
            for body in batch:
                t0 = time.perf_counter()
                r = client.post("/v1/search", json=body)
                times.append(time.perf_counter() - t0)
                r.raise_for_status()
        return times

    batches = [reqs[i::concurrency] for i in range(concurrency)]
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        times = [t for part in pool.map(worker, batches) for t in part]
    wall = time.perf_counter() - started
    return {**perfkit.percentiles(times), "qps": len(times) / wall, "concurrency": concurrency}


def profile_search(data_dir: Path, reqs: list[dict], path: Path) -> None:
    from kms.core.models import Role
    from kms.core.schemas import SearchRequest
    from kms.core.visibility import Caller
    from kms.services.app import Services
    from kms.services.search_page import search

    settings = Settings(data_dir=data_dir, embed_cache_dir=CACHE_DIR, demo=False)
    services = Services(settings, serving=True)  # the server's models: 1 thread each
    caller = Caller(name="perf", role=Role.rep, teams=(TEAM,))
    for body in reqs[:3]:
        search(services, SearchRequest(**body), caller)
    prof = cProfile.Profile()
    prof.enable()
    for body in reqs[:20]:
        search(services, SearchRequest(**body), caller)
    prof.disable()
    services.db.close()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).sort_stats("cumulative")
    stats.print_stats(45)
    path.write_text(buf.getvalue())


def run_size(size: int, n_requests: int, seed: int = 3) -> dict:
    data_dir = CACHE_DIR / f"perf-{size}"
    result: dict[str, object] = {"size": size, "loadavg_start": os.getloadavg()}
    log(f"{size}: building data dir {data_dir}")
    result["ingest"], ids, texts = build_data_dir(size, data_dir)
    result["index_on_disk_mb"] = perfkit.dir_size(data_dir / "index") / 1e6
    log(f"{size}: cold ingest sample vs raw encode")
    result["ingest_cold"] = cold_ingest_vs_raw(data_dir, ids)

    from kms.services.app import Services

    rng = random.Random(seed)
    pool = [q for _, q in perfkit.queries(4 * n_requests)]
    warm, qs, qs8 = pool[:8], pool[:n_requests], pool[n_requests : 3 * n_requests]
    qs_spy = pool[3 * n_requests :]
    services = Services(Settings(data_dir=data_dir, embed_cache_dir=CACHE_DIR, demo=False))
    stage_keys = [s.key for s in services.process.stages]
    services.db.close()

    def requests(texts: list[str]) -> list[dict]:
        return [{"query": q, "stage": rng.choice(stage_keys), "limit": 10} for q in texts]

    reqs, reqs8, reqs_spy = requests(qs), requests(qs8), requests(qs_spy)
    warm_reqs = requests([f"{q} warm-up" for q in warm])
    log(f"{size}: starting server")
    started = time.perf_counter()
    server = start_server(data_dir, SERVER_ENV)
    result["cold_start_to_ready_s"] = time.perf_counter() - started
    rss = perfkit.PeakRSS(server.process.pid)
    try:
        key = cli_key(data_dir, "rep", [TEAM], "perf")
        http_load(server.url, key, warm_reqs, 1)  # warm-up (first query loads lazily)
        log(f"{size}: /v1/search c=1 ({len(reqs)} requests)")
        result["http_c1"] = http_load(server.url, key, reqs, 1)
        log(f"{size}: /v1/search c=8 ({len(reqs8)} requests)")
        result["http_c8"] = http_load(server.url, key, reqs8, 8)
        log(f"{size}: py-spy on the server under c=8 ({len(reqs_spy)} more requests)")
        raw = CACHE_DIR / f"perf-{size}-server.pyspy.txt"
        spy = perfkit.start_py_spy(server.process.pid, raw)
        http_load(server.url, key, reqs_spy, 8)
        perfkit.stop_py_spy(spy)
        (RESULTS_DIR / "perf.server-profile.txt").write_text(perfkit.summarise_py_spy(raw))
    finally:
        result["server_peak_rss_mb"] = rss.stop() / 1e6
        stop_server(server)
    log(f"{size}: cProfile of 20 in-process searches")
    profile_search(data_dir, reqs8, RESULTS_DIR / "perf.profile.txt")
    log(f"{size}: floor, bm25s, KeywordIndex")  # last: it sets torch to one thread
    result.update(floor_and_keyword(data_dir, texts, qs))
    result["loadavg_end"] = os.getloadavg()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--requests", type=int, default=100, help="per concurrency level")
    parser.add_argument("--cluster", action="store_true", help="replicas on PostgreSQL instead")
    parser.add_argument("--cluster-size", type=int, default=10_000, help="chunks, --cluster")
    args = parser.parse_args()
    if args.cluster:
        import perfcluster

        perfcluster.main(args.cluster_size, args.requests)
        return
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out_json = RESULTS_DIR / "perf.json"
    saved = json.loads(out_json.read_text()) if out_json.exists() else {}
    results: dict[str, dict] = saved.get("sizes", {})
    for size in (int(s) for s in args.sizes.split(",")):
        results[str(size)] = run_size(size, args.requests)
        doc = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "sizes": results,
        }
        out_json.write_text(json.dumps(doc, indent=2, ensure_ascii=False))
        perfkit.plot(results, RESULTS_DIR / "perf.png")
    print(perfkit.table(results))


if __name__ == "__main__":
    main()
