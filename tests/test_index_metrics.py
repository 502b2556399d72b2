"""The benchmark's metrics, checked on hand-computed examples."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "common.py"
_spec = importlib.util.spec_from_file_location("bench_common", _PATH)
assert _spec and _spec.loader
common = importlib.util.module_from_spec(_spec)
sys.modules["bench_common"] = common
_spec.loader.exec_module(common)


def test_ndcg_at_10_graded_by_hand() -> None:
    # relevant: a (gain 2), b (gain 1); ranking: x, a, y, b
    ranked = ["x", "a", "y", "b"]
    judged = {"a": 2, "b": 1, "z": 0}
    dcg = 2 / math.log2(3) + 1 / math.log2(5)
    idcg = 2 / math.log2(2) + 1 / math.log2(3)
    assert common.ndcg_at_k(ranked, judged, 10) == pytest.approx(dcg / idcg)


def test_ndcg_perfect_and_empty() -> None:
    assert common.ndcg_at_k(["a", "b"], {"a": 1, "b": 1}, 10) == pytest.approx(1.0)
    assert common.ndcg_at_k([], {"a": 1}, 10) == 0.0
    assert common.ndcg_at_k(["a"], {"a": 0}, 10) == 0.0


def test_ndcg_cuts_at_k() -> None:
    ranked = [f"d{i}" for i in range(10)] + ["rel"]
    assert common.ndcg_at_k(ranked, {"rel": 1}, 10) == 0.0


def test_recall_at_100_counts_only_positive_judgments() -> None:
    judged = {"a": 1, "b": 2, "c": 0}
    assert common.recall_at_k(["a", "c", "x"], judged, 100) == pytest.approx(0.5)
    assert common.recall_at_k(["x"] * 100 + ["a", "b"], judged, 100) == 0.0


def test_evaluate_averages_over_queries() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}}
    scores = common.evaluate({"q1": ["a"], "q2": ["x", "y"]}, qrels)
    assert scores["ndcg@10"] == pytest.approx(0.5)
    assert scores["recall@100"] == pytest.approx(0.5)
