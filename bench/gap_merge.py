"""Which open gap asks the same question? Measures the suggestions the gaps board makes
for a merge (``kms.services.gap_merge``) and whether any similarity threshold could merge
automatically instead.

Reads ``bench/gap_questions.yaml`` (groups of questions that ask one thing, English and
Chinese; neighbouring groups differ by one detail). Every question is compared with all
the others, as the board compares a gap with the open gaps. Prints, per embedder: how
often the nearest other question is a twin (precision@1 of the first suggestion), how
often a twin is among the suggestions shown (recall@5, above the floor), split by
same-language and cross-language twins; and for a threshold rule, the AUROC of "twin or
not" over all pairs and the best F1 any threshold reaches, with how many different
questions that threshold would join. Writes ``bench/results/gap_merge.json``.

    .venv/bin/python bench/gap_merge.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.answerability import auroc  # noqa: E402
from index.hybrid import load_embedders  # noqa: E402
from kms.core.text.language import detect_language  # noqa: E402
from kms.services.gap_merge import FLOOR, MODEL, SHOWN  # noqa: E402

QUESTIONS = REPO / "bench" / "gap_questions.yaml"
RESULTS = REPO / "bench" / "results" / "gap_merge.json"
MODELS = (MODEL, "minilm")


def load_groups(path: Path = QUESTIONS) -> list[list[str]]:
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    for i, group in enumerate(groups, start=1):
        if len(group) < 2:
            raise ValueError(f"{path}: group {i} has fewer than two questions")
    return [[str(q) for q in g] for g in groups]


def measure(vectors: np.ndarray, group_of: list[int], langs: list[str]) -> dict[str, Any]:
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    n = len(group_of)
    first: dict[str, list[bool]] = {"same_language": [], "cross_language": []}
    shown: dict[str, list[bool]] = {"same_language": [], "cross_language": []}
    for i in range(n):
        order = np.argsort(-sims[i])
        twins = [j for j in range(n) if j != i and group_of[j] == group_of[i]]
        for j in twins:
            kind = "same_language" if langs[i] == langs[j] else "cross_language"
            shown[kind].append(j in [k for k in order[:SHOWN] if sims[i, k] >= FLOOR])
        best = int(order[0])
        kind = "same_language" if langs[best] == langs[i] else "cross_language"
        first[kind].append(group_of[best] == group_of[i])
    pairs = [(sims[i, j], group_of[i] == group_of[j]) for i in range(n) for j in range(i + 1, n)]
    scores = np.array([p[0] for p in pairs])
    labels = np.array([p[1] for p in pairs])
    threshold, f1, joined = best_threshold(scores, labels)
    twin_scores = scores[labels]
    return {
        "first_suggestion_is_a_twin": _share(first["same_language"] + first["cross_language"]),
        "twin_shown": {k: _share(v) for k, v in shown.items()}
        | {"all": _share(shown["same_language"] + shown["cross_language"])},
        "threshold_rule": {
            "auroc": round(auroc(scores.tolist(), labels.tolist()), 3),
            "best_f1": round(f1, 3),
            "at_threshold": round(threshold, 3),
            "different_pairs_joined": joined,
            "twin_cosine_min_median": [
                round(float(twin_scores.min()), 3),
                round(float(np.median(twin_scores)), 3),
            ],
            "different_cosine_max": round(float(scores[~labels].max()), 3),
        },
    }


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float, int]:
    """The threshold with the best F1 for "twin", its F1 and how many different pairs it joins."""
    best = (0.0, 0.0, 0)
    for t in np.unique(scores):
        predicted = scores >= t
        tp = int((predicted & labels).sum())
        fp = int((predicted & ~labels).sum())
        fn = int((~predicted & labels).sum())
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        if f1 > best[1]:
            best = (float(t), f1, fp)
    return best


def _share(values: list[bool]) -> dict[str, float | int]:
    return {"share": round(sum(values) / max(len(values), 1), 3), "n": len(values)}


def main() -> None:
    groups = load_groups()
    questions = [q for g in groups for q in g]
    group_of = [i for i, g in enumerate(groups) for _ in g]
    langs = ["zh" if detect_language(q) != "en" else "en" for q in questions]
    embedders = load_embedders(MODELS)
    results: dict[str, Any] = {
        "questions": len(questions),
        "groups": len(groups),
        "suggestions": {"model": MODEL, "floor": FLOOR, "shown": SHOWN},
        "models": {},
    }
    for name, embedder in embedders.items():
        vectors = np.asarray(embedder.encode(questions, is_query=True), dtype=np.float32)
        results["models"][name] = measure(vectors, group_of, langs)
        print(name, json.dumps(results["models"][name], ensure_ascii=False))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
