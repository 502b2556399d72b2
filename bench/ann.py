"""HNSW recall@10 against exact search, on real embeddings, to pick the vector defaults.

    .venv/bin/python bench/ann.py

Vectors: MiniLM passage embeddings of scifact (5,183, real), queried by scifact's
300 claims plus 700 held-out passages. A second, larger pool (every eval set's
MiniLM passages, tiled with small noise to 100k) shows how exact-search latency
grows with size, which is what ``ann_threshold`` trades against recall. Uses the
product's ``VectorIndex`` (HNSW forced with ``ann_threshold=0``). Embeddings come
from the benchmark cache (``bench/cache``), encoding only on a cold cache.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE_DIR, SETS, BeirSet, load_set

from index.embed_cache import CachedEmbedder
from index.embedders import load_embedder
from index.vector import VectorIndex

K = 10


def recall_at_k(
    index: VectorIndex, queries: np.ndarray, truth: list[set[int]]
) -> tuple[float, float]:
    hits, times = 0, []
    for q, want in zip(queries, truth, strict=True):
        t0 = time.perf_counter()
        got = index.search(q, K)
        times.append((time.perf_counter() - t0) * 1000)
        hits += len(want.intersection(c for c, _ in got))
    return hits / (K * len(queries)), statistics.median(times)


def exact_truth(vectors: np.ndarray, queries: np.ndarray) -> list[set[int]]:
    scores = queries @ vectors.T
    top = np.argsort(-scores, axis=1)[:, :K]
    return [set(row.tolist()) for row in top]


def measure(vectors: np.ndarray, queries: np.ndarray, label: str) -> list[dict[str, Any]]:
    ids = np.arange(len(vectors))
    truth = exact_truth(vectors, queries)
    rows = []
    flat = VectorIndex(vectors.shape[1], ann_threshold=10**9)
    flat.upsert(ids, vectors)
    rec, ms = recall_at_k(flat, queries, truth)
    rows.append(
        {"set": label, "n": len(vectors), "kind": "flat", "recall@10": rec, "median_ms": ms}
    )
    print(f"{label:28s} n={len(vectors):7d} flat             recall@10 {rec:.4f}  {ms:6.2f} ms")
    for m in (16, 32):
        t0 = time.perf_counter()
        hnsw = VectorIndex(vectors.shape[1], ann_threshold=0, hnsw_m=m)
        hnsw.upsert(ids, vectors)
        build = time.perf_counter() - t0
        for ef in (16, 32, 64, 128, 256):
            hnsw.ef_search = ef
            rec, ms = recall_at_k(hnsw, queries, truth)
            rows.append(
                {
                    "set": label,
                    "n": len(vectors),
                    "kind": "hnsw",
                    "M": m,
                    "efSearch": ef,
                    "recall@10": rec,
                    "median_ms": ms,
                    "build_s": build,
                }
            )
            print(
                f"{label:28s} n={len(vectors):7d} M={m:2d} ef={ef:3d}  recall@10 {rec:.4f}"
                f"  {ms:6.2f} ms  (build {build:.1f}s)"
            )
    return rows


class _CacheOnly:
    """MiniLM's identity without the model: answers from the cache or raises."""

    name, dim, cache_id = "minilm", 384, "minilm"
    languages: frozenset[str] | None = None

    def encode(self, texts: Sequence[str], is_query: bool = False) -> np.ndarray:
        raise LookupError("embedding cache is cold")


def _vectors(embedder: CachedEmbedder, s: BeirSet) -> np.ndarray:
    return embedder.encode([s.doc_text(i) for i in range(len(s.doc_ids))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--with-torch", action="store_true", help="load torch first (OpenMP interplay check)"
    )
    args = parser.parse_args()
    if args.with_torch:
        import torch

        torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        embedder = CachedEmbedder(_CacheOnly(), CACHE_DIR / "embeddings.sqlite")
        _vectors(embedder, load_set("scifact"))
    except LookupError:  # cold cache: load the model (and torch) after all
        embedder = CachedEmbedder(load_embedder("minilm"), CACHE_DIR / "embeddings.sqlite")
    print(f"torch loaded: {'torch' in sys.modules}")
    sci = load_set("scifact")
    passages = _vectors(embedder, sci)
    claims = embedder.encode(list(sci.queries.values()), is_query=True)
    rng = np.random.default_rng(0)
    held = rng.choice(len(passages), size=700, replace=False)
    keep = np.setdiff1d(np.arange(len(passages)), held)
    queries = np.vstack([claims, passages[held]])
    rows = measure(passages[keep], queries, "scifact (real)")

    pool = [passages]
    for name in SETS[1:]:
        s = load_set(name)
        pool.append(_vectors(embedder, s))
    base = np.vstack(pool)
    tiles = [base]
    while sum(len(t) for t in tiles) < 100_000:
        noisy = base + rng.normal(scale=0.02, size=base.shape).astype(np.float32)
        tiles.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    big = np.vstack(tiles)[:100_000]
    for n in (20_000, 50_000, 100_000):
        rows += measure(big[:n], queries, "all sets, tiled + noise")
    best = [r for r in rows if r["kind"] == "hnsw" and r["recall@10"] >= 0.99]
    print(f"{len(best)} HNSW settings reach recall@10 >= 0.99")


if __name__ == "__main__":
    main()
