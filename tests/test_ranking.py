"""Ranking priors as tables of inputs and expected orders (pure functions)."""

from __future__ import annotations

import pytest

from index.ranking import Candidate, StageContext, Weights, rank


def cand(chunk: int, asset: int, retrieval: float, **kw: object) -> Candidate:
    return Candidate(chunk_id=chunk, asset_id=asset, retrieval=retrieval, **kw)  # type: ignore[arg-type]


PRICING = {"proposal": (1.0, "curated")}
DISCOVERY = {"discovery": (0.9, "inferred")}

CASES = [
    # (name, candidates, context, expected asset order)
    (
        "no stage: retrieval decides",
        [cand(1, 1, 1.0, stages=DISCOVERY), cand(2, 2, 0.9, stages=PRICING)],
        StageContext(),
        [1, 2],
    ),
    (
        "given stage lifts the asset tagged with it",
        [cand(1, 1, 1.0, stages=DISCOVERY), cand(2, 2, 0.9, stages=PRICING)],
        StageContext("proposal", 1.0, ("solution_design", "negotiation")),
        [2, 1],
    ),
    (
        "a far better match still wins over the stage prior",
        [cand(1, 1, 1.0, stages=DISCOVERY), cand(2, 2, 0.3, stages=PRICING)],
        StageContext("proposal", 1.0),
        [1, 2],
    ),
    (
        "a weakly inferred stage moves less than a given one",
        [cand(1, 1, 1.0, stages=DISCOVERY), cand(2, 2, 0.9, stages=PRICING)],
        StageContext("proposal", 0.2),
        [1, 2],
    ),
    (
        "a neighbouring stage counts a fraction",
        [
            cand(1, 1, 1.0, stages={"negotiation": (1.0, "curated")}),
            cand(2, 2, 1.0, stages={"closing": (1.0, "curated")}),
        ],
        StageContext("proposal", 1.0, ("solution_design", "negotiation")),
        [1, 2],
    ),
    (
        "curated affinity beats inferred at equal retrieval",
        [
            cand(1, 1, 1.0, stages={"proposal": (1.0, "inferred")}),
            cand(2, 2, 1.0, stages={"proposal": (1.0, "curated")}),
        ],
        StageContext("proposal", 1.0),
        [2, 1],
    ),
    (
        "approved above draft at equal retrieval",
        [cand(1, 1, 1.0, status="draft"), cand(2, 2, 1.0, status="approved")],
        StageContext(),
        [2, 1],
    ),
    (
        "retired never ranks",
        [cand(1, 1, 1.0, status="retired"), cand(2, 2, 0.1)],
        StageContext(),
        [2],
    ),
    (
        "a pin goes first",
        [cand(1, 1, 1.0), cand(2, 2, 0.05, pinned=True)],
        StageContext(),
        [2, 1],
    ),
    (
        "stale content drops below fresh at equal retrieval",
        [cand(1, 1, 1.0, stale=True), cand(2, 2, 1.0)],
        StageContext(),
        [2, 1],
    ),
    (
        "evidence from won deals lifts",
        [cand(1, 1, 1.0), cand(2, 2, 0.95, won_share=0.8)],
        StageContext(),
        [2, 1],
    ),
    (
        "one result per asset: its best chunk",
        [cand(1, 1, 1.0), cand(2, 1, 0.9), cand(3, 2, 0.8)],
        StageContext(),
        [1, 2],
    ),
]


@pytest.mark.parametrize(
    ("candidates", "ctx", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rank_orders(candidates: list[Candidate], ctx: StageContext, expected: list[int]) -> None:
    assert [r.asset_id for r in rank(candidates, ctx)] == expected


def test_why_explains_the_score() -> None:
    ranked = rank(
        [cand(1, 1, 2.0, signals={"bm25": 1.5, "minilm": 0.5}, stages=PRICING)],
        StageContext("proposal", 1.0),
    )[0]
    why = dict(ranked.why)
    assert why["bm25"] == pytest.approx(0.75) and why["minilm"] == pytest.approx(0.25)
    assert why["stage"] == pytest.approx(Weights().stage)
    assert ranked.score == pytest.approx(sum(why.values()))


def test_best_chunk_keeps_the_others() -> None:
    (ranked,) = rank([cand(5, 1, 0.5), cand(6, 1, 0.9), cand(7, 1, 0.1)], StageContext())
    assert ranked.chunk_id == 6 and sorted(ranked.also_chunks) == [5, 7]
