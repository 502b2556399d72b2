"""Fusion functions, table-tested: inputs → expected order and scores."""

from __future__ import annotations

import pytest

from index.fusion import (
    SourceSpec,
    confidence_fuse,
    list_confidence,
    minmax_fuse,
    rrf,
    zscore_fuse,
)

A = [(1, 10.0), (2, 5.0), (3, 0.0)]
B = [(3, 1.0), (4, 0.5)]


@pytest.mark.parametrize(
    ("lists", "kwargs", "order"),
    [
        ({"a": [(1, 9.0), (2, 8.0), (3, 7.0)], "b": [(3, 0.9), (1, 0.1)]}, {}, [1, 3, 2]),
        ({"a": [(1, 9.0), (2, 8.0)], "b": [(2, 0.9), (1, 0.1)]}, {}, [1, 2]),  # tie → id
        ({"a": [(1, 9.0)], "b": [(2, 1.0)]}, {"weights": {"b": 2.0}}, [2, 1]),
        ({"a": []}, {}, []),
    ],
)
def test_rrf_order(lists: dict, kwargs: dict, order: list[int]) -> None:
    assert [f.id for f in rrf(lists, **kwargs)] == order


def test_rrf_scores_and_explanations() -> None:
    fused = rrf({"a": [(1, 9.0), (2, 8.0)], "b": [(2, 5.0)]}, k=60)
    top = fused[0]
    assert top.id == 2
    assert top.score == pytest.approx(1 / 62 + 1 / 61)
    assert top.ranks == {"a": 2, "b": 1}
    assert top.contributions == pytest.approx({"a": 1 / 62, "b": 1 / 61})


@pytest.mark.parametrize(
    ("weights", "order", "scores"),
    [
        (None, [1, 3, 2, 4], [1.0, 1.0, 0.5, 0.0]),
        ({"b": 2.0}, [3, 1, 2, 4], [2.0, 1.0, 0.5, 0.0]),
        ({"a": 0.5}, [3, 1, 2, 4], [1.0, 0.5, 0.25, 0.0]),
    ],
)
def test_minmax(weights: dict | None, order: list[int], scores: list[float]) -> None:
    fused = minmax_fuse({"a": A, "b": B}, weights)
    assert [f.id for f in fused] == order
    assert [f.score for f in fused] == pytest.approx(scores)


def test_minmax_missing_contributes_nothing_and_equal_scores_give_one() -> None:
    fused = minmax_fuse({"a": [(1, 3.0), (2, 3.0)], "b": []})
    assert [(f.id, f.score) for f in fused] == [(1, 1.0), (2, 1.0)]
    assert fused[0].contributions == {"a": 1.0}


def test_zscore() -> None:
    fused = zscore_fuse({"a": [(1, 3.0), (2, 1.0)], "b": [(2, 2.0), (3, 0.0)]})
    # a: 1 → +1, 2 → -1; b: 2 → +1, 3 → -1; a missing candidate takes the list's min (-1)
    assert {f.id: f.score for f in fused} == pytest.approx({1: 0.0, 2: 0.0, 3: -2.0})


BM25 = SourceSpec(1.0, ceiling=None)
COS = SourceSpec(1.0, ceiling=1.0)


@pytest.mark.parametrize(
    ("scores", "spec", "full", "expected"),
    [
        ([8.0, 4.0, 2.0], BM25, True, (0.75, 2.0)),  # (top - tail) / top
        ([8.0, 4.0, 2.0], BM25, False, (1.0, 0.0)),  # short list: tail is the floor
        ([0.9, 0.6, 0.5], COS, True, (0.8, 0.5)),  # (top - tail) / (1 - tail)
        ([0.5, 0.5], COS, True, (0.0, 0.5)),  # nothing stands out
        ([], BM25, True, (0.0, 0.0)),
    ],
)
def test_list_confidence(
    scores: list[float], spec: SourceSpec, full: bool, expected: tuple[float, float]
) -> None:
    assert list_confidence(scores, spec, full) == pytest.approx(expected)


def test_confidence_fuse_table() -> None:
    lists = {
        "bm25": [(1, 8.0), (2, 4.0), (3, 2.0)],
        "dense": [(2, 0.9), (3, 0.6), (4, 0.5)],
    }
    fused = confidence_fuse(lists, {"bm25": BM25, "dense": COS}, depth=3)
    assert [f.id for f in fused] == [2, 1, 3, 4]
    assert [f.score for f in fused] == pytest.approx([1.05, 0.75, 0.2, 0.0])
    assert fused[0].contributions == pytest.approx({"bm25": 0.25, "dense": 0.8})
    assert fused[0].ranks == {"bm25": 2, "dense": 1}


def test_confidence_fuse_weights_and_unused_sources() -> None:
    lists = {"bm25": [(1, 8.0), (2, 4.0), (3, 2.0)], "dense": [(2, 0.9), (3, 0.6), (4, 0.5)]}
    specs = {"bm25": BM25, "dense": SourceSpec(0.5, ceiling=1.0), "absent": COS}
    fused = confidence_fuse(lists, specs, depth=3)
    assert [f.id for f in fused] == [1, 2, 3, 4]
    only_bm25 = confidence_fuse(lists, {"bm25": BM25, "dense": SourceSpec(0.0, 1.0)}, 3)
    assert [f.id for f in only_bm25] == [1, 2, 3]
    assert confidence_fuse({}, {"bm25": BM25}, 3) == []


def test_a_confident_list_outweighs_a_flat_one() -> None:
    """The point of the default: per query, the decisive retriever leads."""
    flat_bm25 = [(1, 10.0), (2, 9.9), (3, 9.8)]
    sharp_dense = [(3, 0.95), (2, 0.30), (1, 0.29)]
    fused = confidence_fuse(
        {"bm25": flat_bm25, "dense": sharp_dense}, {"bm25": BM25, "dense": COS}, 3
    )
    assert fused[0].id == 3
    assert minmax_fuse({"bm25": flat_bm25, "dense": sharp_dense})[0].id == 1  # min-max ties 1 & 3
