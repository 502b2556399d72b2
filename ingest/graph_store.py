"""Writing the graph facts: taxonomy entities, problem → solution maps, deal outcomes.

Edges (``Relation``) written here:
problem solved_by solution · solution delivered_by product · problem surfaces_at stage ·
problem felt_by persona · problem found_in industry · asset proves problem/solution ·
competitor seen_in outcome · outcome involves product/problem/industry · outcome at_stage stage.

Scopes. Every entity is written in the scope (team key) of the source that states it: a
team's map entries, problems, solutions and the names its notes introduce are the team's,
so another team's map reusing a key makes its own entity and learns nothing. A reference
(a problem's product, a note's competitor) resolves to an entity whose scope *covers* the
writer's (its own or a public one), else a new entity in the writer's scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from ingest.psmap import EntityEntry, ProblemEntry, SolutionEntry
from ingest.winloss import WinLossRecord
from kms.core.db import insert_or_get
from kms.core.graph import find_entity, slug
from kms.core.models import Asset, Entity, EntityType, Outcome, Relation
from kms.core.teams import teams_of
from kms.core.visibility import covering


def upsert_entity(
    session: Session, entry: EntityEntry | SolutionEntry, type_: EntityType, scope: str
) -> Entity:
    keys: dict[str, Any] = {"type": type_, "key": entry.key, "scope": scope}
    row, _ = insert_or_get(session, Entity, keys, Entity(type=type_, key=entry.key, scope=scope))
    row.name_en = entry.name_en or row.name_en
    row.name_zh = entry.name_zh or row.name_zh
    row.aliases = sorted(set(row.aliases) | set(entry.aliases))
    row.description = entry.description or row.description
    session.add(row)
    session.flush()
    return row


def entity_for(session: Session, type_: EntityType, ref: str, scope: str) -> Entity | None:
    """The entity ``ref`` names (key, name or alias) among those a writer in ``scope`` may
    use; created in ``scope`` from the name when unknown."""
    found = find_entity(session, type_, ref, covering(teams_of(scope)))
    if found is not None or not ref.strip():
        return found
    ref = ref.strip()
    is_zh = any("\u4e00" <= ch <= "\u9fff" for ch in ref)
    keys: dict[str, Any] = {"type": type_, "key": slug(ref), "scope": scope}
    entity = Entity(
        type=type_,
        key=slug(ref),
        scope=scope,
        name_en="" if is_zh else ref,
        name_zh=ref if is_zh else "",
    )
    row, _ = insert_or_get(session, Entity, keys, entity)
    return row


def edge(
    session: Session,
    src: tuple[str, object],
    type_: str,
    dst: tuple[str, object],
    evidence: int | None = None,
    weight: float = 1.0,
) -> None:
    row = Relation(
        src_type=src[0],
        src_id=str(src[1]),
        type=type_,
        dst_type=dst[0],
        dst_id=str(dst[1]),
        weight=weight,
        evidence_asset_id=evidence,
    )
    keys = {k: getattr(row, k) for k in ("src_type", "src_id", "type", "dst_type", "dst_id")}
    insert_or_get(session, Relation, keys, row)


def write_problem(
    session: Session, entry: ProblemEntry, stage_key: str | None, asset: Asset
) -> Entity:
    """The problem entity (in the scope of its map entry), its solutions and products, and
    every typed edge around it."""
    scope = asset.scope
    problem = upsert_entity(session, _as_entity(entry), EntityType.problem, scope)
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
        _link(session, pid, "felt_by", EntityType.persona, ref, asset)
    for ref in entry.industries:
        _link(session, pid, "found_in", EntityType.industry, ref, asset)
    for sol in entry.solutions:
        solution = upsert_entity(session, sol, EntityType.solution, scope)
        edge(session, pid, "solved_by", ("entity", solution.id), asset.id)
        for ref in [*sol.products, *entry.products]:
            _link(session, ("entity", solution.id), "delivered_by", EntityType.product, ref, asset)
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
    evidence: Asset,
) -> None:
    target = entity_for(session, dst_type, ref, evidence.scope)
    if target is not None:
        edge(session, src, type_, ("entity", target.id), evidence.id)


def write_outcome(
    session: Session,
    record: WinLossRecord,
    stage_key: str | None,
    asset: Asset,
    furthest_stage: str | None = None,
) -> Outcome:
    """The note's outcome: one per note asset, so the same deal id in another team's scope
    is another outcome."""
    scope = asset.scope
    fresh = Outcome(deal_id=record.deal_id, asset_id=asset.id or 0, outcome=record.outcome)
    outcome, _ = insert_or_get(session, Outcome, {"asset_id": asset.id}, fresh)
    industry = (
        entity_for(session, EntityType.industry, record.industry, scope)
        if record.industry
        else None
    )
    outcome.deal_id = record.deal_id
    outcome.account, outcome.segment, outcome.region = record.account, record.segment, record.region
    outcome.industry = industry.key if industry else ""
    outcome.competitors = [
        _key(session, EntityType.competitor, c, scope) for c in record.competitors
    ]
    outcome.products = [_key(session, EntityType.product, p, scope) for p in record.products]
    outcome.problems = [_key(session, EntityType.problem, p, scope) for p in record.problems]
    outcome.outcome, outcome.stage_key = record.outcome, stage_key
    outcome.furthest_stage = furthest_stage or stage_key
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
        target = entity_for(session, EntityType.competitor, ref, scope)
        if target is not None:
            edge(session, ("entity", target.id), "seen_in", oid, asset.id)
    for type_, refs in [
        (EntityType.product, record.products),
        (EntityType.problem, record.problems),
        (EntityType.industry, [record.industry] if record.industry else []),
    ]:
        for ref in refs:
            _link(session, oid, "involves", type_, ref, asset)
    if stage_key:
        edge(session, oid, "at_stage", ("stage", stage_key), asset.id)
    return outcome


def _key(session: Session, type_: EntityType, ref: str, scope: str) -> str:
    entity = entity_for(session, type_, ref, scope)
    return entity.key if entity else slug(ref)


def resolve_proofs(session: Session) -> int:
    """Link problems to the assets their ``proof`` lists name (by source path end or title).

    Runs after each batch, so a proof may name a document ingested later in the batch. A
    proof may be an asset only some of the problem's readers see: every read filters proof
    by the reader (``kms.services.graph.proof_assets``) and gap detection counts only proof
    that all of them see.
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
