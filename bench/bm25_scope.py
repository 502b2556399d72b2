"""BM25 with per-visibility-scope statistics against the engine's own, on the public sets.

    .venv/bin/python bench/bm25_scope.py

For each set in ``../shared/eval`` it indexes every passage (tantivy) and runs every query
unrestricted (``teams=None``: the engine's statistics) and as a rep with no team
(``teams=()``: the idf of the caller's visibility scope, ``index.keyword``), and prints
nDCG@10 / Recall@100 of both, the largest score difference and the time per query. All
passages are public here, so the two must agree; the hybrid fuses these same lists.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SETS, evaluate, load_set

from index.keyword import KeywordDoc
from index.keyword_engines import open_keyword_index

MODES: dict[str, tuple[str, ...] | None] = {"global": None, "scoped": ()}


def main() -> None:
    for name in SETS:
        s = load_set(name)
        index = open_keyword_index(None, "tantivy")
        index.upsert([KeywordDoc(i, s.texts[i], title=s.titles[i]) for i in range(len(s.doc_ids))])
        runs: dict[str, dict[str, list[str]]] = {mode: {} for mode in MODES}
        seconds = dict.fromkeys(MODES, 0.0)
        diff = 0.0
        for qid, text in s.queries.items():
            scores: dict[str, dict[int, float]] = {}
            for mode, teams in MODES.items():
                started = time.perf_counter()
                hits = index.search(text, 100, teams)
                seconds[mode] += time.perf_counter() - started
                runs[mode][qid] = [s.doc_ids[c] for c, _ in hits]
                scores[mode] = dict(hits)
            diff = max(
                [
                    diff,
                    *(abs(v - scores["scoped"].get(c, 0.0)) for c, v in scores["global"].items()),
                ]
            )
        g, sc = evaluate(runs["global"], s.qrels), evaluate(runs["scoped"], s.qrels)
        per_query = {m: 1000 * t / len(s.queries) for m, t in seconds.items()}
        print(
            f"{name:20s} nDCG@10 {g['ndcg@10']:.4f} → {sc['ndcg@10']:.4f}  "
            f"R@100 {g['recall@100']:.4f} → {sc['recall@100']:.4f}  max |Δscore| {diff:.1e}  "
            f"{per_query['global']:.2f} → {per_query['scoped']:.2f} ms/query"
        )


if __name__ == "__main__":
    main()
