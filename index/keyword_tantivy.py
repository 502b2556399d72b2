"""The tantivy engine behind ``index.keyword.KeywordIndex`` (the default).

- Text fields are fed our own tokens (``index.analyzer.tokenize``) joined by spaces
  and indexed with tantivy's ``whitespace`` tokenizer, so both engines — and the
  query — see exactly the same terms in Chinese and English.
- tantivy scores with Lucene's BM25 (idf ``ln(1 + (N - n + .5) / (n + .5))``,
  k1 1.2, b 0.75); a query is an OR of term queries per field at the field's boost
  times the term's count in the query, like the whoosh engine's.
- Visibility is a ``Must`` clause of the caller's team tokens at constant score 0,
  so it filters inside tantivy and changes no score. With ``teams``, each term's
  clause is boosted by ``idf(visible) / idf(tantivy)`` (``_scope_factors``), so its
  score carries the idf of the caller's visibility scope; tantivy's own ``N`` counts
  deleted documents until a merge, read exactly as the sum of the ``language``
  field's document frequencies (every document has exactly one language token).
- ``upsert`` deletes by ``chunk_id`` and adds, in one commit: running it twice
  changes nothing. Writes hold a file lock (the kernel drops it if the process
  dies), so a second process waits instead of failing on tantivy's own lock.
- The reader reloads on commit (tantivy watches the index's ``meta.json``), and
  after every write of this process at once; searches need no lock.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import tantivy
from filelock import FileLock

from index.analyzer import tokenize
from index.keyword import (
    FIELD_BOOSTS,
    PUBLIC,
    KeywordDoc,
    bm25_idf,
    keyword_values,
    query_terms,
    team_tokens,
    visible_tokens,
)

TEXT_FIELDS = ("title", "body", "entities")
RAW_FIELDS = ("asset_id", "kind", "language", "stages", "teams")
WRITER_HEAP = 64_000_000  # bytes buffered before tantivy flushes a segment


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("chunk_id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:  # stored (as tokens) so ``optimize`` can rewrite the index
        builder.add_text_field(name, stored=True, tokenizer_name="whitespace")
    for name in RAW_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    return builder.build()


def _document(doc: KeywordDoc) -> tantivy.Document:
    body = f"{doc.title}\n{doc.body}" if doc.title else doc.body
    return tantivy.Document(
        chunk_id=int(doc.chunk_id),
        title=" ".join(tokenize(doc.title)),
        body=" ".join(tokenize(body)),
        entities=" ".join(tokenize(doc.entities)),
        asset_id=str(doc.asset_id),
        kind=doc.kind,
        language=doc.language,
        stages=keyword_values(doc.stages, "stage"),
        teams=team_tokens(doc.teams),
    )


def _count(searcher: tantivy.Searcher, query: tantivy.Query) -> int:
    """Live documents matching ``query``."""
    return int(searcher.search(query, 1, count=True).count or 0)  # type: ignore[attr-defined]


def _all(*queries: tantivy.Query | None) -> tantivy.Query:
    """The conjunction of the given queries (None ones left out)."""
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries if q is not None])


def _chunk_ids(searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress]) -> list[int]:
    return [int(cid or 0) for cid in searcher.fast_field_values("chunk_id", addresses)]


class TantivyWriter:
    """``KeywordWriter`` over an open tantivy writer."""

    def __init__(self, writer: tantivy.IndexWriter) -> None:
        self.tantivy = writer

    def add(self, doc: KeywordDoc) -> None:
        self.tantivy.add_document(_document(doc))

    def delete(self, chunk_id: int) -> None:
        self.tantivy.delete_documents_by_term("chunk_id", int(chunk_id))


class TantivyKeywordIndex:
    """BM25 over chunks; in memory when ``path`` is None, else a tantivy folder."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.schema = build_schema()
        self._lock: AbstractContextManager[Any]
        if path is None:
            self._index = tantivy.Index(self.schema)
            self._lock = threading.Lock()
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(str(path / "write.lock"))
            with self._lock:
                self._index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self._index.config_reader(reload_policy="OnCommit")

    # -- writing ---------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[TantivyWriter]:
        """A tantivy writer under the write lock: commit on success, roll back on error."""
        with self._lock:
            writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
            try:
                yield TantivyWriter(writer)
            except BaseException:
                writer.rollback()
                raise
            else:
                writer.commit()
            finally:
                writer.wait_merging_threads()  # releases tantivy's own writer lock
            self._index.reload()

    def upsert(self, docs: Sequence[KeywordDoc]) -> None:
        latest = {doc.chunk_id: doc for doc in docs}  # last one wins within a batch
        if not latest:
            return
        prepared = {cid: _document(doc) for cid, doc in latest.items()}  # bad input: no write
        fresh = len(self) == 0
        with self.writer() as writer:
            for cid, document in prepared.items():
                if not fresh:
                    writer.delete(cid)
                writer.tantivy.add_document(document)

    def delete(self, chunk_ids: Iterable[int]) -> None:
        ids = list(chunk_ids)
        if not ids:
            return
        with self.writer() as writer:
            for cid in ids:
                writer.delete(cid)

    def optimize(self) -> None:
        """Rewrite the index from its stored fields, dropping deleted documents for good.

        Until then tantivy (like Lucene) still counts replaced and deleted documents
        in document frequencies, so BM25 scores drift slightly from those of a
        freshly built index. Costs a rewrite of the whole index: run it after bulk
        changes, not per write.
        """
        with self.writer() as writer:
            stored = self._all_stored()
            writer.tantivy.delete_all_documents()
            for fields in stored:
                writer.tantivy.add_document(tantivy.Document(**fields))

    def clear(self) -> None:
        """Remove every document (the schema stays)."""
        with self.writer() as writer:
            writer.tantivy.delete_all_documents()

    # -- reading ---------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 100,
        teams: Sequence[str] | None = None,
        boosts: dict[str, float] | None = None,
        assets: Collection[int] | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (chunk id, BM25 score) for ``query`` among chunks ``teams`` may see,
        scored with the statistics of what ``teams`` may see (``index.keyword``); only
        chunks of ``assets`` when given (a zero-score filter, as for teams)."""
        if limit <= 0:
            return []
        searcher = self._index.searcher()
        weights = FIELD_BOOSTS if boosts is None else boosts
        visible = None
        factors: dict[tuple[str, str], float] | None = None
        if teams is not None:
            visible = tantivy.Query.term_set_query(self.schema, "teams", visible_tokens(teams))
            factors = self._scope_factors(searcher, query, weights, teams)
        scoring = self._scoring_query(query, weights, factors)
        if scoring is None:
            return []
        if assets is not None:
            if not assets:
                return []
            of_assets = tantivy.Query.term_set_query(
                self.schema, "asset_id", [str(a) for a in sorted(assets)]
            )
            visible = of_assets if visible is None else _both(visible, of_assets)
        if visible is not None:
            scoring = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, scoring),
                    (tantivy.Occur.Must, tantivy.Query.const_score_query(visible, 0.0)),
                ]
            )
        hits = searcher.search(scoring, limit, count=False).hits
        ids = _chunk_ids(searcher, [address for _, address in hits])
        return [(cid, float(score)) for (score, _), cid in zip(hits, ids, strict=True)]

    def _scoring_query(
        self,
        text: str,
        boosts: dict[str, float],
        factors: dict[tuple[str, str], float] | None = None,
    ) -> tantivy.Query | None:
        """OR of term queries per field at the field's boost times the term's count (times
        its scope factor; a term no visible chunk has is left out)."""
        clauses = [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(
                    tantivy.Query.term_query(self.schema, name, term, index_option="freq"),
                    boost * count * (1.0 if factors is None else factors[(name, term)]),
                ),
            )
            for term, count in query_terms(text).items()
            for name, boost in boosts.items()
            if boost > 0 and (factors is None or (name, term) in factors)
        ]
        return tantivy.Query.boolean_query(clauses) if clauses else None

    def _scope_factors(
        self,
        searcher: tantivy.Searcher,
        text: str,
        boosts: dict[str, float],
        teams: Sequence[str],
    ) -> dict[tuple[str, str], float] | None:
        """idf over the chunks ``teams`` may see / tantivy's idf over all, per (field, term)
        that some visible chunk holds; None when the two are the same numbers (the caller
        sees every live chunk and none is deleted).

        Counts go through the *hidden* chunks — those with a team token of others and none
        of the caller's — which are few next to the public ones, so no count walks every
        visible chunk: n(visible) = n(live) - n(hidden)."""
        everything = sum(int(n) for _, n in searcher.terms_with_prefix("language", ""))
        alive = int(searcher.num_docs)
        mine = sorted({t for t in teams if t})
        others = [
            str(t)
            for t, _ in searcher.terms_with_prefix("teams", "")
            if t != PUBLIC and t not in mine
        ]
        if not others and alive == everything:
            return None
        other_q, mine_q = self._any_team(others), self._any_team(mine)

        def hidden(query: tantivy.Query | None) -> int:
            if other_q is None:
                return 0
            found = _count(searcher, _all(query, other_q))
            if found and mine_q is not None:
                found -= _count(searcher, _all(query, other_q, mine_q))
            return found

        seen = alive - hidden(None)
        factors: dict[tuple[str, str], float] = {}
        for term in query_terms(text):
            for name, boost in boosts.items():
                total = searcher.doc_freq(name, term) if boost > 0 else 0
                if total == 0:
                    continue
                term_q = tantivy.Query.term_query(self.schema, name, term, "basic")
                live = total if alive == everything else _count(searcher, term_q)
                visible = live - hidden(term_q)
                if visible > 0:
                    factors[(name, term)] = bm25_idf(seen, visible) / bm25_idf(everything, total)
        return factors

    def _any_team(self, names: list[str]) -> tantivy.Query | None:
        if not names:
            return None
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "teams", n, "basic"))
                for n in names
            ]
        )

    def _all_stored(self) -> list[dict[str, Any]]:
        searcher = self._index.searcher()
        hits = searcher.search(tantivy.Query.all_query(), max(searcher.num_docs, 1), count=False)
        out = []
        for _, address in hits.hits:
            fields = searcher.doc(address).to_dict()
            out.append(
                {
                    name: values if name in ("stages", "teams") else values[0]
                    for name, values in fields.items()
                }
            )
        return out

    def ids(self) -> set[int]:
        searcher = self._index.searcher()
        if searcher.num_docs == 0:
            return set()
        hits = searcher.search(tantivy.Query.all_query(), searcher.num_docs, count=False).hits
        return set(_chunk_ids(searcher, [address for _, address in hits]))

    def __len__(self) -> int:
        return int(self._index.searcher().num_docs)

    def doc_freqs(
        self, terms: Iterable[str], teams: Sequence[str] | None = None
    ) -> tuple[int, dict[str, int]]:
        searcher = self._index.searcher()
        visible = None
        if teams is not None:
            visible = tantivy.Query.term_set_query(self.schema, "teams", visible_tokens(teams))
        total = int(searcher.num_docs) if visible is None else _count(searcher, visible)
        freqs = {
            t: _count(
                searcher, _all(tantivy.Query.term_query(self.schema, "body", t, "basic"), visible)
            )
            for t in set(terms)
        }
        return total, freqs

    def _body_term(self, term: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, "body", term, "basic")

    def close(self) -> None:
        """Nothing to release: readers are per search, writers per write."""

    def __enter__(self) -> TantivyKeywordIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["TantivyKeywordIndex", "TantivyWriter", "build_schema"]


def _both(a: tantivy.Query, b: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, a), (tantivy.Occur.Must, b)])
