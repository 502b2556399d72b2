"""Loading what ranking needs about candidate chunks, in a few set-based queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlmodel import Session, col, select

from index.analyzer import tokenize
from kms.core.models import (
    Asset,
    AssetStatus,
    Chunk,
    ChunkStage,
    Feedback,
    Outcome,
    Pin,
    Relation,
    StageOrigin,
)
from kms.core.visibility import Caller, visible


class AssetFacts(NamedTuple):
    """What ranking and filters need of a candidate's asset, read as plain columns."""

    id: int
    kind: str
    language: str
    status: AssetStatus
    teams: list[str]
    review_by: date | None


@dataclass
class ChunkFacts:
    """What ranking knows about candidate chunks, as plain columns. Whole ``Chunk`` and
    ``Asset`` rows are loaded only for what a response shows (``load_shown`` in search):
    building ORM objects for ~200 candidates was the largest share of a search's Python
    time."""

    chunk_assets: dict[int, int] = field(default_factory=dict)  # chunk id → asset id
    assets: dict[int, AssetFacts] = field(default_factory=dict)
    stages: dict[int, dict[str, tuple[float, str]]] = field(default_factory=dict)
    feedback: dict[int, float] = field(default_factory=dict)
    chunks: dict[int, Chunk] = field(default_factory=dict)  # shown chunks only
    asset_rows: dict[int, Asset] = field(default_factory=dict)  # shown assets only

    def update(self, other: ChunkFacts) -> None:
        self.chunk_assets.update(other.chunk_assets)
        self.assets.update(other.assets)
        self.stages.update(other.stages)
        self.feedback.update(other.feedback)
        self.chunks.update(other.chunks)
        self.asset_rows.update(other.asset_rows)


def load_facts(session: Session, chunk_ids: Iterable[int]) -> ChunkFacts:
    ids = list(chunk_ids)
    facts = ChunkFacts()
    if not ids:
        return facts
    rows = session.exec(select(Chunk.id, Chunk.asset_id).where(col(Chunk.id).in_(ids)))
    facts.chunk_assets = {chunk_id or 0: asset_id for chunk_id, asset_id in rows}
    asset_ids = set(facts.chunk_assets.values())
    columns = (Asset.id, Asset.kind, Asset.language, Asset.status, Asset.teams, Asset.review_by)
    query = select(*columns).where(col(Asset.id).in_(asset_ids))  # type: ignore[call-overload]
    facts.assets = {row[0]: AssetFacts(*row) for row in session.exec(query)}
    stage_rows = session.exec(
        select(
            ChunkStage.chunk_id, ChunkStage.stage_key, ChunkStage.score, ChunkStage.origin
        ).where(col(ChunkStage.chunk_id).in_(ids))
    )
    for chunk_id, stage_key, score, origin in stage_rows:
        facts.stages.setdefault(chunk_id, {})[stage_key] = (score, StageOrigin(origin).value)
    facts.feedback = feedback_balance(session, asset_ids)
    return facts


def load_chunks(session: Session, chunk_ids: Iterable[int]) -> dict[int, Chunk]:
    """Whole chunk rows (text, section, page) by id."""
    ids = list(chunk_ids)
    if not ids:
        return {}
    return {c.id or 0: c for c in session.exec(select(Chunk).where(col(Chunk.id).in_(ids)))}


def load_assets(session: Session, asset_ids: Iterable[int]) -> dict[int, Asset]:
    """Whole asset rows by id."""
    ids = list(asset_ids)
    if not ids:
        return {}
    return {a.id or 0: a for a in session.exec(select(Asset).where(col(Asset.id).in_(ids)))}


def feedback_balance(session: Session, asset_ids: Iterable[int]) -> dict[int, float]:
    """(helpful − not helpful) / (votes + 2) per asset: damped, in −1..1."""
    up: Counter[int] = Counter()
    total: Counter[int] = Counter()
    rows = session.exec(select(Feedback).where(col(Feedback.asset_id).in_(list(asset_ids))))
    for row in rows:
        total[row.asset_id] += 1
        up[row.asset_id] += 1 if row.helpful else -1
    return {asset_id: up[asset_id] / (total[asset_id] + 2) for asset_id in total}


def pinned_assets(session: Session, query: str) -> set[int]:
    """Assets a curator pinned to a query that this query contains (token-wise)."""
    tokens = set(tokenize(query))
    pinned: set[int] = set()
    for pin in session.exec(select(Pin)).all():
        pin_tokens = set(tokenize(pin.query))
        if pin_tokens and pin_tokens <= tokens:
            pinned.add(pin.asset_id)
    return pinned


def is_stale(asset: Asset | AssetFacts, today: date) -> bool:
    return asset.review_by is not None and asset.review_by < today


def won_share(
    session: Session,
    asset_ids: Iterable[int],
    competitor: str | None,
    industry: str | None,
    caller: Caller,
) -> dict[int, float]:
    """Share of the won deals the caller may see in the context (competitor / industry) that
    involve what the asset proves or mentions. Empty when the context names neither."""
    if not competitor and not industry:
        return {}
    rows = session.exec(
        select(Outcome, Asset.teams, Asset.status)
        .join(Asset, col(Asset.id) == Outcome.asset_id)
        .where(Outcome.outcome == "won")
    ).all()
    deals = [
        o
        for o, teams, status in rows
        if visible(caller, teams)
        and status != AssetStatus.retired
        and (not competitor or competitor in o.competitors)
        and (not industry or industry == o.industry)
    ]
    if not deals:
        return {}
    deal_ids = {str(o.id) for o in deals}
    involved: dict[str, set[str]] = {}
    for rel in session.exec(
        select(Relation).where(
            Relation.src_type == "outcome",
            Relation.type == "involves",
            col(Relation.src_id).in_(deal_ids),
        )
    ):
        involved.setdefault(rel.dst_id, set()).add(rel.src_id)
    shares: dict[int, float] = {}
    ids = [str(a) for a in asset_ids]
    for rel in session.exec(
        select(Relation).where(
            Relation.src_type == "asset",
            col(Relation.type).in_(["proves", "mentions"]),
            col(Relation.src_id).in_(ids),
        )
    ):
        won = involved.get(rel.dst_id)
        if won:
            asset_id = int(rel.src_id)
            current = shares.get(asset_id, 0.0)
            shares[asset_id] = max(current, len(won) / len(deals))
    return shares
