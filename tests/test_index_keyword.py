"""Both keyword engines (real tantivy, real whoosh): upserts, deletes, codes, visibility inside."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from index.keyword import KeywordDoc, KeywordIndex
from index.keyword_engines import ENGINES, open_keyword_index
from tests.strategies import caller_teams, query_words, team_docs

DOCS = [
    KeywordDoc(1, "The LF-200 gateway reports ERR-LF-4012 when the licence expires.", "Errors"),
    KeywordDoc(2, "ERR-LF-4013 means the fan is blocked; clean the LF-200 fan.", "Errors"),
    KeywordDoc(3, "Pricing for the LF-200: list price and volume discounts.", "Pricing"),
    KeywordDoc(4, "竞品对比：我们的价格比对手低百分之十五。", "价格", teams=("sales-cn",)),
    KeywordDoc(5, "Negotiation playbook for enterprise discounts.", teams=("enterprise",)),
]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture()
def index(engine: str) -> KeywordIndex:
    ki = open_keyword_index(None, engine)
    ki.upsert(DOCS)
    return ki


def test_exact_error_code_ranks_its_passage_first(index: KeywordIndex) -> None:
    hits = index.search("ERR-LF-4012", 5)
    assert hits[0][0] == 1
    assert hits[0][1] > hits[1][1]


def test_code_inside_a_chinese_query_is_found(index: KeywordIndex) -> None:
    assert index.search("报错ERR-LF-4013怎么办", 3)[0][0] == 2


def test_traditional_chinese_query_finds_simplified_text(index: KeywordIndex) -> None:
    assert index.search("價格對比", 3, teams=None)[0][0] == 4


def test_upsert_is_idempotent(index: KeywordIndex) -> None:
    before = [cid for cid, _ in index.search("discounts", 10)]
    index.upsert(DOCS)
    index.upsert(DOCS[:2])
    assert len(index) == len(DOCS)
    assert index.ids() == {1, 2, 3, 4, 5}
    # same documents, same order (scores drift a little: like Lucene, whoosh keeps a
    # replaced document's term statistics until its segment is merged away)
    assert [cid for cid, _ in index.search("discounts", 10)] == before


def test_upsert_replaces_the_content(index: KeywordIndex) -> None:
    index.upsert([KeywordDoc(3, "Renewal terms only.")])
    assert 3 not in [cid for cid, _ in index.search("pricing", 10)]
    assert index.search("renewal", 10)[0][0] == 3


def test_optimize_restores_the_scores_of_a_fresh_index(index: KeywordIndex, engine: str) -> None:
    index.upsert(DOCS)
    index.delete([2])
    fresh = open_keyword_index(None, engine)
    fresh.upsert([d for d in DOCS if d.chunk_id != 2])
    assert index.search("LF-200 discounts", 10) != fresh.search("LF-200 discounts", 10)
    index.optimize()
    assert index.search("LF-200 discounts", 10) == fresh.search("LF-200 discounts", 10)


def test_delete(index: KeywordIndex) -> None:
    index.delete([1, 99])
    assert index.ids() == {2, 3, 4, 5}
    assert 1 not in [cid for cid, _ in index.search("ERR-LF-4012", 10)]


def test_team_filter_is_applied_inside_the_engine(index: KeywordIndex) -> None:
    assert 5 not in [c for c, _ in index.search("enterprise discounts", 10, teams=["sales-cn"])]
    assert index.search("enterprise discounts", 10, teams=["enterprise"])[0][0] == 5
    assert index.search("negotiation", 10, teams=[]) == []
    assert [c for c, _ in index.search("negotiation", 10, teams=None)] == [5]
    # top-k is taken after the filter: a limit of 1 still returns the visible doc
    assert index.search("discounts", 1, teams=["nobody"])[0][0] == 3


def test_empty_and_unsearchable_queries(index: KeywordIndex) -> None:
    assert index.search("", 10) == []
    assert index.search("，。！", 10) == []
    assert index.search("the of and", 10) == []


def test_team_names_with_commas_are_refused(index: KeywordIndex) -> None:
    with pytest.raises(ValueError, match="comma"):
        index.upsert([KeywordDoc(9, "x", teams=("a,b",))])
    assert index.ids() == {1, 2, 3, 4, 5}  # nothing stored is lost


def test_the_public_token_cannot_name_a_team(index: KeywordIndex) -> None:
    with pytest.raises(ValueError, match="reserved"):
        index.upsert([KeywordDoc(9, "x", teams=("__public__",))])


def test_clear(index: KeywordIndex) -> None:
    index.clear()
    assert len(index) == 0
    assert index.search("pricing", 10) == []


def test_on_disk_index_reopens(tmp_path: Path, engine: str) -> None:
    open_keyword_index(tmp_path / "kw", engine).upsert(DOCS)
    reopened = open_keyword_index(tmp_path / "kw", engine)
    assert reopened.ids() == {1, 2, 3, 4, 5}
    assert reopened.search("ERR-LF-4012", 1)[0][0] == 1


def test_a_second_process_waits_for_the_write_lock(tmp_path: Path, engine: str) -> None:
    """Events, not a stopwatch: the second writer reports that it found the lock held, and it
    cannot finish while the first one holds it."""
    ki = open_keyword_index(tmp_path / "kw", engine)
    ki.upsert(DOCS[:1])
    folder = tmp_path / "kw"
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from filelock import FileLock, Timeout
        from index.keyword import KeywordDoc
        from index.keyword_engines import open_keyword_index
        try:
            FileLock(str(Path({str(folder)!r}) / "write.lock"), timeout=0).acquire()
            print("free", flush=True)
        except Timeout:
            print("held", flush=True)
        index = open_keyword_index(Path({str(folder)!r}), {engine!r})
        index.upsert([KeywordDoc(7, "second writer")])
        print("written", flush=True)
        """
    )
    with ki.writer() as writer:
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        assert proc.poll() is None  # it cannot have written: the lock is still ours
        writer.add(KeywordDoc(8, "first writer"))
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert out.strip() == "written"
    assert open_keyword_index(tmp_path / "kw", engine).ids() == {1, 7, 8}


WORDS = ["price", "discount", "renewal", "gateway", "licence"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=team_docs(WORDS, 25), caller=caller_teams(), query=query_words(WORDS))
def test_restricted_docs_never_reach_other_teams(
    docs: list[tuple[list[str], list[str]]], caller: list[str], query: list[str]
) -> None:
    visible = {i for i, (w, t) in enumerate(docs) if not t or set(t) & set(caller)}
    matching = {i for i, (w, _) in enumerate(docs) if set(w) & set(query)}
    results = []
    for engine in ENGINES:
        ki = open_keyword_index(None, engine)
        ki.upsert([KeywordDoc(i, " ".join(w), teams=tuple(t)) for i, (w, t) in enumerate(docs)])
        hits = ki.search(" ".join(query), 5, teams=caller)
        assert {c for c, _ in hits} <= visible, engine
        assert len(hits) == min(5, len(visible & matching)), engine
        results.append(sorted(score for _, score in hits))
    # both engines score BM25 the same way (float32 in tantivy, float64 in whoosh)
    assert results[0] == pytest.approx(results[1], rel=1e-4, abs=1e-4)


def test_a_search_restricted_to_assets_stays_inside_them(engine: str) -> None:
    ki = open_keyword_index(None, engine)
    docs = [
        KeywordDoc(10 + i, f"LF-200 gateway pricing note {i}", asset_id=100 + i // 2)
        for i in range(6)
    ]
    ki.upsert([*docs, KeywordDoc(20, "LF-200 pricing", asset_id=200, teams=("enterprise",))])
    everything = {cid for cid, _ in ki.search("LF-200 pricing", 10)}
    assert everything == {10, 11, 12, 13, 14, 15, 20}
    assert {cid for cid, _ in ki.search("LF-200 pricing", 10, assets={101})} == {12, 13}
    hidden = ki.search("LF-200 pricing", 10, teams=(), assets={101, 200})
    assert {cid for cid, _ in hidden} == {12, 13}  # teams and assets both hold
    mine = ki.search("LF-200 pricing", 10, teams=("enterprise",), assets={200})
    assert [cid for cid, _ in mine] == [20]
    assert ki.search("LF-200 pricing", 10, assets=set()) == []
