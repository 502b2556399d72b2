"""Knowledge-graph reads: problems a query is about, their solutions and proof assets."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from kms.core.graph import entities_in
from kms.core.models import Asset, AssetStatus, Entity, EntityType, Relation
from kms.core.schemas import Citation, ProblemEntry, SolutionEntry
from kms.core.visibility import Caller, readable_by


def problems_for(
    session: Session, query: str, asset_ids: Iterable[int], caller: Caller
) -> list[int]:
    """Problems the caller may see that the query names, then problems whose map entry
    ranked for it (ranked assets are visible ones)."""
    found = entities_in(session, query, readable_by(caller), [EntityType.problem])
    ids = [str(a) for a in asset_ids]
    if ids:
        for rel in session.exec(
            select(Relation).where(
                Relation.src_type == "asset",
                Relation.type == "describes",
                col(Relation.src_id).in_(ids),
            )
        ):
            if int(rel.dst_id) not in found:
                found.append(int(rel.dst_id))
    return found


def edges_from(session: Session, src_type: str, src_id: int | str, type_: str) -> list[Relation]:
    return list(
        session.exec(
            select(Relation).where(
                Relation.src_type == src_type,
                Relation.src_id == str(src_id),
                Relation.type == type_,
            )
        ).all()
    )


def edges_to(session: Session, dst_type: str, dst_id: int | str, type_: str) -> list[Relation]:
    return list(
        session.exec(
            select(Relation).where(
                Relation.dst_type == dst_type,
                Relation.dst_id == str(dst_id),
                Relation.type == type_,
            )
        ).all()
    )


def solution_ids(session: Session, problem_id: int) -> list[int]:
    """The solutions of a problem (``solved_by`` edges)."""
    return [int(r.dst_id) for r in edges_from(session, "entity", problem_id, "solved_by")]


def problem_stage(session: Session, problem_id: int) -> str | None:
    """The stage where a problem surfaces (its ``surfaces_at`` edge), if the map says."""
    return next((r.dst_id for r in edges_from(session, "entity", problem_id, "surfaces_at")), None)


def proof_assets(session: Session, entity_id: int, caller: Caller) -> list[Asset]:
    """Visible, live assets that prove a problem or a solution."""
    out: list[Asset] = []
    for rel in edges_to(session, "entity", entity_id, "proves"):
        asset = session.get(Asset, int(rel.src_id))
        if asset and asset.status != AssetStatus.retired and caller.can_see(asset.teams):
            out.append(asset)
    return out


def citation(asset: Asset, section: str | None = None, page: int | None = None) -> Citation:
    return Citation(
        asset_id=asset.id or 0,
        title=asset.title,
        section=section,
        page=page,
        has_file=bool(asset.stored_file),
    )


def problem_entry(session: Session, problem_id: int, caller: Caller) -> ProblemEntry | None:
    problem = session.get(Entity, problem_id)
    if problem is None or problem.type != EntityType.problem:
        return None
    if not readable_by(caller)(problem.scope):
        return None
    source = session.get(Asset, problem.meta.get("asset_id") or 0)
    if source is not None and not caller.can_see(source.teams):
        return None
    solutions: list[SolutionEntry] = []
    readable = readable_by(caller)
    for solution_id in solution_ids(session, problem_id):
        solution = session.get(Entity, solution_id)
        if solution is None or not readable(solution.scope):
            continue
        products = [
            p.name_en or p.name_zh
            for r in edges_from(session, "entity", solution.id or 0, "delivered_by")
            if (p := session.get(Entity, int(r.dst_id))) is not None and readable(p.scope)
        ]
        proof = [citation(a) for a in proof_assets(session, solution.id or 0, caller)]
        solutions.append(
            SolutionEntry(
                key=solution.key,
                name_en=solution.name_en,
                name_zh=solution.name_zh,
                products=products,
                proof=proof,
            )
        )
    questions = _discovery_questions(source)
    return ProblemEntry(
        entity_id=problem_id,
        key=problem.key,
        name_en=problem.name_en,
        name_zh=problem.name_zh,
        stage=problem_stage(session, problem_id),
        discovery_questions=questions,
        solutions=solutions,
    )


def _discovery_questions(source: Asset | None) -> list[str]:
    if source is None:
        return []
    return list(source.meta.get("discovery_questions", []))


def expansion_assets(
    session: Session, problem_ids: Iterable[int], caller: Caller
) -> dict[int, float]:
    """Assets the graph vouches for, with a weight: 1.0 for proof of the first problem,
    half for proof of one of its solutions, decaying for problems further down the list."""
    out: dict[int, float] = {}
    for rank, problem_id in enumerate(problem_ids):
        decay = 0.7**rank
        solutions = solution_ids(session, problem_id)
        for target, weight in [(problem_id, 1.0)] + [(s, 0.5) for s in solutions]:
            for asset in proof_assets(session, target, caller):
                key = asset.id or 0
                out[key] = max(out.get(key, 0.0), weight * decay)
    return out
