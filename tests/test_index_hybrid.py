"""HybridIndex plumbing with a tiny deterministic embedder (no claims about quality)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from index.analyzer import tokenize
from index.embed_cache import CachedEmbedder
from index.hybrid import HybridIndex, IndexChunk
from index.policy import LANGUAGE_WEIGHTS, source_specs
from tests.strategies import caller_teams, query_words, team_docs


class HashEmbedder:
    """Bag of hashed tokens: deterministic, fast, meaningless beyond shared words."""

    def __init__(self, name: str, dim: int = 32, languages: frozenset[str] | None = None) -> None:
        self.name = name
        self.dim = dim
        self.cache_id = f"hash-{name}-{dim}"
        self.languages = languages
        self.calls = 0

    def encode(self, texts: Sequence[str], is_query: bool = False) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in tokenize(text) or ["<empty>"]:
                h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big")
                out[row, h % self.dim] += 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def embedders() -> dict[str, HashEmbedder]:
    english = frozenset({"en", "mixed"})
    return {"minilm": HashEmbedder("minilm", 32, english), "use": HashEmbedder("use", 48)}


CHUNKS = [
    IndexChunk(1, "The LF-200 gateway reports ERR-LF-4012 when its licence expires.", "Errors"),
    IndexChunk(2, "Volume discounts for the LF-200 start at 50 units.", "Pricing"),
    IndexChunk(3, "我们的价格比竞争对手低百分之十五。", "价格", teams=("sales-cn",)),
    IndexChunk(4, "Enterprise negotiation playbook: discounts and terms.", teams=("enterprise",)),
]


@pytest.fixture()
def hybrid() -> HybridIndex:
    index = HybridIndex(None, ["minilm", "use"], embedders=embedders())
    index.upsert(CHUNKS)
    return index


def test_search_fuses_both_halves_and_explains(hybrid: HybridIndex) -> None:
    results = hybrid.search("ERR-LF-4012", teams=None, k=3)
    assert results[0].id == 1
    assert set(results[0].contributions) <= {"bm25", "minilm", "use"}
    assert "bm25" in results[0].contributions
    assert results[0].score == pytest.approx(sum(results[0].contributions.values()))


def test_language_picks_the_sources() -> None:
    assert set(source_specs("zh", ["bm25", "minilm", "use"])) == {"bm25", "use"}
    assert set(source_specs("en", ["bm25", "minilm", "use"])) == {"bm25", "minilm", "use"}
    assert set(source_specs("en", ["bm25", "use"])) == {"bm25", "use"}
    assert source_specs("en", ["bm25"])["bm25"].ceiling is None
    assert source_specs("zh", ["use"])["use"].ceiling == 1.0
    assert set(LANGUAGE_WEIGHTS) == {"zh", "en", "mixed"}


def test_restricted_chunks_stay_with_their_teams(hybrid: HybridIndex) -> None:
    seen_by_sales = {r.id for r in hybrid.search("discounts negotiation", ["sales-cn"], k=10)}
    assert 4 not in seen_by_sales
    assert 4 in {r.id for r in hybrid.search("discounts negotiation", ["enterprise"], k=10)}
    assert {r.id for r in hybrid.search("价格", [], k=10)} <= {1, 2}


def test_upsert_is_idempotent_and_delete_removes_everywhere(hybrid: HybridIndex) -> None:
    hybrid.upsert(CHUNKS)
    assert len(hybrid) == 4
    assert all(ids == {1, 2, 3, 4} for ids in hybrid.ids_per_index().values())
    hybrid.delete([2])
    assert hybrid.ids() == {1, 3, 4}
    assert 2 not in {r.id for r in hybrid.search("volume discounts", None, k=10)}


def test_an_embedder_skips_languages_it_does_not_understand(hybrid: HybridIndex) -> None:
    assert hybrid.vectors["minilm"].ids() == {1, 2, 4}  # chunk 3 is Chinese
    assert hybrid.vectors["use"].ids() == {1, 2, 3, 4}
    assert hybrid.ids_per_index()["minilm"] == {1, 2, 3, 4}  # skipped by design = covered
    hybrid.upsert([IndexChunk(1, "现在这一段是中文的价格说明。", language="zh")])
    assert hybrid.vectors["minilm"].ids() == {2, 4}  # its old English vector is gone


def test_changing_teams_takes_effect(hybrid: HybridIndex) -> None:
    hybrid.upsert([IndexChunk(2, CHUNKS[1].text, CHUNKS[1].title, teams=("finance",))])
    assert 2 not in {r.id for r in hybrid.search("volume discounts", ["sales-cn"], k=10)}
    assert 2 in {r.id for r in hybrid.search("volume discounts", ["finance"], k=10)}


def test_clear(hybrid: HybridIndex) -> None:
    hybrid.clear()
    assert len(hybrid) == 0
    assert hybrid.ids() == set()
    assert hybrid.search("discounts", None) == []


def test_save_and_load(tmp_path: Path) -> None:
    index = HybridIndex(tmp_path / "ix", ["minilm", "use"], embedders=embedders())
    index.upsert(CHUNKS)
    index.save()
    index.close()
    again = HybridIndex(tmp_path / "ix", ["minilm", "use"], embedders=embedders())
    assert again.ids_per_index() == index.ids_per_index()
    assert [r.id for r in again.search("discounts", ["enterprise"])] == [
        r.id for r in index.search("discounts", ["enterprise"])
    ]
    names = sorted(p.name for p in (tmp_path / "ix").iterdir())
    assert names == [
        "chunks.json",
        "hybrid.lock",
        "keyword-tantivy",
        "meta.json",
        "vectors-minilm.npz",
        "vectors-use.npz",
    ]


def test_load_refuses_vectors_from_another_model(tmp_path: Path) -> None:
    index = HybridIndex(tmp_path / "ix", ["use"], embedders=embedders())
    index.upsert(CHUNKS)
    index.save()
    other = {"use": HashEmbedder("use", 48)}
    other["use"].cache_id = "another-model"
    with pytest.raises(ValueError, match="rebuild"):
        HybridIndex(tmp_path / "ix", ["use"], embedders=other)


def test_embeddings_are_cached_by_content(tmp_path: Path) -> None:
    models = embedders()
    index = HybridIndex(None, ["use"], embedders=models, cache_dir=tmp_path)
    index.upsert(CHUNKS)
    assert models["use"].calls == len(CHUNKS)
    again = HybridIndex(None, ["use"], embedders=models, cache_dir=tmp_path)
    again.upsert(CHUNKS)
    assert models["use"].calls == len(CHUNKS)  # all from the cache
    cached = again.embedders["use"]
    assert isinstance(cached, CachedEmbedder)
    fresh = HashEmbedder("use", 48).encode(["x y z"])
    np.testing.assert_allclose(cached.encode(["x y z"]), fresh)


def test_query_vectors_are_remembered_in_memory_not_on_disk(tmp_path: Path) -> None:
    import sqlite3

    models = embedders()
    index = HybridIndex(None, ["use"], embedders=models, cache_dir=tmp_path)
    cached = index.embedders["use"]
    first = cached.encode(["pricing question", "pricing question", "other"], is_query=True)
    assert models["use"].calls == 2  # a repeat inside one call is encoded once
    again = cached.encode(["other", "pricing question"], is_query=True)
    assert models["use"].calls == 2
    np.testing.assert_allclose(again, first[[2, 0]])
    np.testing.assert_allclose(first[0], HashEmbedder("use", 48).encode(["pricing question"])[0])
    with sqlite3.connect(tmp_path / "embeddings.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM vectors").fetchone() == (0,)


WORDS = ["price", "discount", "renewal", "gateway", "licence", "价格", "折扣"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=team_docs(WORDS, 20), caller=caller_teams(), query=query_words(WORDS))
def test_no_result_is_ever_hidden_from_its_caller_or_shown_to_others(
    docs: list[tuple[list[str], list[str]]], caller: list[str], query: list[str]
) -> None:
    index = HybridIndex(None, ["minilm", "use"], embedders=embedders())
    index.upsert([IndexChunk(i, " ".join(w), teams=tuple(t)) for i, (w, t) in enumerate(docs)])
    visible = {i for i, (_, t) in enumerate(docs) if not t or set(t) & set(caller)}
    lists = index.candidates(" ".join(query), caller, "mixed", 5)
    for name, hits in lists.items():
        assert {c for c, _ in hits} <= visible, name
    for name in ("minilm", "use"):  # top-k is taken after the filter
        assert len(lists[name]) == min(5, len(visible & index.vectors[name].ids()))
    assert {r.id for r in index.search(" ".join(query), caller, k=10)} <= visible
