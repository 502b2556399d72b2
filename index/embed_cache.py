"""An on-disk embedding cache keyed by content hash.

``CachedEmbedder(inner, path)`` answers ``encode`` from a SQLite table of
float32 blobs keyed by ``sha256(model name, role, text)`` and encodes only the
misses, so re-indexing unchanged chunks (or re-running the benchmark) costs a
lookup. SQLite in WAL mode lets several processes share one cache file; a
vector is written in the same transaction as its key, so an interrupted run
leaves whole entries only.

Query vectors stay in memory (an LRU of ``QUERY_CACHE_SIZE``), never on disk: a
search encodes one short query, and a disk lookup plus a commit per embedder cost
~1.4 ms on top of a ~1.7 ms encode.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.embedders import Embedder

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)"
_LOOKUP_BATCH = 500  # keys per SELECT ... IN (...), below SQLite's variable limit
_ENCODE_BATCH = 256  # misses encoded (and committed) per step
QUERY_CACHE_SIZE = 2048


def cache_key(model: str, text: str, is_query: bool) -> bytes:
    role = "q" if is_query else "p"
    return hashlib.sha256(f"{model}\x00{role}\x00{text}".encode()).digest()


class CachedEmbedder:
    """Any ``Embedder`` with its vectors remembered in ``path`` (a SQLite file)."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.cache_id = inner.cache_id
        self.languages = inner.languages
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(self.path), timeout=60, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(_SCHEMA)
        self._conn.commit()
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def close(self) -> None:
        self._conn.close()

    def _lookup(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for i in range(0, len(keys), _LOOKUP_BATCH):
            batch = list(keys[i : i + _LOOKUP_BATCH])
            marks = ",".join("?" * len(batch))
            rows = self._conn.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({marks})", batch
            ).fetchall()
            for key, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape[0] == self.dim:
                    found[key] = vec
        return found

    def encode(self, texts: Sequence[str], is_query: bool = False) -> np.ndarray:
        if is_query:
            return self._encode_queries(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        keys = [cache_key(self.cache_id, t, is_query) for t in texts]
        with self._lock:
            found = self._lookup(list(dict.fromkeys(keys)))
            todo: dict[bytes, str] = {}
            for i, key in enumerate(keys):
                if key in found:
                    out[i] = found[key]
                else:
                    todo.setdefault(key, texts[i])
            self.hits += len(texts) - sum(1 for k in keys if k in todo)
            self.misses += len(todo)
            items = list(todo.items())
            for start in range(0, len(items), _ENCODE_BATCH):
                batch = items[start : start + _ENCODE_BATCH]
                vecs = self.inner.encode([text for _, text in batch], is_query=is_query)
                with self._conn:
                    self._conn.executemany(
                        "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                        [
                            (k, v.astype(np.float32).tobytes())
                            for (k, _), v in zip(batch, vecs, strict=True)
                        ],
                    )
                for (key, _), vec in zip(batch, vecs, strict=True):
                    found[key] = vec
        for i, key in enumerate(keys):
            if key in todo:
                out[i] = found[key]
        return out

    def _encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            cached = [self._queries.get(t) for t in texts]
            for t, vec in zip(texts, cached, strict=True):
                if vec is not None:
                    self._queries.move_to_end(t)
        todo = list(dict.fromkeys(t for t, vec in zip(texts, cached, strict=True) if vec is None))
        fresh = dict(zip(todo, self.inner.encode(todo, is_query=True), strict=True)) if todo else {}
        with self._lock:
            self.hits += len(texts) - len(todo)
            self.misses += len(todo)
            for t, vec in fresh.items():
                self._queries[t] = vec
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, (t, vec) in enumerate(zip(texts, cached, strict=True)):
            out[i] = vec if vec is not None else fresh[t]
        return out
