"""Browsing the knowledge graph: problems (search, one with everything around it), entities.

Visibility. Every entity first needs its scope to be visible (a team's taxonomy, problems
and solutions are the team's). A problem is then visible when the map entry (asset) that
defines it is; retired entries only to curators. Any other entity is visible when it is
pure taxonomy (no edge carries evidence) or when at least one visible asset is evidence
for an edge touching it — so a name that only a restricted document or deal introduced
stays hidden.
Outcomes and proof are filtered by the visibility of their own assets.
"""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from kms.core.errors import NotFound
from kms.core.graph import entities_in
from kms.core.models import Asset, AssetStatus, Entity, EntityType, Outcome, Relation
from kms.core.schemas import (
    EntitiesPublic,
    EntityPublic,
    OutcomePublic,
    ProblemDetail,
    ProblemsPublic,
    ProblemSummary,
)
from kms.core.visibility import Caller, may_see, readable_by
from kms.services.app import Services
from kms.services.graph import (
    citation,
    problem_entry,
    problem_stage,
    proof_assets,
    solution_ids,
)
from kms.services.winloss import summary_of


class Visibility:
    """Which assets and entities one caller may see, loaded once per request."""

    def __init__(self, session: Session, caller: Caller) -> None:
        self.caller = caller
        self.scope = readable_by(caller)
        assets = session.exec(select(Asset)).all()
        self.assets = {a.id or 0 for a in assets if may_see(a, caller)}
        self.evidence: dict[int, set[int | None]] = {}
        rows = session.exec(
            select(Relation).where(
                or_(Relation.src_type == "entity", Relation.dst_type == "entity")
            )
        ).all()
        for rel in rows:
            for kind, ref in ((rel.src_type, rel.src_id), (rel.dst_type, rel.dst_id)):
                if kind == "entity":
                    self.evidence.setdefault(int(ref), set()).add(rel.evidence_asset_id)

    def entity(self, entity: Entity) -> bool:
        if not self.scope(entity.scope):
            return False
        if entity.type == EntityType.problem:
            return self.problem(entity)
        evidence = self.evidence.get(entity.id or 0)
        return not evidence or any(e is None or e in self.assets for e in evidence)

    def problem(self, entity: Entity) -> bool:
        source = entity.meta.get("asset_id")
        return self.scope(entity.scope) and (source is None or source in self.assets)


def list_entities(
    services: Services,
    caller: Caller,
    type_: str | None = None,
    q: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> EntitiesPublic:
    with services.db.session() as session:
        query = select(Entity).order_by(col(Entity.type), col(Entity.key))
        if type_:
            query = query.where(Entity.type == type_)
        seen = Visibility(session, caller)
        rows = [e for e in session.exec(query).all() if seen.entity(e) and _matches(e, q)]
    return EntitiesPublic(data=[_entity(e) for e in rows[offset : offset + limit]], count=len(rows))


def search_problems(
    services: Services,
    caller: Caller,
    q: str | None = None,
    stage: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> ProblemsPublic:
    with services.db.session() as session:
        seen = Visibility(session, caller)
        problems = session.exec(select(Entity).where(Entity.type == EntityType.problem)).all()
        linked = entities_in(session, q, seen.scope, [EntityType.problem]) if q else []
        rank = {pid: i for i, pid in enumerate(linked)}
        rows = [p for p in problems if seen.problem(p) and (p.id in rank or _matches(p, q))]
        rows.sort(key=lambda p: (rank.get(p.id or 0, len(rank)), p.key))
        summaries = [_summary(session, p, seen) for p in rows]
    if stage:
        key = services.process.resolve(stage)
        summaries = [s for s in summaries if s.stage == key]
    return ProblemsPublic(data=summaries[offset : offset + limit], count=len(summaries))


def get_problem(services: Services, caller: Caller, problem_id: int) -> ProblemDetail:
    with services.db.session() as session:
        problem = session.get(Entity, problem_id)
        seen = Visibility(session, caller)
        entry = problem_entry(session, problem_id, caller) if problem else None
        if problem is None or entry is None or not seen.problem(problem):
            raise NotFound(f"no problem {problem_id}", {"problem_id": problem_id})
        deals = _outcomes(session, problem, seen)
        return ProblemDetail(
            problem=entry,
            proof=[citation(a) for a in proof_assets(session, problem_id, caller)],
            outcomes=[_outcome(o) for o in deals],
            winloss=summary_of(deals, {"problem": problem.key}),
        )


def _outcomes(session: Session, problem: Entity, seen: Visibility) -> list[Outcome]:
    """Deals that involved the problem, from live notes the caller may see."""
    via_edges = {
        int(r.src_id)
        for r in session.exec(
            select(Relation).where(
                Relation.src_type == "outcome",
                Relation.type == "involves",
                Relation.dst_type == "entity",
                Relation.dst_id == str(problem.id),
            )
        )
    }
    deals = [
        o
        for o in session.exec(select(Outcome).order_by(col(Outcome.close_date).desc())).all()
        if (o.id in via_edges or problem.key in o.problems) and o.asset_id in seen.assets
    ]
    live = {
        a.id
        for a in session.exec(select(Asset).where(col(Asset.id).in_([o.asset_id for o in deals])))
        if a.status != AssetStatus.retired
    }
    return [o for o in deals if o.asset_id in live]


def _summary(session: Session, problem: Entity, seen: Visibility) -> ProblemSummary:
    pid = problem.id or 0
    solutions = solution_ids(session, pid)
    targets = [str(pid), *[str(s) for s in solutions]]
    proof = session.exec(
        select(Relation.src_id).where(
            Relation.type == "proves",
            Relation.dst_type == "entity",
            col(Relation.dst_id).in_(targets),
        )
    ).all()
    return ProblemSummary(
        id=pid,
        key=problem.key,
        name_en=problem.name_en,
        name_zh=problem.name_zh,
        stage=problem_stage(session, pid),
        solutions=len(solutions),
        proof=len({int(a) for a in proof} & seen.assets),
    )


def _matches(entity: Entity, q: str | None) -> bool:
    if not q:
        return True
    needle = q.strip().lower()
    names = [entity.key, entity.name_en, entity.name_zh, *entity.aliases, entity.description]
    return any(needle in n.lower() for n in names if n)


def _entity(e: Entity) -> EntityPublic:
    return EntityPublic(
        id=e.id or 0,
        type=e.type.value,
        key=e.key,
        name_en=e.name_en,
        name_zh=e.name_zh,
        aliases=list(e.aliases),
        description=e.description,
    )


def _outcome(o: Outcome) -> OutcomePublic:
    return OutcomePublic(
        deal_id=o.deal_id,
        asset_id=o.asset_id,
        account=o.account,
        industry=o.industry,
        competitors=list(o.competitors),
        products=list(o.products),
        outcome=o.outcome,
        stage=o.stage_key,
        amount=o.amount,
        currency=o.currency,
        close_date=o.close_date,
        reasons=list(o.reasons),
    )
