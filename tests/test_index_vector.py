"""The vector index on real faiss: exact vs HNSW, filters inside faiss, atomic saves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import index.vector as vector_module
from index.vector import VectorIndex

DIM = 24


def unit(rows: int, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(rows, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def brute(vectors: np.ndarray, ids: np.ndarray, q: np.ndarray, k: int) -> list[int]:
    order = np.argsort(-(vectors @ q), kind="stable")[:k]
    return [int(ids[i]) for i in order]


@pytest.fixture()
def data() -> tuple[np.ndarray, np.ndarray]:
    return np.arange(100, 1100, dtype=np.int64), unit(1000)


def test_exact_search_matches_brute_force(data: tuple[np.ndarray, np.ndarray]) -> None:
    ids, vecs = data
    index = VectorIndex(DIM)
    index.upsert(ids, vecs)
    assert not index.is_hnsw
    for q in unit(20, seed=1):
        assert [c for c, _ in index.search(q, 10)] == brute(vecs, ids, q, 10)


def test_hnsw_past_the_threshold_agrees_with_exact(data: tuple[np.ndarray, np.ndarray]) -> None:
    ids, vecs = data
    index = VectorIndex(DIM, ann_threshold=500)
    index.upsert(ids, vecs)
    assert index.is_hnsw
    queries = unit(50, seed=2)
    found = sum(
        len(set(brute(vecs, ids, q, 10)) & {c for c, _ in index.search(q, 10)}) for q in queries
    )
    assert found / (10 * len(queries)) >= 0.95


def test_switches_back_to_exact_when_it_shrinks(data: tuple[np.ndarray, np.ndarray]) -> None:
    ids, vecs = data
    index = VectorIndex(DIM, ann_threshold=500)
    index.upsert(ids, vecs)
    index.delete(ids[:550])  # 450 left: under the threshold, above 80% of it
    assert index.is_hnsw
    index.delete(ids[550:700])  # 300 left
    assert not index.is_hnsw
    assert index.ids() == set(ids[700:].tolist())


@pytest.mark.parametrize("threshold", [10**6, 100])
def test_allowed_filter_gives_top_k_over_visible_vectors_only(
    data: tuple[np.ndarray, np.ndarray], threshold: int
) -> None:
    ids, vecs = data
    index = VectorIndex(DIM, ann_threshold=threshold)
    index.upsert(ids, vecs)
    allowed = ids[::13]
    mask = np.isin(ids, allowed)
    for q in unit(10, seed=3):
        got = [c for c, _ in index.search(q, 5, allowed_ids=allowed)]
        assert got == brute(vecs[mask], ids[mask], q, 5)
    assert index.search(unit(1)[0], 5, allowed_ids=np.array([], dtype=np.int64)) == []
    assert index.search(unit(1)[0], 5, allowed_ids=np.array([7, 8])) == []  # unknown ids


def test_hnsw_filtered_graph_walk_keeps_recall(
    data: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large allowed set goes through faiss's HNSW with an IDSelector, not the exact path."""
    monkeypatch.setattr(vector_module, "_EXACT_SUBSET_MAX", 0)
    ids, vecs = data
    index = VectorIndex(DIM, ann_threshold=100)
    index.upsert(ids, vecs)
    allowed = ids[::4]
    mask = np.isin(ids, allowed)
    found = 0
    queries = unit(30, seed=6)
    for q in queries:
        got = [c for c, _ in index.search(q, 10, allowed_ids=allowed)]
        assert set(got) <= set(allowed.tolist())
        found += len(set(got) & set(brute(vecs[mask], ids[mask], q, 10)))
    assert found / (10 * len(queries)) >= 0.95


def test_upsert_replaces_and_delete_removes(data: tuple[np.ndarray, np.ndarray]) -> None:
    ids, vecs = data
    index = VectorIndex(DIM)
    index.upsert(ids, vecs)
    target = unit(1, seed=9)[0]
    index.upsert([ids[0]], target[None, :])
    assert len(index) == len(ids)
    assert index.search(target, 1)[0][0] == ids[0]
    assert index.search(target, 1)[0][1] == pytest.approx(1.0, abs=1e-5)
    index.delete([ids[0], 999_999])
    assert ids[0] not in {c for c, _ in index.search(target, 50)}
    assert len(index) == len(ids) - 1


@pytest.mark.parametrize("threshold", [100_000, 200])  # exact, then HNSW
def test_a_reused_allowed_array_sees_later_writes(
    data: tuple[np.ndarray, np.ndarray], threshold: int
) -> None:
    """The selector cached for one allowed array is not reused once the index changes."""
    ids, vecs = data
    index = VectorIndex(DIM, ann_threshold=threshold)
    index.upsert(ids, vecs)
    allowed = ids[::2].copy()  # one array object, as VisibilityMap hands out per team set
    target = unit(1, seed=9)[0]
    index.upsert([ids[2]], target[None, :])
    assert index.search(target, 1, allowed_ids=allowed)[0][0] == ids[2]
    index.delete([ids[2]])
    assert ids[2] not in {c for c, _ in index.search(target, 50, allowed_ids=allowed)}
    index.upsert([ids[4]], target[None, :])
    assert index.search(target, 1, allowed_ids=allowed)[0][0] == ids[4]
    index.upsert([ids[5]], (target + 0.01 * unit(1, seed=3)[0])[None, :])  # not allowed
    assert ids[5] not in {c for c, _ in index.search(target, 50, allowed_ids=allowed)}


def test_last_vector_wins_within_a_batch() -> None:
    index = VectorIndex(DIM)
    a, b = unit(2, seed=4)
    index.upsert([5, 5], np.vstack([a, b]))
    assert len(index) == 1
    np.testing.assert_allclose(index.vectors([5])[0], b, atol=1e-6)


def test_wrong_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="dimension"):
        VectorIndex(DIM).upsert([1], np.zeros((1, DIM + 1), dtype=np.float32))


@pytest.mark.parametrize("threshold", [10**6, 100])
def test_save_load_round_trip(
    tmp_path: Path, data: tuple[np.ndarray, np.ndarray], threshold: int
) -> None:
    ids, vecs = data
    path = tmp_path / "v.npz"
    index = VectorIndex(DIM, path, ann_threshold=threshold)
    index.upsert(ids, vecs)
    index.delete(ids[:10])
    index.save()
    assert [p.name for p in tmp_path.iterdir()] == ["v.npz"]  # no temp file left behind
    again = VectorIndex.open(DIM, path, ann_threshold=threshold)
    assert again.ids() == index.ids()
    assert again.is_hnsw == index.is_hnsw
    q = unit(1, seed=5)[0]
    assert again.search(q, 10) == index.search(q, 10)


def test_a_failed_save_keeps_the_previous_file(
    tmp_path: Path, data: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, vecs = data
    path = tmp_path / "v.npz"
    index = VectorIndex(DIM, path)
    index.upsert(ids[:10], vecs[:10])
    index.save()
    index.upsert(ids[10:], vecs[10:])

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken)
    with pytest.raises(OSError):
        index.save()
    monkeypatch.undo()
    assert VectorIndex.open(DIM, path).ids() == set(ids[:10].tolist())


def test_load_refuses_another_dimension(tmp_path: Path) -> None:
    path = tmp_path / "v.npz"
    VectorIndex(DIM, path).save()
    with pytest.raises(ValueError, match="24-d"):
        VectorIndex(DIM + 1, path).load()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    teams=st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=120),
    caller=st.integers(min_value=0, max_value=3),
    hnsw=st.booleans(),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_vectors_outside_the_allowed_set_never_come_back(
    teams: list[int], caller: int, hnsw: bool, seed: int
) -> None:
    n = len(teams)
    ids = np.arange(n, dtype=np.int64) * 3 + 1
    index = VectorIndex(DIM, ann_threshold=10 if hnsw else 10**6)
    index.upsert(ids, unit(n, seed))
    allowed = ids[[t == caller or t == 0 for t in teams]]
    hits = index.search(unit(1, seed + 1)[0], 10, allowed_ids=allowed)
    assert {c for c, _ in hits} <= set(allowed.tolist())
    assert len(hits) == min(10, len(allowed))
