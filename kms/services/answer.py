"""The stage-aware answer around the ranked results.

Best passages with citations, problem → solution entries with proof, the win/loss picture
for the context, the stage's playbook hints and a confidence. A low-confidence answer is
recorded as a gap candidate.

Confidence (0..1) is the mean of three plain signals: *coverage* — the share of the
query's terms found in the best passage (or its title); *agreement* — whether keyword
and vector retrieval both support the top result; *graph* — whether the problem map
knows the question. It is a calibrated-by-eye indicator, reported with its parts.
"""

from __future__ import annotations

from sqlmodel import Session

from index.analyzer import tokenize
from kms.core.graph import entities_in, find_entity
from kms.core.models import EntityType
from kms.core.schemas import AnswerRequest, AnswerResponse, Passage, StageHints, StageInfo
from kms.core.visibility import Caller, readable_by
from kms.services.app import Services
from kms.services.gaps import record_query_gap
from kms.services.graph import problem_entry, problems_for
from kms.services.search import Retrieval, filtered_out, log_query, retrieve, to_hit
from kms.services.winloss import summarise

PASSAGES = 3
PROBLEMS = 3


def confidence(result: Retrieval, has_problem: bool) -> float:
    if not result.ranked:
        return 0.0
    best = result.ranked[0]
    chunk = result.facts.chunks[best.chunk_id]
    asset = result.facts.asset_rows[best.asset_id]
    tokens = set(tokenize(f"{asset.title} {chunk.section or ''} {chunk.text}"))
    coverage = len(result.query_tokens & tokens) / max(1, len(result.query_tokens))
    signals = {name for name, value in best.why if value > 0}
    keyword = "bm25" in signals
    vector = bool(signals - {"bm25", "graph", "stage", "approved", "won_deals", "feedback"})
    agreement = 1.0 if keyword and vector else 0.5 if keyword or vector else 0.0
    return round((coverage + agreement + (1.0 if has_problem else 0.0)) / 3, 3)


def stage_hints(services: Services, stage: StageInfo | None) -> StageHints | None:
    if stage is None:
        return None
    spec = services.process.get(stage.key)
    if spec is None:
        return None
    return StageHints(
        key=spec.key,
        name_en=spec.names.en,
        name_zh=spec.names.zh,
        description=spec.description,
        typical_questions=list(spec.typical_questions),
        exit_criteria=list(spec.exit_criteria),
        asset_kinds=list(spec.asset_kinds),
    )


def _context_key(
    session: Session, caller: Caller, value: str | None, type_: EntityType, query: str
) -> str | None:
    """A context entity's key (among those the caller may see): given explicitly, else
    named in the query."""
    from kms.core.models import Entity

    if value:
        entity = find_entity(session, type_, value, readable_by(caller))
        return entity.key if entity else value
    found = entities_in(session, query, readable_by(caller), [type_])
    if found:
        entity = session.get(Entity, found[0])
        return entity.key if entity else None
    return None


def answer(services: Services, request: AnswerRequest, caller: Caller) -> AnswerResponse:

    with services.db.session() as session:
        competitor = _context_key(
            session, caller, request.competitor, EntityType.competitor, request.query
        )
        industry = _context_key(
            session, caller, request.industry, EntityType.industry, request.query
        )
        result = retrieve(services, session, request, caller, competitor, industry)
        hits = [to_hit(r, result.facts, request.query) for r in result.ranked[: request.limit]]
        passages = [
            Passage(
                text=result.facts.chunks[r.chunk_id].text,
                snippet=hit.snippet,
                citation=hit.citation,
            )
            for r, hit in zip(result.ranked[:PASSAGES], hits, strict=False)
        ]
        problem_ids = problems_for(
            session, request.query, [r.asset_id for r in result.ranked[:10]], caller
        )
        problems = [
            p for pid in problem_ids[:PROBLEMS] if (p := problem_entry(session, pid, caller))
        ]
        winloss = summarise(
            session,
            caller,
            competitor=competitor,
            industry=industry,
            stage=result.stage.key if result.stage and result.stage.given else None,
        )
    score = confidence(result, bool(problems))
    query_id = log_query(services, request, caller, result, score)
    low = score < services.settings.low_confidence
    recorded = False
    if request.log and low and not (not result.ranked and filtered_out(services, request, caller)):
        kind = "zero_results" if not result.ranked else "low_confidence"
        recorded = record_query_gap(services, request.query, result.stage, caller, kind) is not None
    return AnswerResponse(
        query_id=query_id,
        query=request.query,
        stage=result.stage,
        confidence=score,
        passages=passages,
        problems=problems,
        winloss=winloss,
        hints=stage_hints(services, result.stage),
        results=hits,
        gap_recorded=recorded,
    )
