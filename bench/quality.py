"""Retrieval quality on the public sets in ../shared/eval: BM25, each embedder, the hybrid.

    .venv/bin/python bench/quality.py [--sets scifact,stackfaq] [--no-explore] [--as-rep]

For every set it builds the product's ``HybridIndex`` in memory (embeddings cached
by content hash in ``bench/cache/``, so only the first run encodes), then scores:

- ``bm25``   — the product's ``KeywordIndex`` alone;
- ``minilm``, ``use`` — each vector index alone (exact search);
- ``hybrid`` — ``HybridIndex.search``, the default the product serves.

It prints one table of nDCG@10 and Recall@100 with the hybrid's delta against the
best single retriever, and writes ``bench/results/quality.json``. ``--explore``
(default on) also scores the alternative fusions that were tried, from the same
candidate lists, so the choice of default stays reproducible. ``--as-rep`` searches as a
rep with no team (``teams=()``), the path that scores BM25 with the statistics of the
caller's visibility scope (``index.keyword``), and writes ``quality-as-rep.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE_DIR, RESULTS_DIR, SETS, BeirSet, evaluate, load_set

from index.fusion import Fused, confidence_fuse, minmax_fuse, rrf, zscore_fuse
from index.hybrid import HybridIndex, IndexChunk
from index.policy import CANDIDATES, KEYWORD, LANGUAGE_WEIGHTS, source_specs
from index.vector import VectorIndex
from kms.core.text.language import Language, detect_language

EMBEDDERS = ("minilm", "use")
SINGLE = (KEYWORD, *EMBEDDERS)
Lists = dict[str, list[tuple[int, float]]]
Fusion = Callable[[Lists, Language], list[Fused]]

# Equal-weight pairs, the usual baseline: English → BM25 + MiniLM, else BM25 + USE.
_PAIR = {"en": {KEYWORD: 1.0, "minilm": 1.0}, "zh": {KEYWORD: 1.0, "use": 1.0}}


def _pair(lang: Language) -> dict[str, float]:
    return _PAIR["en" if lang == "en" else "zh"]


def _only(lists: Lists, weights: dict[str, float]) -> Lists:
    return {k: v for k, v in lists.items() if k in weights}


def _confidence(weights: dict[Language, dict[str, float]]) -> Fusion:
    def fuse(lists: Lists, lang: Language) -> list[Fused]:
        return confidence_fuse(lists, source_specs(lang, lists, weights), CANDIDATES)

    return fuse


def _scaled(factor: float) -> dict[Language, dict[str, float]]:
    return {
        lang: {n: w if n == KEYWORD else w * factor for n, w in ws.items()}
        for lang, ws in LANGUAGE_WEIGHTS.items()
    }


ALTERNATIVES: dict[str, Fusion] = {
    "rrf60 pair": lambda L, g: rrf(_only(L, _pair(g)), k=60),
    "minmax pair": lambda L, g: minmax_fuse(_only(L, _pair(g))),
    "zscore pair": lambda L, g: zscore_fuse(_only(L, _pair(g))),
    "minmax default weights": lambda L, g: minmax_fuse(
        _only(L, LANGUAGE_WEIGHTS[g]), LANGUAGE_WEIGHTS[g]
    ),
    "confidence pair": _confidence({"en": _PAIR["en"], "zh": _PAIR["zh"], "mixed": _PAIR["zh"]}),
    "confidence dense x0.8": _confidence(_scaled(0.8)),
    "confidence dense x1.25": _confidence(_scaled(1.25)),
    "confidence no USE for en": _confidence(
        {**LANGUAGE_WEIGHTS, "en": {KEYWORD: 1.0, "minilm": 3.0}}
    ),
}


def build(s: BeirSet, cache: Path) -> tuple[HybridIndex, dict[str, VectorIndex], dict[str, float]]:
    """The product's index over the set, plus a full-coverage vector index per embedder.

    The product's MiniLM index skips Chinese passages (an English-only model); the
    single-embedder baselines index every passage, so the table shows each model
    alone on the whole corpus.
    """
    index = HybridIndex(None, EMBEDDERS, cache_dir=cache)
    chunks = [
        IndexChunk(chunk_id=i, title=s.titles[i], text=s.texts[i]) for i in range(len(s.doc_ids))
    ]
    timings: dict[str, float] = {}
    started = time.perf_counter()
    step = 2000
    for start in range(0, len(chunks), step):
        index.upsert(chunks[start : start + step])
        done = min(start + step, len(chunks))
        print(f"  {s.name}: indexed {done}/{len(chunks)}", end="\r", file=sys.stderr, flush=True)
    timings["index_s"] = time.perf_counter() - started
    started = time.perf_counter()
    full: dict[str, VectorIndex] = {}
    for name, embedder in index.embedders.items():
        if len(index.vectors[name]) == len(chunks):
            full[name] = index.vectors[name]
            continue
        full[name] = VectorIndex(embedder.dim)
        texts = [s.doc_text(i) for i in range(len(chunks))]
        full[name].upsert(np.arange(len(chunks)), embedder.encode(texts))
    timings["baseline_vectors_s"] = time.perf_counter() - started
    # query vectors: one batch per model (cached), so the loop below measures retrieval
    started = time.perf_counter()
    for embedder in index.embedders.values():
        embedder.encode(list(s.queries.values()), is_query=True)
    timings["encode_queries_s"] = time.perf_counter() - started
    return index, full, timings


def run_set(
    s: BeirSet, cache: Path, explore: bool, teams: tuple[str, ...] | None = None
) -> dict[str, object]:
    print(f"{s.name}: {len(s.doc_ids)} docs, {len(s.queries)} queries", file=sys.stderr)
    index, full, timings = build(s, cache)
    runs: dict[str, dict[str, list[str]]] = {m: {} for m in (*SINGLE, "hybrid", *ALTERNATIVES)}
    kw_ms: list[float] = []
    hy_ms: list[float] = []
    languages: dict[str, int] = {}
    for n, (qid, text) in enumerate(s.queries.items(), start=1):
        lang = detect_language(text)
        languages[lang] = languages.get(lang, 0) + 1
        t0 = time.perf_counter()
        lists = {KEYWORD: index.keyword.search(text, CANDIDATES, teams)}
        kw_ms.append((time.perf_counter() - t0) * 1000)
        for name, embedder in index.embedders.items():
            vector = embedder.encode([text], is_query=True)[0]
            lists[name] = full[name].search(vector, CANDIDATES)
        for name in SINGLE:
            runs[name][qid] = [s.doc_ids[c] for c, _ in lists[name]]
        t0 = time.perf_counter()
        fused = index.search(text, teams, k=100)
        hy_ms.append((time.perf_counter() - t0) * 1000)
        runs["hybrid"][qid] = [s.doc_ids[f.id] for f in fused]
        if explore:
            for alt, fuse in ALTERNATIVES.items():
                runs[alt][qid] = [s.doc_ids[f.id] for f in fuse(lists, lang)[:100]]
        if n % 200 == 0:
            print(f"  {s.name}: {n}/{len(s.queries)} queries", end="\r", file=sys.stderr)
    scores = {m: evaluate(r, s.qrels) for m, r in runs.items() if r}
    best = max(SINGLE, key=lambda m: scores[m]["ndcg@10"])
    best_recall = max(SINGLE, key=lambda m: scores[m]["recall@100"])
    timings |= {
        "keyword_median_ms": statistics.median(kw_ms),
        "keyword_p95_ms": _p95(kw_ms),
        "hybrid_median_ms": statistics.median(hy_ms),
        "hybrid_p95_ms": _p95(hy_ms),
    }
    return {
        "docs": len(s.doc_ids),
        "queries": len(s.queries),
        "query_languages": languages,
        "scores": scores,
        "best_single": best,
        "delta_ndcg@10": scores["hybrid"]["ndcg@10"] - scores[best]["ndcg@10"],
        "delta_recall@100": scores["hybrid"]["recall@100"] - scores[best_recall]["recall@100"],
        "timings": timings,
    }


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def print_table(results: dict[str, dict[str, object]], methods: Sequence[str]) -> None:
    head = f"{'set':20s} " + " ".join(f"{m:>15s}" for m in methods)
    print(head + f" {'Δ vs best':>17s}")
    print("-" * len(head) + "-" * 18)
    for name, r in results.items():
        scores: dict[str, dict[str, float]] = r["scores"]  # type: ignore[assignment]
        cells = " ".join(
            f"{scores[m]['ndcg@10']:7.3f}/{scores[m]['recall@100']:.3f}" for m in methods
        )
        delta = f"{r['delta_ndcg@10']:+.3f}/{r['delta_recall@100']:+.3f}"
        print(f"{name:20s} {cells} {delta:>17s}")
    print("cells: nDCG@10 / Recall@100; Δ: hybrid minus the best single retriever on that set;")
    print("single embedders index every passage; the hybrid's MiniLM skips Chinese passages")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--no-explore", action="store_true", help="skip alternative fusions")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "quality.json")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR, help="embedding cache")
    parser.add_argument("--as-rep", action="store_true", help="search as a rep with no team")
    args = parser.parse_args(argv)
    teams: tuple[str, ...] | None = () if args.as_rep else None
    if args.as_rep and args.out == RESULTS_DIR / "quality.json":
        args.out = RESULTS_DIR / "quality-as-rep.json"
    cache = args.cache_dir
    started = time.perf_counter()
    results = {}
    for name in args.sets.split(","):
        results[name] = run_set(load_set(name), cache, explore=not args.no_explore, teams=teams)
    print()
    print_table(results, ["bm25", "minilm", "use", "hybrid"])
    if not args.no_explore:
        print("\nAlternatives tried (same candidate lists; nDCG@10 / Recall@100):")
        print_table_alt(results)
    for name, r in results.items():
        t: dict[str, float] = r["timings"]  # type: ignore[assignment]
        print(
            f"{name:20s} index {t['index_s']:6.1f}s  keyword median {t['keyword_median_ms']:5.1f}"
            f" ms p95 {t['keyword_p95_ms']:6.1f} ms  hybrid median {t['hybrid_median_ms']:5.1f}"
            f" ms p95 {t['hybrid_p95_ms']:6.1f} ms (query vectors cached)"
        )
    total = time.perf_counter() - started
    print(f"total {total:.0f}s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "config": {
            "candidates_per_source": CANDIDATES,
            "fusion": "confidence_fuse",
            "language_weights": LANGUAGE_WEIGHTS,
        },
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "total_s": total,
        "sets": results,
    }
    args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


def print_table_alt(results: dict[str, dict[str, object]]) -> None:
    names = ["hybrid", *ALTERNATIVES]
    print(f"{'method':26s} " + " ".join(f"{n[:18]:>18s}" for n in results))
    for m in names:
        cells = []
        for r in results.values():
            sc: dict[str, dict[str, float]] = r["scores"]  # type: ignore[assignment]
            cells.append(f"{sc[m]['ndcg@10']:10.3f}/{sc[m]['recall@100']:.3f}" if m in sc else "")
        print(f"{m:26s} " + " ".join(f"{c:>18s}" for c in cells))


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
