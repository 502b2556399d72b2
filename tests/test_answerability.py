"""The answer's confidence signals and card on hand-worked examples (no index needed)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from index.analyzer import tokenize
from kms.core.schemas import Citation
from kms.services.answer_card import Source, compose, sentences
from kms.services.answerability import (
    Model,
    Signals,
    above_floor,
    agreement,
    entity_names,
    idf_weights,
    load_model,
    salient_terms,
    weighted_share,
)


@pytest.mark.parametrize(
    ("query", "salient"),
    [
        ("Do we have a reseller partner in Brazil?", ["resel", "partner", "brazil"]),
        ("我们在巴西有没有代理商?", ["巴西", "代理商"]),
        ("How do we compete against DataForge?", ["compet", "dataforg"]),
        ("有没有 什么 我们", []),
    ],
)
def test_function_words_are_not_salient(query: str, salient: list[str]) -> None:
    assert salient_terms(query) == salient


def test_idf_weights_by_hand() -> None:
    # 10 chunks; "rare" in none, "common" in all: ln(1 + (N - n + .5) / (n + .5))
    idf = idf_weights(10, {"rare": 0, "common": 10})
    assert idf["rare"] == pytest.approx(math.log(22.0))
    assert idf["common"] == pytest.approx(math.log(1 + 0.5 / 10.5))


def test_weighted_share_counts_rare_terms_most() -> None:
    idf = {"rare": 3.0, "common": 1.0}
    assert weighted_share({"rare", "common"}, {"rare"}, idf) == pytest.approx(0.75)
    assert weighted_share({"rare", "common"}, {"common"}, idf) == pytest.approx(0.25)
    assert weighted_share(set(), {"rare"}, idf) == 0.0


def test_entity_names_in_both_languages() -> None:
    assert entity_names("Do we have a reseller partner in Brazil?") == ["Brazil"]
    assert "巴西" in entity_names("我们在巴西有没有代理商")
    assert entity_names("How many vacation days do new employees get?") == []


def test_agreement_is_the_overlap_of_top_assets() -> None:
    assets = {1: 10, 2: 20, 3: 30, 4: 40}
    both = {"bm25": [(1, 9.0), (2, 5.0)], "use": [(2, 0.8), (3, 0.7)]}
    assert agreement(both, assets) == pytest.approx(0.5)  # asset 20 of bm25's two
    assert agreement({"bm25": [(1, 9.0)], "use": [(4, 0.9)]}, assets) == 0.0
    assert agreement({"use": [(4, 0.9)]}, assets) == 0.0


MODEL = Model(
    calibration={"use:en": (10.0, -5.0)},
    weights={"sim": 2.0, "keyword": 1.0, "unknown_entity": -3.0},
    bias=-1.0,
    threshold=0.5,
    floor_query=0.2,
    floor_chunk=0.1,
)


def test_model_calibrates_and_scores_by_hand() -> None:
    assert MODEL.calibrated("use", "en", 0.5) == pytest.approx(0.5)  # 10 * .5 - 5 = 0
    assert MODEL.calibrated("minilm", "en", 0.9) is None  # no curve: not counted
    signals = Signals(1.0, 0.5, 0.5, 0.0, 1.0, 0.0, 0.0)
    # z = -1 + 2 * 1 + 1 * .5 - 3 * 1 = -1.5
    assert MODEL.score(signals) == pytest.approx(1 / (1 + math.exp(1.5)))


def test_relevance_floor() -> None:
    lists = {"bm25": [(1, 4.0)], "use": [(1, 0.6), (2, 0.55), (3, 0.2)]}
    kept = above_floor(MODEL, lists, "en", known_terms=1)
    # chunk 3 is dense-only with calibrated similarity sigmoid(-3) = .047 < .1: dropped
    assert [c for c, _ in kept["use"]] == [1, 2] and kept["bm25"] == lists["bm25"]
    gibberish = {"bm25": [], "use": [(5, 0.3)]}  # sigmoid(-2) = .12 < .2, no known term
    assert above_floor(MODEL, gibberish, "en", known_terms=0) == {"bm25": [], "use": []}


def test_committed_model_loads() -> None:
    model = load_model()
    assert set(model.weights) <= set(Signals.names())
    assert model.calibration


def test_sentences_cut_at_boundaries_in_both_languages() -> None:
    text = (
        "第一句话说明了折扣审批。第二句讲让步交换原则！\nFirst sentence here. Second one follows?"
    )
    assert sentences(text) == [
        "第一句话说明了折扣审批。",
        "第二句讲让步交换原则！",
        "First sentence here.",
        "Second one follows?",
    ]


def _cite(n: int) -> Citation:
    return Citation(asset_id=n, title=f"Doc {n}")


def test_compose_picks_answering_sentences_with_numbered_citations() -> None:
    sources = [
        Source(
            "Unrelated opening line about the weather. DataForge discounts 15% at quarter end.",
            _cite(1),
        ),
        Source(
            "Our list price is fixed. Against DataForge, sell three-year TCO instead of discounts.",
            _cite(2),
        ),
        Source("Nothing to see in this passage at all.", _cite(3)),
    ]
    terms = salient_terms("How do I answer a DataForge discount?")
    idf = {t: 1.0 for t in terms}
    chosen, citations = compose(sources, terms, idf, chinese=False)
    texts = [s.text for s in chosen]
    assert "DataForge discounts 15% at quarter end." in texts
    assert "Against DataForge, sell three-year TCO instead of discounts." in texts
    assert all("weather" not in t and "Nothing" not in t for t in texts)
    assert [c.asset_id for c in citations] == [1, 2]
    assert [s.cite for s in chosen] == [1, 2]
    assert set(tokenize(" ".join(texts))) & set(terms)


def test_salient_text_keeps_the_words_as_written() -> None:
    from kms.services.answerability import salient_text

    assert salient_text("Do we have a reseller partner in Brazil?") == "reseller partner Brazil"
    assert salient_text("我们在巴西有没有代理商？") == "巴西 代理商"


def test_term_statistics_count_only_visible_chunks(tmp_path: Path) -> None:
    """A term only a hidden chunk holds is unknown to an outsider (no confidence leak)."""
    from index.keyword import KeywordDoc
    from index.keyword_engines import open_keyword_index

    for engine in ("tantivy", "whoosh"):
        index = open_keyword_index(tmp_path / engine, engine)
        index.upsert(
            [
                KeywordDoc(chunk_id=1, body="public pricing notes", title="", teams=()),
                KeywordDoc(chunk_id=2, body="secret canaryword pricing", title="", teams=("emea",)),
            ]
        )
        assert index.doc_freqs(["canaryword", "price"]) == (2, {"canaryword": 1, "price": 2})
        outsider = index.doc_freqs(["canaryword", "price"], teams=())
        assert outsider == (1, {"canaryword": 0, "price": 1}), engine
        insider = index.doc_freqs(["canaryword"], teams=("emea",))
        assert insider == (2, {"canaryword": 1}), engine
        index.close()
