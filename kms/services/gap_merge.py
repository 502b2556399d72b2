"""One question, one gap: merging question gaps that ask the same thing, in either language.

"Do we have a reseller partner in Brazil?" and "我们在巴西有没有代理商?" are two gaps (their
words differ). For a question gap, the board suggests the open question gaps of the same
team scope whose question is nearest under the cross-lingual sentence model, and a curator
merges one into the other: the counts add up, the merged gap's later askers count on the
gap it joined, and when that gap is answered every asker of either is told
(:mod:`kms.services.answered`).

The curator decides, not a threshold. Measured in ``bench/gap_merge.py`` (26 groups, 61
questions, English and Chinese): a twin is among the five suggestions for 93% of twin
pairs (94% across languages) and first for 70% of questions; but a question about
another country or product can score above a loosely worded twin, so the best threshold
rule reaches F1 0.68 while joining 33 pairs of different questions — and a wrong merge
would hide a gap.
"""

from __future__ import annotations

import numpy as np
from sqlmodel import Session, col, select, update

from kms.core.errors import InputError
from kms.core.models import Gap
from kms.core.models._types import utcnow
from kms.core.schemas import GapPublic, SimilarGap
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.gaps import gap_public, visible_gap

# question gaps whose count grows as questions come (a thumbs-down gap's count is
# recomputed from the votes by detection, so it would drop what a merge added)
KINDS = ("zero_results", "low_confidence", "ask_expert")
MODEL = "use"  # the cross-lingual embedder (MiniLM is blind to Chinese)
FLOOR = 0.45  # below this cosine a suggestion is noise (bench/gap_merge.py)
SHOWN = 5
POOL = 500  # the newest open question gaps compared
LIVE = ("open", "in_progress")
MAX_NOTES = 50


def similar_gaps(services: Services, caller: Caller, gap_id: int) -> list[SimilarGap]:
    """The open question gaps (same teams) most likely to ask what ``gap_id`` asks."""
    embedder = services.embedders.get(MODEL)
    with services.db.session() as session:
        gap = _question_gap(session, caller, gap_id)
        if embedder is None or not gap.query:
            return []
        pool = [
            g
            for g in session.exec(
                select(Gap)
                .where(
                    col(Gap.kind).in_(KINDS),
                    col(Gap.status).in_(LIVE),
                    Gap.id != gap.id,
                    col(Gap.query).is_not(None),
                )
                .order_by(col(Gap.updated_at).desc())
                .limit(POOL)
            )
            if sorted(g.teams) == sorted(gap.teams)
        ]
        if not pool:
            return []
        vectors = embedder.encode([gap.query, *[g.query or "" for g in pool]], is_query=True)
        scores = _cosines(vectors[0], vectors[1:])
        ranked = sorted(zip(scores.tolist(), pool, strict=True), key=lambda p: -p[0])
        return [
            SimilarGap(gap=gap_public(session, g, caller), similarity=round(score, 3))
            for score, g in ranked[:SHOWN]
            if score >= FLOOR
        ]


def merge_gap(services: Services, caller: Caller, gap_id: int, into_id: int) -> GapPublic:
    """Merge question gap ``gap_id`` into ``into_id``; returns the gap that stays."""
    if gap_id == into_id:
        raise InputError("a gap cannot be merged into itself", {"field": "into"})
    with services.db.write_session() as session:
        # both found (or 404) before anything else, locked in id order (two merges of one
        # pair never deadlock)
        locked = {i: visible_gap(session, caller, i, lock=True) for i in sorted((gap_id, into_id))}
        gap, target = _question(locked[gap_id]), _question(locked[into_id])
        problem = _merge_error(gap, target)
        if problem:
            raise InputError(problem, {"field": "into", "gap_id": gap_id, "into": into_id})
        now = utcnow()
        table = Gap.__table__  # type: ignore[attr-defined]
        session.execute(  # in SQL, so a count raised meanwhile is never lost
            update(table)
            .where(table.c.id == into_id)
            .values(occurrences=table.c.occurrences + gap.occurrences, updated_at=now)
        )
        target.notes = [*target.notes, *gap.notes][-MAX_NOTES:]
        gap.status, gap.merged_into, gap.updated_at = "merged", into_id, now
        session.execute(  # what was merged into the merged gap joins the one that stays
            update(table).where(table.c.merged_into == gap_id).values(merged_into=into_id)
        )
        session.add_all([gap, target])
        audit(session, caller.actor, "gap.merge", f"gap:{gap_id}", into=into_id)
        session.commit()
        session.refresh(target)
        return gap_public(session, target, caller)


def _merge_error(gap: Gap, target: Gap) -> str | None:
    if gap.status == "merged":
        return f"gap {gap.id} is already merged into gap {gap.merged_into}"
    if target.status == "merged":
        return f"gap {target.id} was merged into gap {target.merged_into}: merge into that one"
    if target.status == "closed":
        return f"gap {target.id} is closed: reopen it first"
    if sorted(gap.teams) != sorted(target.teams):
        return "only gaps raised by the same teams can be merged (their askers see the answer)"
    return None


def _question_gap(session: Session, caller: Caller, gap_id: int) -> Gap:
    return _question(visible_gap(session, caller, gap_id))


def _question(gap: Gap) -> Gap:
    gap_id = gap.id
    if gap.kind not in KINDS:
        raise InputError(
            f"gap {gap_id} is a {gap.kind} gap; only question gaps can be merged",
            {"gap_id": gap_id, "kinds": list(KINDS)},
        )
    return gap


def _cosines(query: np.ndarray, others: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(others, axis=1) * max(float(np.linalg.norm(query)), 1e-12)
    return (others @ query) / np.maximum(norms, 1e-12)
