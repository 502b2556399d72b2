"""Writing the graph facts: taxonomy entities, problem → solution maps, deal outcomes.

Edges (``Relation``) written here:
problem solved_by solution · solution delivered_by product · problem surfaces_at stage ·
problem felt_by persona · problem found_in industry · asset proves problem/solution ·
competitor seen_in outcome · outcome involves product/problem/industry · outcome at_stage stage.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session, col, select

from ingest.psmap import EntityEntry, ProblemEntry, SolutionEntry
from ingest.winloss import WinLossRecord
from kms.core.graph import find_entity, slug
from kms.core.models import Asset, Entity, EntityType, Outcome, Relation


def upsert_entity(
    session: Session, entry: EntityEntry | SolutionEntry, type_: EntityType
) -> Entity:
    row = session.exec(select(Entity).where(Entity.type == type_, Entity.key == entry.key)).first()
    row = row or Entity(type=type_, key=entry.key)
    row.name_en = entry.name_en or row.name_en
    row.name_zh = entry.name_zh or row.name_zh
    row.aliases = sorted(set(row.aliases) | set(entry.aliases))
    row.description = entry.description or row.description
    session.add(row)
    session.flush()
    return row


def entity_for(session: Session, type_: EntityType, ref: str) -> Entity | None:
    """The entity ``ref`` names (key, name or alias); created from the name when unknown."""
    found = find_entity(session, type_, ref)
    if found is not None or not ref.strip():
        return found
    ref = ref.strip()
    is_zh = any("\u4e00" <= ch <= "\u9fff" for ch in ref)
    entity = Entity(
        type=type_, key=slug(ref), name_en="" if is_zh else ref, name_zh=ref if is_zh else ""
    )
    session.add(entity)
    session.flush()
    return entity


def edge(
    session: Session,
    src: tuple[str, object],
    type_: str,
    dst: tuple[str, object],
    evidence: int | None = None,
    weight: float = 1.0,
) -> None:
    exists = session.exec(
        select(Relation).where(
            Relation.src_type == src[0],
            Relation.src_id == str(src[1]),
            Relation.type == type_,
            Relation.dst_type == dst[0],
            Relation.dst_id == str(dst[1]),
        )
    ).first()
    if exists is None:
        session.add(
            Relation(
                src_type=src[0],
                src_id=str(src[1]),
                type=type_,
                dst_type=dst[0],
                dst_id=str(dst[1]),
                weight=weight,
                evidence_asset_id=evidence,
            )
        )


def write_problem(
    session: Session, entry: ProblemEntry, stage_key: str | None, asset: Asset
) -> Entity:
    """The problem entity, its solutions and products, and every typed edge around it."""
    problem = upsert_entity(session, _as_entity(entry), EntityType.problem)
    problem.meta = {**problem.meta, "asset_id": asset.id, "proof_refs": entry.proof}
    session.add(problem)
    pid = ("entity", problem.id)
    session.execute(
        delete(Relation).where(
            col(Relation.src_type) == "entity",
            col(Relation.src_id) == str(problem.id),
            col(Relation.type).in_(["solved_by", "surfaces_at", "felt_by", "found_in"]),
        )
    )
    if stage_key:
        edge(session, pid, "surfaces_at", ("stage", stage_key), asset.id)
    for ref in entry.personas:
        _link(session, pid, "felt_by", EntityType.persona, ref, asset.id)
    for ref in entry.industries:
        _link(session, pid, "found_in", EntityType.industry, ref, asset.id)
    for sol in entry.solutions:
        solution = upsert_entity(session, sol, EntityType.solution)
        edge(session, pid, "solved_by", ("entity", solution.id), asset.id)
        for ref in [*sol.products, *entry.products]:
            _link(
                session, ("entity", solution.id), "delivered_by", EntityType.product, ref, asset.id
            )
    edge(session, ("asset", asset.id), "describes", pid, asset.id)
    return problem


def _as_entity(entry: ProblemEntry) -> EntityEntry:
    return EntityEntry(
        type=EntityType.problem,
        key=entry.key,
        name_en=entry.name_en,
        name_zh=entry.name_zh,
        aliases=entry.aliases,
        description=entry.description,
    )


def _link(
    session: Session,
    src: tuple[str, object],
    type_: str,
    dst_type: EntityType,
    ref: str,
    evidence: int | None,
) -> None:
    target = entity_for(session, dst_type, ref)
    if target is not None:
        edge(session, src, type_, ("entity", target.id), evidence)


def write_outcome(
    session: Session, record: WinLossRecord, stage_key: str | None, asset: Asset
) -> Outcome:
    outcome = session.exec(select(Outcome).where(Outcome.deal_id == record.deal_id)).first()
    outcome = outcome or Outcome(
        deal_id=record.deal_id, asset_id=asset.id or 0, outcome=record.outcome
    )
    industry = (
        entity_for(session, EntityType.industry, record.industry) if record.industry else None
    )
    outcome.asset_id = asset.id or 0
    outcome.account, outcome.segment, outcome.region = record.account, record.segment, record.region
    outcome.industry = industry.key if industry else ""
    outcome.competitors = [_key(session, EntityType.competitor, c) for c in record.competitors]
    outcome.products = [_key(session, EntityType.product, p) for p in record.products]
    outcome.problems = [_key(session, EntityType.problem, p) for p in record.problems]
    outcome.outcome, outcome.stage_key = record.outcome, stage_key
    outcome.amount, outcome.currency = record.amount, record.currency
    outcome.close_date, outcome.reasons, outcome.notes = (
        record.close_date,
        record.reasons,
        record.notes,
    )
    session.add(outcome)
    session.flush()
    oid = ("outcome", outcome.id)
    for ref in record.competitors:
        target = entity_for(session, EntityType.competitor, ref)
        if target is not None:
            edge(session, ("entity", target.id), "seen_in", oid, asset.id)
    for type_, refs in [
        (EntityType.product, record.products),
        (EntityType.problem, record.problems),
        (EntityType.industry, [record.industry] if record.industry else []),
    ]:
        for ref in refs:
            _link(session, oid, "involves", type_, ref, asset.id)
    if stage_key:
        edge(session, oid, "at_stage", ("stage", stage_key), asset.id)
    return outcome


def _key(session: Session, type_: EntityType, ref: str) -> str:
    entity = entity_for(session, type_, ref)
    return entity.key if entity else slug(ref)


def resolve_proofs(session: Session) -> int:
    """Link problems to the assets their ``proof`` lists name (by source path end or title).

    Runs after each batch, so a proof may name a document ingested later in the batch.
    """
    linked = 0
    assets = session.exec(select(Asset).where(Asset.source_type == "document")).all()
    for problem in session.exec(select(Entity).where(Entity.type == EntityType.problem)).all():
        for ref in problem.meta.get("proof_refs", []):
            asset = _asset_for_ref(assets, ref)
            if asset is None:
                continue
            edge(session, ("asset", asset.id), "proves", ("entity", problem.id), asset.id)
            for rel in session.exec(
                select(Relation).where(
                    Relation.src_type == "entity",
                    Relation.src_id == str(problem.id),
                    Relation.type == "solved_by",
                )
            ).all():
                edge(session, ("asset", asset.id), "proves", ("entity", rel.dst_id), asset.id)
            linked += 1
    return linked


def _asset_for_ref(assets: Sequence[Asset], ref: str) -> Asset | None:
    ref_norm = ref.replace("\\", "/").strip().lower()
    for asset in assets:
        source = asset.source.replace("\\", "/").lower()
        if source.endswith("/" + ref_norm) or source == ref_norm or asset.title.lower() == ref_norm:
            return asset
    return None
