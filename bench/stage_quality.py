"""Stage-aware quality on the demo knowledge base: nDCG@10 with and without stage priors.

Reads ``bench/stage_queries.yaml`` (hand-written queries, half Chinese, each with the
rep's stage and judged relevant demo files), runs every query through the product's
search service twice — with the stage given (priors on) and with stage priors switched
off — and prints one table per language, writing ``bench/results/stage_quality.json``.

    .venv/bin/python bench/stage_quality.py [--data-dir DIR]

Without ``--data-dir`` it builds the demo knowledge base into a temporary directory
(embeddings cached in ``.cache/test-embeddings``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.common import ndcg_at_k  # noqa: E402
from index.ranking import Weights  # noqa: E402
from kms.core.config import Settings  # noqa: E402
from kms.core.models import Role  # noqa: E402
from kms.core.schemas import SearchRequest  # noqa: E402
from kms.core.text.language import has_cjk  # noqa: E402
from kms.core.visibility import Caller  # noqa: E402
from kms.services.app import Services  # noqa: E402
from kms.services.search import retrieve  # noqa: E402

QUERIES = REPO / "bench" / "stage_queries.yaml"
RESULTS = REPO / "bench" / "results" / "stage_quality.json"
REP = Caller(name="bench", role=Role.rep, teams=())  # a rep in no team: public assets only


def build_demo(data_dir: Path) -> Services:
    from kms.services.demo import demo_sources
    from kms.services.ingest import ingest_paths

    settings = Settings(data_dir=data_dir, embed_cache_dir=REPO / ".cache" / "test-embeddings")
    services = Services(settings)
    for paths, meta in demo_sources():
        ingest_paths(services, paths, meta, created_by="bench")
    return services


def source_map(services: Services) -> dict[int, str]:
    """Asset id → demo-relative path (``docs/x.md``) for documents."""
    from sqlmodel import select

    from kms.core.models import Asset

    with services.db.session() as session:
        rows = session.exec(select(Asset).where(Asset.source_type == "document")).all()
    return {a.id or 0: a.source.split("/demo/", 1)[-1] for a in rows if "/demo/" in a.source}


def run_query(services: Services, text: str, stage: str, priors: bool) -> list[int]:
    weights = Weights() if priors else Weights(stage=0.0)
    request = SearchRequest(query=text, stage=stage, limit=10, log=False)
    with services.db.session() as session:
        result = retrieve(services, session, request, REP, weights=weights)
    return [r.asset_id for r in result.ranked[:10]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an existing demo data dir")
    args = parser.parse_args()
    tmp = None
    if args.data_dir:
        services = Services(Settings(data_dir=args.data_dir))
    else:
        tmp = tempfile.TemporaryDirectory(prefix="kms-stage-bench-")
        services = build_demo(Path(tmp.name))
    paths = source_map(services)
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    rows = []
    start = time.perf_counter()
    for q in queries:
        scores = {}
        for priors in (False, True):
            ranked = [
                paths.get(a, f"asset:{a}")
                for a in run_query(services, q["text"], q["stage"], priors)
            ]
            scores["with" if priors else "without"] = ndcg_at_k(ranked, q["relevant"], 10)
        rows.append({"id": q["id"], "lang": "zh" if has_cjk(q["text"]) else "en", **scores})
    elapsed = time.perf_counter() - start
    by_language: dict[str, dict[str, float]] = {}
    report = {"queries": len(rows), "seconds": round(elapsed, 1), "by_language": by_language}
    print(f"{'set':<10}{'queries':>8}{'no stage priors':>18}{'stage priors':>15}{'delta':>9}")
    for lang in ("en", "zh", "all"):
        subset = [r for r in rows if lang == "all" or r["lang"] == lang]
        without = statistics.mean(r["without"] for r in subset)
        with_ = statistics.mean(r["with"] for r in subset)
        by_language[lang] = {
            "queries": len(subset),
            "ndcg@10_without_stage": round(without, 4),
            "ndcg@10_with_stage": round(with_, 4),
            "delta": round(with_ - without, 4),
        }
        print(f"{lang:<10}{len(subset):>8}{without:>18.4f}{with_:>15.4f}{with_ - without:>+9.4f}")
    report["per_query"] = rows
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)} ({elapsed:.1f} s for {2 * len(rows)} searches)")
    services.close()
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
