"""The stage-aware answer around the ranked results.

An extractive answer (the 2–4 sentences of the top passages that best answer the question,
each with a numbered citation; ``kms.services.answer_card``), problem → solution entries with
proof, the win/loss picture for the context, the stage's playbook hints and a confidence.

The confidence is the probability, from a model fitted on labelled questions, that the
knowledge base answers the question (``kms.services.answerability``: calibrated similarity,
idf-weighted keyword evidence and coverage, unknown terms and names, retriever agreement,
problem map). Below ``Settings.low_confidence`` the card says no document answers it, offers
"ask an expert", and the question is recorded as a gap.
"""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import Session

from kms.core.graph import entities_in, find_entity
from kms.core.models import EntityType
from kms.core.schemas import (
    AnswerRequest,
    AnswerResponse,
    AnswerSentence,
    Citation,
    Passage,
    StageHints,
    StageInfo,
)
from kms.core.text.language import has_cjk
from kms.core.visibility import Caller, readable_by
from kms.services.answer_card import Source, compose
from kms.services.app import Services
from kms.services.confidence import measure, term_weights
from kms.services.gaps import record_query_gap
from kms.services.graph import problem_entry, problems_for
from kms.services.search import filtered_out, log_query, retrieve, to_hit
from kms.services.winloss import summarise

PASSAGES = 3
PROBLEMS = 3


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
        top = [to_hit(r, result.facts, request.query) for r in result.ranked[:PASSAGES]]
        passages = [
            Passage(
                text=result.facts.chunks[r.chunk_id].text,
                snippet=hit.snippet,
                citation=hit.citation,
            )
            for r, hit in zip(result.ranked[:PASSAGES], top, strict=True)
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
        signals = measure(
            services, result, request.query, bool(problems), services.confidence_model
        )
    score = round(services.confidence_model.score(signals), 3)
    query_id = log_query(services, request, caller, result, score)
    low = score < services.settings.low_confidence
    sentences: list[AnswerSentence] = []
    citations: list[Citation] = []
    if not low:
        terms, idf = term_weights(services, request.query, result.teams)
        sources = [Source(p.text, p.citation) for p in passages]
        sentences, citations = compose(sources, terms, idf, has_cjk(request.query))
    recorded = False
    if request.log and low and not (not result.ranked and filtered_out(services, request, caller)):
        kind = "zero_results" if not result.ranked else "low_confidence"
        recorded = record_query_gap(services, request.query, result.stage, caller, kind) is not None
    return AnswerResponse(
        query_id=query_id,
        query=request.query,
        stage=result.stage,
        confidence=score,
        answered=not low and bool(sentences),
        sentences=sentences,
        citations=citations,
        signals={k: round(v, 4) for k, v in asdict(signals).items()},
        passages=passages,
        problems=problems,
        winloss=winloss,
        hints=stage_hints(services, result.stage),
        results=hits,
        gap_recorded=recorded,
    )
