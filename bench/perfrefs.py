"""The references ``bench/perf.py`` measures the product against, on the same data.

- the semantic floor: the raw models' encode of each query plus an exact faiss
  ``IndexFlatIP`` search over the same vectors, no framework (single-threaded models:
  ``floor``, the ratios' base; as configured for batch work: ``floor_as_configured``);
- ``bm25s`` over the same chunks and tokens;
- each keyword engine behind our ``KeywordIndex`` protocol, built from the data dir's
  chunks and timed on the same queries with the rep's visibility filter.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import perfkit
from common import CACHE_DIR
from perfkit import EMBEDDERS, TEAM, log

from index.analyzer import tokenize
from index.embedders import load_embedder
from index.hybrid import CACHE_FILE, keyword_doc, understands
from index.keyword_engines import ENGINES, open_keyword_index
from index.policy import CANDIDATES, sources_for
from kms.core.config import Settings
from kms.core.text.language import detect_language


def floor_and_keyword(data_dir: Path, texts: list[str], qs: list[str]) -> dict:
    """Semantic floor (raw encode + faiss flat), bm25s and KeywordIndex on the same queries."""
    import bm25s
    import faiss

    from index.embed_cache import CachedEmbedder

    langs = [detect_language(t) for t in texts]
    out: dict[str, object] = {}
    flat, raw = {}, {}
    for name in EMBEDDERS:
        raw[name] = load_embedder(name)
        cached = CachedEmbedder(raw[name], CACHE_DIR / CACHE_FILE)  # same vectors as the index
        take = [t for t, lg in zip(texts, langs, strict=True) if understands(raw[name], lg)]
        vecs = cached.encode(take)
        cached.close()
        flat[name] = faiss.IndexFlatIP(raw[name].dim)
        flat[name].add(vecs)
        raw[name].encode(["warm up"], is_query=True)
    # the raw models as the product configures them (2 threads), then single-threaded:
    # on this shared 2-core machine a 2-thread pool costs 100+ ms on a one-query encode
    for label, threads in [("floor_as_configured", None), ("floor", 1)]:
        models = raw if threads is None else {n: load_embedder(n, threads=1) for n in EMBEDDERS}
        for model in models.values():
            model.encode(["warm up"], is_query=True)
        times, encode_times = [], []
        for q in qs:
            t0 = time.perf_counter()
            for name in sorted(sources_for(detect_language(q)) & set(EMBEDDERS)):
                t1 = time.perf_counter()
                v = models[name].encode([q], is_query=True)
                encode_times.append(time.perf_counter() - t1)
                flat[name].search(v, CANDIDATES)
            times.append(time.perf_counter() - t0)
        out[label] = perfkit.percentiles(times)
        out[f"{label}_encode_per_model"] = perfkit.percentiles(encode_times)

    started = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index([tokenize(t) for t in texts], show_progress=False)
    out["bm25s_build_s"] = time.perf_counter() - started
    vocab = retriever.vocab_dict
    times = []
    for q in qs:
        toks = [t for t in tokenize(q) if t in vocab] or [next(iter(vocab))]
        t0 = time.perf_counter()
        retriever.retrieve([toks], k=min(CANDIDATES, len(texts)), show_progress=False)
        times.append(time.perf_counter() - t0)
    out["bm25s"] = perfkit.percentiles(times)

    out.update(keyword_engines(data_dir, qs))
    return out


def keyword_engines(data_dir: Path, qs: list[str]) -> dict:
    """Each keyword engine built from the data dir's chunks, then the same queries."""
    from sqlmodel import select

    from kms.core.models import Chunk
    from kms.services.app import Services
    from kms.services.indexing import build_index_chunks

    services = Services(Settings(data_dir=data_dir, embed_cache_dir=CACHE_DIR, demo=False))
    with services.db.session() as session:
        ids = [int(i) for i in session.exec(select(Chunk.id)).all() if i is not None]
        docs = [keyword_doc(c) for c in build_index_chunks(session, ids)]
    services.db.close()
    out: dict[str, object] = {}
    for engine in ENGINES:
        with tempfile.TemporaryDirectory(dir=data_dir) as tmp:
            keyword = open_keyword_index(Path(tmp), engine)
            log(f"keyword engine {engine}: indexing {len(docs)} chunks")
            started = time.perf_counter()
            for i in range(0, len(docs), 5000):
                keyword.upsert(docs[i : i + 5000])
            keyword.optimize()
            out[f"keyword_{engine}_build_s"] = time.perf_counter() - started
            for q in qs[:3]:
                keyword.search(q, CANDIDATES, [TEAM])
            times = []
            for q in qs:
                t0 = time.perf_counter()
                keyword.search(q, CANDIDATES, [TEAM])
                times.append(time.perf_counter() - t0)
            keyword.close()
        out[f"keyword_{engine}"] = perfkit.percentiles(times)
    return out
