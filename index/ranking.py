"""Ranking after fusion: priors, one result per document, and the ``why`` of each result.

Pure functions over plain data, table-tested. The fused retrieval score is scaled so
the best candidate has 1.0; each prior then adds a bounded amount:

| signal | contribution |
|---|---|
| stage | ``weight × confidence × affinity × origin factor``; a fifth for a neighbour stage |
| status | approved +0.05, draft −0.05; retired never ranks |
| pin | +10 for an asset a curator pinned to this query |
| freshness | −0.05 when the review-by date has passed |
| won deals | up to +0.1 by the share of won deals in the context that cite the asset |
| feedback | up to ±0.05 by the helpful / not-helpful balance |
| passages | a document scores its best chunk plus ``passages`` × the retrieval scores of its
next ``MORE_PASSAGES`` best chunks (a damped sum: a document that answers a question in
several places beats one that matches once, and a best chunk still decides the order) |
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

ORIGIN_FACTOR = {"curated": 1.0, "source": 0.9, "inferred": 0.7}
MORE_PASSAGES = 3  # chunks after the best that add to a document's score


@dataclass(frozen=True)
class Candidate:
    chunk_id: int
    asset_id: int
    retrieval: float
    signals: dict[str, float] = field(default_factory=dict)  # e.g. bm25, minilm, use, graph
    stages: dict[str, tuple[float, str]] = field(default_factory=dict)  # key → (score, origin)
    status: str = "approved"
    pinned: bool = False
    stale: bool = False
    won_share: float = 0.0
    feedback: float = 0.0


@dataclass(frozen=True)
class StageContext:
    key: str | None = None
    confidence: float = 0.0  # 1.0 when the caller gave the stage
    neighbours: tuple[str, ...] = ()


@dataclass(frozen=True)
class Weights:
    # Stage weights, from bench/stage_quality.py (nDCG@10 over 60 queries, swept with
    # whoosh): 0.35 / 0.5 gave 0.763, 0.45 / 0.2 gave 0.793 (0.45 / 0.05-0.2 all
    # 0.793-0.795; 0.799 with tantivy). Kept below
    # 0.5 so that a weakly inferred stage (confidence 0.2) cannot overturn a 0.1 lead
    # in retrieval, and a far better match still wins (tests/test_ranking.py).
    stage: float = 0.45
    neighbour: float = 0.2  # a neighbour stage is worth a fifth of the stage itself
    approved: float = 0.05
    draft: float = -0.05
    pin: float = 10.0
    stale: float = -0.05
    won: float = 0.1
    feedback: float = 0.05
    passages: float = 0.1  # damping of the next chunks' retrieval (bench/longdocs.py)


@dataclass
class Ranked:
    chunk_id: int
    asset_id: int
    score: float
    why: list[tuple[str, float]]
    also_chunks: list[int] = field(default_factory=list)


def stage_prior(candidate: Candidate, ctx: StageContext, weights: Weights) -> float:
    if ctx.key is None or ctx.confidence <= 0:
        return 0.0
    best = 0.0
    for key, (score, origin) in candidate.stages.items():
        factor = 1.0 if key == ctx.key else weights.neighbour if key in ctx.neighbours else 0.0
        best = max(best, factor * score * ORIGIN_FACTOR.get(origin, 0.5))
    return weights.stage * ctx.confidence * best


def score(candidate: Candidate, top: float, ctx: StageContext, weights: Weights) -> Ranked:
    scale = 1.0 / top if top > 0 else 0.0
    why = [(name, value * scale) for name, value in candidate.signals.items() if value]
    priors = [
        ("stage", stage_prior(candidate, ctx, weights)),
        ("approved", weights.approved if candidate.status == "approved" else 0.0),
        ("draft", weights.draft if candidate.status == "draft" else 0.0),
        ("pinned", weights.pin if candidate.pinned else 0.0),
        ("stale", weights.stale if candidate.stale else 0.0),
        ("won_deals", weights.won * min(1.0, candidate.won_share)),
        ("feedback", weights.feedback * max(-1.0, min(1.0, candidate.feedback))),
    ]
    why += [(name, value) for name, value in priors if value]
    total = candidate.retrieval * scale + sum(value for _, value in priors)
    return Ranked(candidate.chunk_id, candidate.asset_id, total, why)


def rank(
    candidates: Sequence[Candidate], ctx: StageContext, weights: Weights | None = None
) -> list[Ranked]:
    """Score, drop retired, one result per asset (its best chunk, plus a damped sum of
    its next chunks' retrieval), ordered by score."""
    weights = weights or Weights()
    live = [c for c in candidates if c.status != "retired"]
    top = max((c.retrieval for c in live), default=0.0)
    scale = 1.0 / top if top > 0 else 0.0
    per_asset: dict[int, list[tuple[Ranked, float]]] = {}
    for candidate in live:
        ranked = score(candidate, top, ctx, weights)
        per_asset.setdefault(candidate.asset_id, []).append((ranked, candidate.retrieval * scale))
    out: list[Ranked] = []
    for chunks in per_asset.values():
        chunks.sort(key=lambda pair: (-pair[0].score, pair[0].chunk_id))
        best = chunks[0][0]
        more = sum(retrieval for _, retrieval in chunks[1 : 1 + MORE_PASSAGES])
        if weights.passages and more > 0:
            bonus = weights.passages * more
            best.score += bonus
            best.why.append(("passages", bonus))
        best.also_chunks = [r.chunk_id for r, _ in chunks[1:]]
        out.append(best)
    return sorted(out, key=lambda r: (-r.score, r.asset_id))
