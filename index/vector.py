"""The vector half: faiss inner-product search over unit vectors, keyed by chunk id.

Vectors live in *slots* of one faiss index (slot = faiss label); ``_slot_ids``
maps slot → chunk id (-1 once the slot is dead). Exact search (``IndexFlatIP``)
while the index holds at most ``ann_threshold`` vectors, HNSW past it (and exact
again below 80% of it). Updates and deletes kill the old slot and, for new
vectors, append a new one; the index is compacted when a quarter of its slots are
dead. So both backends support incremental upserts and deletes (HNSW alone does
not).

Visibility is applied inside faiss: ``search(..., allowed_ids=...)`` passes an
``IDSelectorBitmap`` of the allowed slots in the search parameters, so top-k is
taken over visible vectors only. The bitmap is built with one vectorised
``np.isin`` and kept while the same allowed array (``VisibilityMap`` caches one per
team set) meets an unchanged index: at 100k vectors, mapping ids to slots in Python
cost ~10 ms a query. For a small allowed set under HNSW (whose
graph walk degrades when most nodes are filtered out) the search is exact over
exactly those vectors; a larger one widens the HNSW beam as the filter tightens.

``save()`` writes one ``.npz`` (serialised faiss index + slot ids) to a temp
name, fsyncs it and renames it over the old file; ``load()`` reads it back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.files import atomic_write

# Chosen with bench/ann.py (MiniLM vectors, 2 cores): M=32, efSearch=128 keeps
# recall@10 at 0.999 on scifact and 0.996 on a 100k pool for 0.2 ms a query; exact
# search costs 1.5 ms at 20k, 3.8 ms at 50k and 13 ms at 100k (memory-bound past
# ~50k), so exact stays the default up to 50k vectors.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
DEFAULT_ANN_THRESHOLD = 50_000
_COMPACT_DEAD_SHARE = 0.25
_BACK_TO_EXACT = 0.8  # an HNSW index shrinking below 80% of the threshold goes exact again
# Under HNSW, an allowed set up to this size is searched exactly (a filtered graph
# walk loses recall when most nodes are hidden; a matrix product over 20k is ~3 ms).
_EXACT_SUBSET_MAX = 20_000


_ALLOWED_CACHE_SIZE = 64  # team sets whose selectors are kept


@dataclass(frozen=True)
class _Allowed:
    """The slots an allowed-id array maps to, and a faiss selector over them."""

    ids: np.ndarray  # the caller's array, kept so its id() cannot be reused
    slots: np.ndarray
    bitmap: np.ndarray  # the selector reads this buffer: keep it alive
    selector: faiss.IDSelector


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    if array.shape[1] != dim:
        raise ValueError(f"expected vectors of dimension {dim}, got {array.shape[1]}")
    return array


class VectorIndex:
    """Cosine (inner product over unit vectors) nearest neighbours by chunk id."""

    def __init__(
        self,
        dim: int,
        path: Path | None = None,
        ann_threshold: int = DEFAULT_ANN_THRESHOLD,
        ef_search: int = HNSW_EF_SEARCH,
        hnsw_m: int = HNSW_M,
    ) -> None:
        self.dim = dim
        self.path = path
        self.ann_threshold = ann_threshold
        self.ef_search = ef_search
        self.hnsw_m = hnsw_m
        self._lock = threading.RLock()
        self._reset(self._new_index(hnsw=False), np.zeros(0, dtype=np.int64))

    # -- internals ---------------------------------------------------------------

    def _new_index(self, hnsw: bool) -> faiss.Index:
        if hnsw:
            index = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            return index
        return faiss.IndexFlatIP(self.dim)

    def _reset(self, index: faiss.Index, slot_ids: np.ndarray) -> None:
        self._index = index
        self._slot_ids = slot_ids.astype(np.int64)
        live = np.flatnonzero(self._slot_ids >= 0)
        self._slot_of: dict[int, int] = dict(
            zip(self._slot_ids[live].tolist(), live.tolist(), strict=True)
        )
        self._dead_selector: tuple[faiss.IDSelector, faiss.IDSelector] | None = None
        self._allowed: dict[int, _Allowed] = {}  # id(allowed array) → its slots and selector

    @property
    def is_hnsw(self) -> bool:
        return isinstance(self._index, faiss.IndexHNSWFlat)

    def _live_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        live = np.flatnonzero(self._slot_ids >= 0)
        if len(live) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.dim), dtype=np.float32)
        return self._slot_ids[live], self._reconstruct(live)

    def _reconstruct(self, slots: np.ndarray) -> np.ndarray:
        return np.asarray(self._index.reconstruct_batch(slots.astype(np.int64)), dtype=np.float32)

    def _rebuild(self, ids: np.ndarray, vectors: np.ndarray, hnsw: bool) -> None:
        index = self._new_index(hnsw)
        if len(ids):
            index.add(vectors)
        self._reset(index, ids)

    def _maybe_restructure(self) -> None:
        live = len(self._slot_of)
        dead = len(self._slot_ids) - live
        if self.is_hnsw:  # hysteresis: no rebuild ping-pong around the threshold
            wrong_kind = live < _BACK_TO_EXACT * self.ann_threshold
        else:
            wrong_kind = live > self.ann_threshold
        if wrong_kind or dead > _COMPACT_DEAD_SHARE * max(len(self._slot_ids), 1):
            self._rebuild(*self._live_vectors(), hnsw=self.is_hnsw != wrong_kind)

    # -- writing -----------------------------------------------------------------

    def upsert(self, ids: np.ndarray | list[int], vectors: np.ndarray) -> None:
        """Add or replace the vectors of ``ids`` (the last one wins for a repeated id)."""
        id_array = np.asarray(ids, dtype=np.int64)
        matrix = _as_matrix(vectors, self.dim)
        if len(id_array) != len(matrix):
            raise ValueError(f"{len(id_array)} ids for {len(matrix)} vectors")
        if len(id_array) == 0:
            return
        _, last = np.unique(id_array[::-1], return_index=True)
        keep = np.sort(len(id_array) - 1 - last)
        id_array, matrix = id_array[keep], matrix[keep]
        with self._lock:
            self._kill(id_array)
            start = len(self._slot_ids)
            self._index.add(matrix)
            self._slot_ids = np.concatenate([self._slot_ids, id_array])
            self._slot_of.update(
                zip(id_array.tolist(), range(start, start + len(id_array)), strict=True)
            )
            self._allowed.clear()
            self._maybe_restructure()

    def _kill(self, ids: np.ndarray) -> None:
        for cid in ids.tolist():
            slot = self._slot_of.pop(cid, None)
            if slot is not None:
                self._slot_ids[slot] = -1
                self._dead_selector = None
                self._allowed.clear()

    def delete(self, ids: np.ndarray | list[int]) -> None:
        with self._lock:
            self._kill(np.asarray(ids, dtype=np.int64))
            self._maybe_restructure()

    # -- reading -----------------------------------------------------------------

    def search(
        self, vector: np.ndarray, k: int, allowed_ids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``k`` (chunk id, cosine) among ``allowed_ids`` (all live vectors if None)."""
        query = _as_matrix(vector, self.dim)
        with self._lock:
            n_live = len(self._slot_of)
            if k <= 0 or n_live == 0:
                return []
            if allowed_ids is None:
                return self._faiss_search(query, min(k, n_live), self._live_selector(), 1.0)
            allowed = self._allowed_slots(allowed_ids)
            slots = allowed.slots
            if len(slots) == 0:
                return []
            if self.is_hnsw and len(slots) <= _EXACT_SUBSET_MAX:
                return self._exact_subset(query, slots, k)
            share = len(slots) / n_live
            return self._faiss_search(query, min(k, len(slots)), allowed.selector, share)

    def _allowed_slots(self, allowed_ids: np.ndarray) -> _Allowed:
        """The live slots of ``allowed_ids`` and a faiss selector over them (cached)."""
        cached = self._allowed.get(id(allowed_ids))
        if cached is not None and cached.ids is allowed_ids:
            return cached
        mask = np.isin(self._slot_ids, np.asarray(allowed_ids, dtype=np.int64))
        mask &= self._slot_ids >= 0
        bitmap = np.packbits(mask, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
        entry = _Allowed(allowed_ids, np.flatnonzero(mask).astype(np.int64), bitmap, selector)
        if len(self._allowed) >= _ALLOWED_CACHE_SIZE:
            self._allowed.clear()
        self._allowed[id(allowed_ids)] = entry
        return entry

    def _live_selector(self) -> faiss.IDSelector | None:
        """None when no slot is dead, else a selector that skips the dead ones (cached)."""
        if len(self._slot_of) == len(self._slot_ids):
            return None
        if self._dead_selector is None:
            dead = np.flatnonzero(self._slot_ids < 0).astype(np.int64)
            batch = faiss.IDSelectorBatch(dead)
            self._dead_selector = (faiss.IDSelectorNot(batch), batch)
        return self._dead_selector[0]

    def _faiss_search(
        self, query: np.ndarray, k: int, selector: faiss.IDSelector | None, share: float
    ) -> list[tuple[int, float]]:
        params: faiss.SearchParameters | None = None
        if self.is_hnsw:
            # a filter hides nodes from the graph walk: widen the beam as it gets stricter
            ef = int(max(self.ef_search, k) / max(share, 1 / 16))
            hnsw_params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
            hnsw_params.efSearch = min(ef, 4096)
            params = hnsw_params
        elif selector is not None:
            params = faiss.SearchParameters()
        if params is not None and selector is not None:
            params.sel = selector
        scores, labels = self._index.search(query, k, params=params)
        return [
            (int(self._slot_ids[label]), float(score))
            for label, score in zip(labels[0], scores[0], strict=True)
            if label >= 0 and self._slot_ids[label] >= 0
        ]

    def _exact_subset(
        self, query: np.ndarray, slots: np.ndarray, k: int
    ) -> list[tuple[int, float]]:
        scores = self._reconstruct(slots) @ query[0]
        k = min(k, len(slots))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self._slot_ids[slots[i]]), float(scores[i])) for i in top]

    def ids(self) -> set[int]:
        with self._lock:
            return set(self._slot_of)

    def vectors(self, ids: np.ndarray | list[int]) -> np.ndarray:
        """The stored vectors of ``ids`` (KeyError for an unknown id)."""
        with self._lock:
            slots = np.array([self._slot_of[int(i)] for i in ids], dtype=np.int64)
            if len(slots) == 0:
                return np.zeros((0, self.dim), dtype=np.float32)
            return self._reconstruct(slots)

    def __len__(self) -> int:
        return len(self._slot_of)

    # -- persistence ---------------------------------------------------------------

    def save(self, path: Path | None = None) -> Path:
        """Write atomically to ``path`` (default: the constructor's) and return it."""
        target = Path(path or self.path or "")
        if not target.name:
            raise ValueError("VectorIndex.save needs a path")
        with self._lock:
            self._maybe_restructure()
            blob = faiss.serialize_index(self._index)
            slot_ids = self._slot_ids.copy()
        return atomic_write(
            target, lambda fh: np.savez(fh, dim=np.int64(self.dim), slot_ids=slot_ids, faiss=blob)
        )

    def load(self, path: Path | None = None) -> None:
        """Replace the contents with the file at ``path`` (default: the constructor's)."""
        source = Path(path or self.path or "")
        with np.load(source, allow_pickle=False) as data:
            if int(data["dim"]) != self.dim:
                raise ValueError(f"{source} holds {int(data['dim'])}-d vectors, not {self.dim}")
            index = faiss.deserialize_index(data["faiss"])
            slot_ids = data["slot_ids"]
        if index.ntotal != len(slot_ids):
            raise ValueError(
                f"{source} is inconsistent: {index.ntotal} vectors, {len(slot_ids)} ids"
            )
        with self._lock:
            self._reset(index, slot_ids)
            self._maybe_restructure()
            if isinstance(self._index, faiss.IndexHNSWFlat):
                self._index.hnsw.efSearch = self.ef_search

    @classmethod
    def open(cls, dim: int, path: Path, **options: int) -> VectorIndex:
        """An index bound to ``path``, loaded from it when the file exists."""
        index = cls(dim, path, **options)
        if path.exists():
            index.load()
        return index
