"""An on-disk embedding cache keyed by content hash.

``CachedEmbedder(inner, path)`` answers ``encode`` from a SQLite table of
float32 blobs keyed by ``sha256(model name, role, text)`` and encodes only the
misses, so re-indexing unchanged chunks (or re-running the benchmark) costs a
lookup. SQLite in WAL mode lets several processes share one cache file; a
vector is written in the same transaction as its key, so an interrupted run
leaves whole entries only.

The cache only saves work: a cache file that cannot be opened or read, or a write that
fails (a full or read-only disk), is logged once and treated as a miss — the vectors
are encoded and returned as if there were no cache, and an ingest never fails for it.

Query vectors stay in memory (an LRU of ``QUERY_CACHE_SIZE``), never on disk: a
search encodes one short query, and a disk lookup plus a commit per embedder cost
~1.4 ms on top of a ~1.7 ms encode.
"""

from __future__ import annotations

import hashlib
import logging
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
log = logging.getLogger("kms.index")


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
        self._lock = threading.Lock()
        self._failed: set[str] = set()  # what has failed (each logged once)
        self._conn = self._connect()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def _connect(self) -> sqlite3.Connection | None:
        """The cache file, or None (no cache) when it cannot be opened."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=60, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)
            conn.commit()
            return conn
        except (sqlite3.Error, OSError) as exc:
            self._degrade("open", exc)
            return None

    def _degrade(self, what: str, exc: BaseException) -> None:
        if what not in self._failed:
            self._failed.add(what)
            log.warning(
                "embedding cache %s: cannot %s (%s: %s); encoding without it",
                self.path,
                what,
                type(exc).__name__,
                exc,
            )

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()

    def _lookup(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The cached vectors among ``keys`` (none when the cache cannot be read)."""
        try:
            return self._read(keys)
        except sqlite3.Error as exc:
            self._degrade("read", exc)
            return {}

    def _store(self, rows: list[tuple[bytes, bytes]]) -> None:
        """Remember vectors; a failed write (full or read-only disk) is only a later miss."""
        if self._conn is None:
            return
        try:
            with self._conn:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)", rows
                )
        except sqlite3.Error as exc:
            self._degrade("write", exc)

    def _read(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        if self._conn is None:
            return found
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
                self._store(
                    [
                        (k, v.astype(np.float32).tobytes())
                        for (k, _), v in zip(batch, vecs, strict=True)
                    ]
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
