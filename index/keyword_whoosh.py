"""The whoosh engine behind ``index.keyword.KeywordIndex``: pure Python BM25F.

- One schema (``SCHEMA``); every text field uses ``KmsAnalyzer``, the same tokens
  as ``index.analyzer.tokenize``.
- ``upsert`` is ``update_document`` on ``chunk_id``: running it twice changes nothing.
- Writes go through ``writer()``: a context manager holding a file lock (the kernel
  drops it if the process dies), so a second process waits instead of corrupting the
  index; whoosh commits on success and cancels on an exception. Readers never wait
  for the file lock.
- ``search`` applies the visibility filter inside whoosh (``filter=``); with ``teams``
  each term's idf is that of the caller's visibility scope (``_scoped_idfs``, the same
  numbers as the tantivy engine's), and terms no visible chunk holds are left out.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import writing as whoosh_writing
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from index.analyzer import KmsAnalyzer
from index.keyword import (
    FIELD_BOOSTS,
    KeywordDoc,
    bm25_idf,
    keyword_values,
    query_terms,
    team_tokens,
    visible_tokens,
)
from index.whoosh_fixes import PrivateRamStorage

INDEX_NAME = "chunks"

_ANALYZER = KmsAnalyzer()
SCHEMA = Schema(
    chunk_id=ID(stored=True, unique=True),
    asset_id=ID(stored=True),
    title=TEXT(analyzer=_ANALYZER),
    body=TEXT(analyzer=_ANALYZER),
    entities=TEXT(analyzer=_ANALYZER),
    kind=ID,
    language=ID,
    stages=KEYWORD(commas=True, scorable=False),
    teams=KEYWORD(commas=True, scorable=False),
)


class LuceneBM25F(BM25F):
    """whoosh's BM25F with Lucene's idf ``ln(1 + (N - n + 0.5) / (n + 0.5))``.

    whoosh's default idf (``ln(N / (n + 1)) + 1``) never lets a very common term
    (的, 是, "use") drop below 1, which lets function words outvote content
    words in Chinese questions.
    """

    def idf(self, searcher: Searcher, fieldname: str, text: str) -> float:
        parent = searcher.get_parent()
        n = parent.doc_frequency(fieldname, text)
        total = parent.doc_count_all()
        return math.log(1.0 + (total - n + 0.5) / (n + 0.5))


def _fields(doc: KeywordDoc) -> dict[str, str]:
    return {
        "chunk_id": str(doc.chunk_id),
        "asset_id": str(doc.asset_id),
        "title": doc.title,
        "body": f"{doc.title}\n{doc.body}" if doc.title else doc.body,
        "entities": doc.entities,
        "kind": doc.kind,
        "language": doc.language,
        "stages": ",".join(keyword_values(doc.stages, "stage")),
        "teams": ",".join(team_tokens(doc.teams)),
    }


def build_query(
    text: str,
    boosts: dict[str, float] | None = None,
    only: Iterable[tuple[str, str]] | None = None,
) -> wq.Query | None:
    """OR of the analysed terms, each searched in every field at that field's boost
    (only the (field, term) pairs in ``only``, when given).

    A term repeated in the query counts that many times (as in BM25's query term
    frequency). ``None`` if the text has no searchable token.
    """
    boosts = FIELD_BOOSTS if boosts is None else boosts
    counts = query_terms(text)
    wanted = None if only is None else set(only)
    clauses: list[wq.Query] = [
        wq.Term(name, term, boost=boost * count)
        for term, count in counts.items()
        for name, boost in boosts.items()
        if boost > 0 and (wanted is None or (name, term) in wanted)
    ]
    return wq.Or(clauses) if clauses else None


def visibility_filter(teams: Sequence[str]) -> wq.Query:
    """Chunks public or shared with any of ``teams``."""
    return wq.Or([wq.Term("teams", t) for t in visible_tokens(teams)])


def assets_filter(assets: Collection[int]) -> wq.Query:
    """Chunks of ``assets``."""
    return wq.Or([wq.Term("asset_id", str(a)) for a in sorted(assets)])


class WhooshKeywordIndex:
    """BM25F over chunks; in memory when ``path`` is None, else a whoosh folder."""

    def __init__(self, path: Path | None = None, k1: float = 1.2, b: float = 0.75) -> None:
        self.path = path
        self.weighting = LuceneBM25F(B=b, K1=k1)
        self._lock: AbstractContextManager[Any]
        if path is None:
            self._ix = PrivateRamStorage().create_index(SCHEMA, indexname=INDEX_NAME)
            self._lock = threading.Lock()
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(str(path / "write.lock"))
            if whoosh_index.exists_in(str(path), indexname=INDEX_NAME):
                self._ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
            else:
                with self._lock:
                    self._ix = whoosh_index.create_in(str(path), SCHEMA, indexname=INDEX_NAME)
        self._searcher: Searcher | None = None
        self._search_lock = threading.Lock()

    # -- writing ---------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[_Writer]:
        """A whoosh writer under the write lock: commit on success, cancel on error."""
        with self._lock, self._ix.writer(limitmb=128) as writer:
            yield _Writer(writer)

    def upsert(self, docs: Sequence[KeywordDoc]) -> None:
        latest = {doc.chunk_id: doc for doc in docs}  # last one wins within a batch
        if not latest:
            return
        with self.writer() as writer:
            fresh = writer.whoosh.reader().doc_count_all() == 0
            for doc in latest.values():
                if fresh:
                    writer.add(doc)
                else:
                    writer.whoosh.update_document(**_fields(doc))

    def delete(self, chunk_ids: Iterable[int]) -> None:
        ids = list(chunk_ids)
        if not ids:
            return
        with self.writer() as writer:
            for cid in ids:
                writer.delete(cid)

    def optimize(self) -> None:
        """Merge all segments, dropping replaced and deleted documents for good.

        Until then whoosh (like Lucene) still counts them in term statistics, so
        BM25 scores drift slightly from those of a freshly built index. Costs a
        rewrite of the whole index: run it after bulk changes, not per write.
        """
        with self._lock:
            self._ix.writer().commit(optimize=True)

    def clear(self) -> None:
        """Remove every document (the schema stays)."""
        with self._lock:
            self._ix.writer().commit(mergetype=whoosh_writing.CLEAR)

    # -- reading ---------------------------------------------------------------

    def _current_searcher(self) -> Searcher:
        # A fresh searcher after each commit: whoosh's ``Searcher.refresh()`` reuses
        # segment readers and misses deletions made since (update_document looked
        # like a duplicate through it).
        if self._searcher is None or not self._searcher.up_to_date():
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = self._ix.searcher(weighting=self.weighting)
        return self._searcher

    def search(
        self,
        query: str,
        limit: int = 100,
        teams: Sequence[str] | None = None,
        boosts: dict[str, float] | None = None,
        assets: Collection[int] | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (chunk id, BM25F score) for ``query`` among chunks ``teams`` may see,
        scored with the statistics of what ``teams`` may see (``index.keyword``); only
        chunks of ``assets`` when given (a whoosh filter, as for teams)."""
        if limit <= 0:
            return []
        weights = FIELD_BOOSTS if boosts is None else boosts
        with self._search_lock:
            searcher = self._current_searcher()
            of_assets = None if assets is None else assets_filter(assets)
            if assets is not None and not assets:
                return []
            if teams is None:
                parsed = build_query(query, weights)
                if parsed is None:
                    return []
                hits = searcher.search(parsed, limit=limit, filter=of_assets)
                return [(int(hit["chunk_id"]), float(hit.score)) for hit in hits]
            flt = visibility_filter(teams)
            idfs = self._scoped_idfs(searcher, query, weights, flt)
            parsed = build_query(query, weights, only=idfs)
            if parsed is None:
                return []
            # whoosh caches idf in one dict that the searcher and its sub-searchers share:
            # hold the scoped numbers there for this search only
            cache = searcher._idf_cache
            kept = dict(cache)
            cache.clear()
            cache.update({(name, term.encode("utf-8")): idf for (name, term), idf in idfs.items()})
            try:
                both = flt if of_assets is None else wq.And([flt, of_assets])
                hits = searcher.search(parsed, limit=limit, filter=both)
                return [(int(hit["chunk_id"]), float(hit.score)) for hit in hits]
            finally:
                cache.clear()
                cache.update(kept)

    def _scoped_idfs(
        self, searcher: Searcher, text: str, boosts: dict[str, float], flt: wq.Query
    ) -> dict[tuple[str, str], float]:
        """idf over the visible chunks per (field, term) that some visible chunk holds."""
        seen = sum(1 for _ in searcher.docs_for_query(flt))
        idfs: dict[tuple[str, str], float] = {}
        for term in query_terms(text):
            for name, boost in boosts.items():
                if boost <= 0:
                    continue
                mine = sum(1 for _ in searcher.docs_for_query(wq.And([wq.Term(name, term), flt])))
                if mine:
                    idfs[(name, term)] = bm25_idf(seen, mine)
        return idfs

    def ids(self) -> set[int]:
        with self._search_lock:
            searcher = self._current_searcher()
            return {int(f["chunk_id"]) for f in searcher.reader().all_stored_fields()}

    def doc_freqs(
        self, terms: Iterable[str], teams: Sequence[str] | None = None
    ) -> tuple[int, dict[str, int]]:
        with self._search_lock:
            searcher = self._current_searcher()
            if teams is None:
                return int(searcher.doc_count()), {
                    t: int(searcher.doc_frequency("body", t)) for t in set(terms)
                }
            flt = visibility_filter(teams)
            total = sum(1 for _ in searcher.docs_for_query(flt))
            return total, {
                t: sum(1 for _ in searcher.docs_for_query(wq.And([wq.Term("body", t), flt])))
                for t in set(terms)
            }

    def __len__(self) -> int:
        with self._search_lock:
            return int(self._current_searcher().doc_count())

    def close(self) -> None:
        with self._search_lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def __enter__(self) -> WhooshKeywordIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Writer:
    """``KeywordWriter`` over an open whoosh writer."""

    def __init__(self, writer: IndexWriter) -> None:
        self.whoosh = writer

    def add(self, doc: KeywordDoc) -> None:
        self.whoosh.add_document(**_fields(doc))

    def delete(self, chunk_id: int) -> None:
        self.whoosh.delete_by_term("chunk_id", str(chunk_id))


__all__ = ["SCHEMA", "WhooshKeywordIndex", "build_query"]
