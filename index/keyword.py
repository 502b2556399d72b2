"""The keyword half: BM25 over title, body and entity names, keyed by chunk id.

One protocol (``KeywordIndex``), two engines behind it:

- ``tantivy`` (default, ``index.keyword_tantivy``): Rust, fed our own tokens.
- ``whoosh`` (``index.keyword_whoosh``): pure Python, whoosh-reloaded.

``index.keyword_engines.open_keyword_index`` picks one by name (the setting).

Both index the same tokens (``index.analyzer.tokenize``: jieba + Porter2, with
traditional→simplified Chinese), score each query term in each field with Lucene's
BM25 (k1 1.2, b 0.75) at that field's boost, and apply the visibility filter inside
the engine, so top-k is computed over visible chunks only. ``teams=None`` is
unrestricted (system use); a chunk with no teams is public (the ``PUBLIC`` token).

Statistics. BM25's document frequencies and document count would tell a caller about
chunks it may not see (a rare word in another team's document lowers the score of the
same word in a public one). So a search with ``teams`` scores every term with the idf of
*its own visibility scope*: ``n`` and ``N`` counted over the chunks the caller may see
(``scoped_idf``), in both engines. An unrestricted search (``teams=None``) keeps the
engine's own statistics. What stays global is the average field length (tantivy offers
no hook for it): hidden chunks change it by their total number of tokens — how much text
exists, never which words. Measured by ``bench/bm25_scope.py`` on the four public sets
(every passage public): nDCG@10 and Recall@100 unchanged, scores identical to the last
bit; the counts go through the hidden chunks only, so a caller who may see every live
chunk pays nothing and others pay for the chunks they may not see.

Why two: at 100k chunks whoosh answers a 2–4-term query in ~80 ms median and
~380 ms p95, tantivy in under 2 ms (``bench/perf.py``; ``../shared/DEPENDENCIES.md``),
and the search latency target is twice the semantic floor. whoosh stays as the
engine that needs no compiled wheel.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

from index.analyzer import tokenize
from kms.core.teams import PUBLIC_TOKEN as PUBLIC

# The body field holds title + text (so body length normalisation sees the whole
# chunk, as plain BM25 does) and the title field adds a half-weight bonus for a
# title hit. Measured with whoosh (nDCG@10, title+text in body / separate): title
# boost 0 → scifact .685 stackfaq .732 cmrc .984; 0.5 → .687 .788 .987; 1 → .668
# .798 .986; title kept out of the body with boost 1 → .671 .744 .986, boost 2 →
# .632 .783 .980; per-term DisjunctionMax across fields was worse on all three. The
# entity field (linked entity names and aliases, both languages) has no eval data;
# weight 1.
FIELD_BOOSTS: dict[str, float] = {"title": 0.5, "body": 1.0, "entities": 1.0}


@dataclass(frozen=True)
class KeywordDoc:
    """What the keyword index knows about one chunk."""

    chunk_id: int
    body: str
    title: str = ""
    entities: str = ""
    asset_id: int | str = ""
    kind: str = ""
    language: str = ""
    stages: Sequence[str] = field(default_factory=tuple)
    teams: Sequence[str] = field(default_factory=tuple)


class KeywordWriter(Protocol):
    """One open write: documents added or deleted, committed together."""

    def add(self, doc: KeywordDoc) -> None: ...

    def delete(self, chunk_id: int) -> None: ...


class KeywordIndex(Protocol):
    """What ``HybridIndex`` needs from a keyword engine."""

    def writer(self) -> AbstractContextManager[KeywordWriter]:
        """A write under the cross-process lock: commit on success, roll back on error."""
        ...

    def upsert(self, docs: Sequence[KeywordDoc]) -> None: ...

    def delete(self, chunk_ids: Iterable[int]) -> None: ...

    def optimize(self) -> None:
        """Drop replaced and deleted documents from the term statistics for good."""
        ...

    def clear(self) -> None: ...

    def search(
        self,
        query: str,
        limit: int = 100,
        teams: Sequence[str] | None = None,
        boosts: dict[str, float] | None = None,
        assets: Collection[int] | None = None,
    ) -> list[tuple[int, float]]:
        """Top ``limit`` (chunk id, score) for ``query`` among chunks ``teams`` may see (and,
        when ``assets`` is given, only chunks of those assets: a filter inside the engine)."""
        ...

    def doc_freqs(
        self, terms: Iterable[str], teams: Sequence[str] | None = None
    ) -> tuple[int, dict[str, int]]:
        """The number of chunks ``teams`` may see (None: all), and how many of them hold
        each (analysed) term in their body (title + text) — the answer's term weights, so a
        hidden chunk never makes a term "known"."""
        ...

    def ids(self) -> set[int]: ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...


def bm25_idf(docs: int, with_term: int) -> float:
    """Lucene's BM25 idf: ``ln(1 + (N - n + 0.5) / (n + 0.5))``."""
    return math.log(1.0 + (docs - with_term + 0.5) / (with_term + 0.5))


def query_terms(text: str) -> Counter[str]:
    """The query's tokens with their counts (BM25's query term frequency)."""
    return Counter(tokenize(text))


def keyword_values(values: Iterable[str], what: str) -> list[str]:
    """Stage or team names as index tokens: non-empty and free of commas."""
    out = []
    for value in values:
        value = value.strip()
        if not value or "," in value:
            raise ValueError(f"{what} must be non-empty and contain no comma: {value!r}")
        out.append(value)
    return out


def team_tokens(teams: Sequence[str]) -> list[str]:
    """A chunk's visibility tokens: its teams, or ``PUBLIC`` when it has none."""
    if PUBLIC in teams:  # a last line of defence: every entry point refuses it first
        raise ValueError(f"{PUBLIC!r} is reserved and cannot name a team")
    return keyword_values(teams, "team") or [PUBLIC]


def visible_tokens(teams: Sequence[str]) -> list[str]:
    """The visibility tokens a caller of ``teams`` may see."""
    return sorted({PUBLIC, *teams})


__all__ = [
    "FIELD_BOOSTS",
    "PUBLIC",
    "KeywordDoc",
    "KeywordIndex",
    "KeywordWriter",
    "bm25_idf",
    "query_terms",
]
