"""The hybrid index: one keyword index, one vector index per embedder, one visibility map.

``HybridIndex.search(query, teams, k)`` runs the default retrieval the product
uses (and ``bench/quality.py`` measures):

1. the query's language (``zh`` / ``en`` / ``mixed``, from its text) picks the
   weight of each source (``LANGUAGE_WEIGHTS``);
2. each source returns ``CANDIDATES`` candidates among the chunks ``teams`` may
   see — the filter is applied inside the keyword engine and inside faiss, before top-k;
3. ``confidence_fuse`` merges them (min-max per list, scaled by how decisively
   each list's top stands out from its tail; see ``index.fusion``).

The policy (sources, weights, depth, and why) lives in ``index.policy``.

An embedder only embeds chunks in a language it understands: MiniLM (English)
skips Chinese chunks — their vectors were noise that outvoted USE for English
queries over Chinese text (en→zh: 3/6 → 6/6 on a bilingual probe), and
skipping them saves MiniLM's slowest encodes (~20 Chinese passages/s).

On disk (``path``): ``keyword-<engine>/`` (tantivy or whoosh), ``vectors-<embedder>.npz``,
``chunks.json`` (teams and language per chunk) and ``meta.json`` (the embedders
the vectors came from).
Writers are serialised by a file lock; vector and visibility files are written to
a temp name, fsynced and renamed, so a crash leaves the previous save intact.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from index.embed_cache import CachedEmbedder
from index.embedders import Embedder, load_embedder, passage_text
from index.files import atomic_write_text, read_named
from index.fusion import Fused
from index.keyword import KeywordDoc
from index.keyword_engines import open_keyword_index
from index.policy import CANDIDATES, KEYWORD, fuse, sources_for
from index.vector import DEFAULT_ANN_THRESHOLD, VectorIndex
from index.visibility import VisibilityMap
from kms.core.failpoints import failpoint
from kms.core.text.language import Language, detect_language

CACHE_FILE = "embeddings.sqlite"
CHUNKS_FILE = "chunks.json"  # per chunk: teams (visibility) and language
LOCK_FILE = "hybrid.lock"  # held by every writer of any part (and by ``kms backup``)


@dataclass(frozen=True)
class IndexChunk:
    """Everything the indexes need to know about one chunk."""

    chunk_id: int
    text: str
    title: str = ""
    asset_id: int | str = ""
    entities: str = ""  # entity names and aliases, both languages
    kind: str = ""
    language: str = ""
    stages: Sequence[str] = field(default_factory=tuple)
    teams: Sequence[str] = field(default_factory=tuple)  # empty: public


@dataclass(frozen=True)
class Only:
    """A restriction of a search to some assets (and the ids of their chunks): filters the
    caller computed, applied inside the keyword engine and inside faiss, before top-k."""

    asset_ids: frozenset[int]
    chunk_ids: np.ndarray  # sorted int64

    @classmethod
    def of(cls, chunks: Mapping[int, int]) -> Only:
        """From chunk id → asset id."""
        ids = np.array(sorted(chunks), dtype=np.int64)
        return cls(frozenset(chunks.values()), ids)


class HybridIndex:
    """Keyword + vector retrieval over chunks, with visibility applied inside both."""

    def __init__(
        self,
        path: Path | None,
        embedder_names: Sequence[str] = ("minilm", "use"),
        ann_threshold: int = DEFAULT_ANN_THRESHOLD,
        cache_dir: Path | None = None,
        embedders: Mapping[str, Embedder] | None = None,
        batch_size: int = 32,
        keyword_engine: str = "tantivy",
        threads: int | None = None,
    ) -> None:
        """``cache_dir`` holds the embedding cache (``embeddings.sqlite``, by content hash);
        ``embedders`` overrides loading by name (tests pass a tiny deterministic one);
        ``keyword_engine`` is ``tantivy`` or ``whoosh`` (``index.keyword``); ``threads``
        per embedding model (None: the model's default)."""
        self.path = path
        self.ann_threshold = ann_threshold
        given = embedders or {}
        loaded = load_embedders(
            [n for n in embedder_names if n not in given], cache_dir, batch_size, threads
        )
        self.embedders: dict[str, Embedder] = {}
        for name in embedder_names:
            model = given.get(name)
            if model is not None and cache_dir is not None:
                model = CachedEmbedder(model, cache_dir / CACHE_FILE)
            self.embedders[name] = model or loaded[name]
        keyword_path = path / f"keyword-{keyword_engine}" if path else None
        self.keyword = read_named(
            keyword_path or Path("(memory)"),
            lambda: open_keyword_index(keyword_path, keyword_engine),
        )
        self._empty_parts()
        self._lock: AbstractContextManager[Any]
        if path is None:
            self._lock = threading.RLock()
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(str(path / LOCK_FILE))
            self.load()

    def _empty_parts(self) -> None:
        self.vectors = {
            name: VectorIndex(
                e.dim,
                self.path / f"vectors-{name}.npz" if self.path else None,
                ann_threshold=self.ann_threshold,
            )
            for name, e in self.embedders.items()
        }
        self.visibility = VisibilityMap()
        self.languages: dict[int, str] = {}

    # -- writing -------------------------------------------------------------------

    def upsert(
        self,
        chunks: Sequence[IndexChunk],
        given: Mapping[str, Mapping[int, np.ndarray]] | None = None,
    ) -> dict[str, dict[int, np.ndarray]]:
        """Index (or re-index) ``chunks``: keyword fields, teams, and a vector from each
        embedder that understands the chunk's language (``Embedder.languages``).

        ``given``: vectors already computed, per embedder name and chunk id (the stored
        embeddings); only the chunks without one are encoded. Returns what was encoded."""
        latest = list({c.chunk_id: c for c in chunks}.values())
        if not latest:
            return {}
        langs = [chunk_language(c) for c in latest]
        encoded: dict[str, tuple[np.ndarray, np.ndarray, list[int]]] = {}
        fresh: dict[str, dict[int, np.ndarray]] = {}
        for name, embedder in self.embedders.items():
            known = (given or {}).get(name, {})
            take = [i for i, lang in enumerate(langs) if understands(embedder, lang)]
            skip = [
                c.chunk_id
                for c, lang in zip(latest, langs, strict=True)
                if not understands(embedder, lang)
            ]
            todo = [i for i in take if latest[i].chunk_id not in known]
            if todo:
                texts = [passage_text(latest[i].title, latest[i].text) for i in todo]
                new = embedder.encode(texts)
                fresh[name] = {latest[i].chunk_id: new[j] for j, i in enumerate(todo)}
            have = {**known, **fresh.get(name, {})}
            ids = np.array([latest[i].chunk_id for i in take], dtype=np.int64)
            matrix = (
                np.stack([have[latest[i].chunk_id] for i in take]).astype(np.float32)
                if take
                else np.zeros((0, embedder.dim), dtype=np.float32)
            )
            encoded[name] = (ids, matrix, skip)
        with self._lock:
            self.keyword.upsert([keyword_doc(c) for c in latest])
            for name, (ids, matrix, skip) in encoded.items():
                self.vectors[name].delete(skip)  # a chunk may have changed language
                if len(ids):
                    self.vectors[name].upsert(ids, matrix)
            for chunk, lang in zip(latest, langs, strict=True):
                self.visibility.set(chunk.chunk_id, chunk.teams)
                self.languages[chunk.chunk_id] = lang
        return fresh

    def optimize(self) -> None:
        """Purge replaced/deleted documents from the keyword statistics (see KeywordIndex)."""
        with self._lock:
            self.keyword.optimize()

    def clear(self) -> None:
        """Empty every part (before a rebuild from the database); ``save`` persists it."""
        with self._lock:
            self.keyword.clear()
            self._empty_parts()

    def delete(self, chunk_ids: Iterable[int]) -> None:
        ids = sorted(set(chunk_ids))
        with self._lock:
            self.keyword.delete(ids)
            for index in self.vectors.values():
                index.delete(ids)
            self.visibility.remove(ids)
            for chunk_id in ids:
                self.languages.pop(chunk_id, None)

    # -- reading -------------------------------------------------------------------

    def search(
        self,
        query: str,
        teams: Sequence[str] | None,
        k: int = 10,
        language: Language | None = None,
        candidates: int = CANDIDATES,
        only: Only | None = None,
    ) -> list[Fused]:
        """The top ``k`` chunks for ``query`` that ``teams`` may see (None: no restriction),
        among ``only``'s chunks when given (filters applied inside every engine)."""
        lang = language or detect_language(query)
        lists = self.candidates(query, teams, lang, candidates, only=only)
        return fuse(lists, lang, candidates)[:k]

    def candidates(
        self,
        query: str,
        teams: Sequence[str] | None,
        language: Language,
        depth: int = CANDIDATES,
        sources: Iterable[str] | None = None,
        only: Only | None = None,
    ) -> dict[str, list[tuple[int, float]]]:
        """Each source's visible candidates for ``query``: the sources the language
        weighs, or the named ``sources`` (``bm25`` and embedder names); only ``only``'s
        chunks when given."""
        wanted = sources_for(language) if sources is None else set(sources)
        allowed = None if teams is None else self.visibility.allowed_ids(teams)
        if only is not None:
            allowed = only.chunk_ids if allowed is None else np.intersect1d(allowed, only.chunk_ids)
        lists: dict[str, list[tuple[int, float]]] = {}
        if KEYWORD in wanted:
            assets = None if only is None else only.asset_ids
            lists[KEYWORD] = self.keyword.search(query, depth, teams, assets=assets)
        for name, embedder in self.embedders.items():
            if name not in wanted:
                continue
            if (allowed is not None and len(allowed) == 0) or len(self.vectors[name]) == 0:
                lists[name] = []
                continue
            vector = embedder.encode([query], is_query=True)[0]
            lists[name] = self.vectors[name].search(vector, depth, allowed)
        return lists

    def ids(self) -> set[int]:
        """Every chunk id present in any part (a partly indexed chunk counts)."""
        return set().union(*self.ids_per_index().values())

    def ids_per_index(self) -> dict[str, set[int]]:
        """The chunk ids each part covers (``bm25``, each embedder, ``visibility``).

        An embedder covers the chunks it holds a vector for plus the chunks it skips
        by design (a language it does not understand), so a complete index shows the
        same ids everywhere.
        """
        out = {KEYWORD: self.keyword.ids(), "visibility": self.visibility.ids()}
        for name, index in self.vectors.items():
            embedder = self.embedders[name]
            skipped = {c for c, lang in self.languages.items() if not understands(embedder, lang)}
            out[name] = index.ids() | skipped
        return out

    def __len__(self) -> int:
        return len(self.visibility)

    # -- persistence ---------------------------------------------------------------

    def save(self) -> None:
        """Persist vectors, visibility and meta atomically (the keyword index commits itself)."""
        if self.path is None:
            raise ValueError("an in-memory HybridIndex cannot be saved")
        with self._lock:
            for index in self.vectors.values():
                index.save()
            failpoint("index-save")
            chunks = {"teams": self.visibility.to_dict(), "language": self.languages}
            atomic_write_text(self.path / CHUNKS_FILE, json.dumps(chunks, ensure_ascii=False))
            meta = {
                "embedders": {
                    n: {"cache_id": e.cache_id, "dim": e.dim} for n, e in self.embedders.items()
                }
            }
            atomic_write_text(self.path / "meta.json", json.dumps(meta, indent=2))

    def load(self) -> None:
        """Read what ``save`` wrote (parts never saved stay empty); a file that cannot be
        read raises ``CorruptIndexFile`` naming it."""
        if self.path is None:
            return
        meta_path = self.path / "meta.json"
        saved = (
            read_named(meta_path, lambda: json.loads(meta_path.read_text())["embedders"])
            if meta_path.exists()
            else {}
        )
        for name, index in self.vectors.items():
            info = saved.get(name)
            if info and info["cache_id"] != self.embedders[name].cache_id:
                raise ValueError(
                    f"{self.path} holds {name} vectors from {info['cache_id']!r}, "
                    f"not {self.embedders[name].cache_id!r}: rebuild the index"
                )
            if index.path is not None and index.path.exists():
                read_named(index.path, index.load)
        chunks_path = self.path / CHUNKS_FILE
        if chunks_path.exists():
            self.visibility, self.languages = read_named(chunks_path, lambda: _chunks(chunks_path))

    def close(self) -> None:
        self.keyword.close()


def _chunks(path: Path) -> tuple[VisibilityMap, dict[int, str]]:
    """``chunks.json``: each chunk's teams and language."""
    chunks = json.loads(path.read_text(encoding="utf-8"))
    languages = {int(c): str(lang) for c, lang in chunks["language"].items()}
    return VisibilityMap.from_dict(chunks["teams"]), languages


def load_embedders(
    names: Sequence[str],
    cache_dir: Path | None = None,
    batch_size: int = 32,
    threads: int | None = None,
) -> dict[str, Embedder]:
    """The named models (each loaded once per process), behind the on-disk vector cache
    in ``cache_dir`` when one is given."""
    out: dict[str, Embedder] = {}
    for name in names:
        options = {"batch_size": batch_size} | ({"threads": threads} if threads else {})
        model = load_embedder(name, **options)
        out[name] = CachedEmbedder(model, cache_dir / CACHE_FILE) if cache_dir else model
        failpoint("models-load")
    return out


def chunk_language(chunk: IndexChunk) -> str:
    """The chunk's language as ingest recorded it, else detected from its text."""
    if chunk.language in ("zh", "en", "mixed"):
        return chunk.language
    return detect_language(passage_text(chunk.title, chunk.text))


def understands(embedder: Embedder, language: str) -> bool:
    """Does the embedder embed text in ``language`` (``Embedder.languages``)?"""
    return embedder.languages is None or language in embedder.languages


def keyword_doc(chunk: IndexChunk) -> KeywordDoc:
    return KeywordDoc(
        chunk_id=chunk.chunk_id,
        body=chunk.text,
        title=chunk.title,
        entities=chunk.entities,
        asset_id=chunk.asset_id,
        kind=chunk.kind,
        language=chunk.language,
        stages=tuple(chunk.stages),
        teams=tuple(chunk.teams),
    )
