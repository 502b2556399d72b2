"""Shared by the benchmark scripts: reading BEIR sets in place, and the metrics.

The sets live in ``../shared/eval`` (or ``$KMS_EVAL_DIR``) and are never copied
into the repository. Metrics follow BEIR / trec_eval: nDCG@k with linear gain on
graded judgments (log2 discount, ideal ranking from the judgments), Recall@k over
documents judged relevant (score > 0); queries without a relevant judgment are
skipped, as BEIR does.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.embedders import passage_text

REPO = Path(__file__).resolve().parent.parent
EVAL_DIR = Path(os.environ.get("KMS_EVAL_DIR", REPO.parent / "shared" / "eval"))
CACHE_DIR = REPO / "bench" / "cache"
RESULTS_DIR = REPO / "bench" / "results"
SETS = ("scifact", "stackfaq", "afqmc-dupq", "cmrc2018-retrieval")

Qrels = dict[str, dict[str, int]]


@dataclass(frozen=True)
class BeirSet:
    name: str
    doc_ids: list[str]
    titles: list[str]
    texts: list[str]
    queries: dict[str, str]  # only queries that have at least one relevant judgment
    qrels: Qrels

    def doc_text(self, i: int) -> str:
        """Title and text as the product indexes a chunk (``title + " " + text``)."""
        return passage_text(self.titles[i], self.texts[i])


def load_set(name: str, eval_dir: Path = EVAL_DIR) -> BeirSet:
    folder = eval_dir / name
    doc_ids, titles, texts = [], [], []
    with open(folder / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            doc_ids.append(str(row["_id"]))
            titles.append(row.get("title") or "")
            texts.append(row.get("text") or "")
    qrels: Qrels = {}
    with open(folder / "qrels.tsv", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t")
        next(reader)
        for qid, did, score in reader:
            qrels.setdefault(qid, {})[did] = int(score)
    queries: dict[str, str] = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            qid = str(row["_id"])
            if any(s > 0 for s in qrels.get(qid, {}).values()):
                queries[qid] = row["text"]
    return BeirSet(name, doc_ids, titles, texts, queries, qrels)


def ndcg_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear gain (as trec_eval's ``ndcg_cut``, which BEIR reports)."""
    dcg = sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def evaluate(runs: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """Mean nDCG@10 and Recall@100 over the queries in ``runs``."""
    if not runs:
        return {"ndcg@10": 0.0, "recall@100": 0.0}
    n = len(runs)
    ndcg = sum(ndcg_at_k(r, qrels.get(q, {}), 10) for q, r in runs.items()) / n
    rec = sum(recall_at_k(r, qrels.get(q, {}), 100) for q, r in runs.items()) / n
    return {"ndcg@10": ndcg, "recall@100": rec}
