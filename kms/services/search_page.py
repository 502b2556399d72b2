"""``/v1/search`` and ``kms search``: one page of ranked results, and the question's
confidence — the same answerability probability the answer card shows
(:mod:`kms.services.confidence`) — with whether a document answers it (the confidence
reached ``Settings.low_confidence``, so clients need not know the threshold). A logged
question is recorded with it, so analytics' low-confidence rate counts the CRM widget's
questions too, and one that nothing answers (no result, or none confident) reaches the
gaps board unless only the request's filters hid the matches.
"""

from __future__ import annotations

from sqlmodel import Session

from kms.core.schemas import SearchRequest, SearchResponse
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.confidence import confidence_of
from kms.services.gaps import record_query_gap
from kms.services.passage_groups import also_in, group_keys
from kms.services.search import Retrieval, filtered_out, log_query, retrieve, to_hit


def search(services: Services, request: SearchRequest, caller: Caller) -> SearchResponse:
    with services.db.session() as session:
        result = retrieve(services, session, request, caller)
        page = result.ranked[request.offset : request.offset + request.limit]
        groups = group_keys(session, [r.chunk_id for r in page])
        others = also_in(session, page, groups, caller, result.drafts)
        hits = [to_hit(r, result.facts, request.query, others.get(r.chunk_id)) for r in page]
        confidence = _confidence(services, session, request, caller, result)
    query_id = log_query(services, request, caller, result, confidence or 0.0)
    if request.log and _nothing_answers(services, request, caller, result, confidence):
        kind = "low_confidence" if result.ranked else "zero_results"
        record_query_gap(services, request.query, result.stage, caller, kind)
    return SearchResponse(
        query_id=query_id,
        query=request.query,
        stage=result.stage,
        total=len(result.ranked),
        offset=request.offset,
        limit=request.limit,
        confidence=confidence,
        answered=_answered(services, confidence),
        results=hits,
    )


def _confidence(
    services: Services, session: Session, request: SearchRequest, caller: Caller, result: Retrieval
) -> float | None:
    """The question's confidence: for a first page or a logged one (not for the later pages
    a page fetches unlogged as the rep scrolls)."""
    if request.offset and not request.log:
        return None
    if not result.ranked:
        return 0.0
    return confidence_of(services, session, result, request.query, caller)


def _answered(services: Services, confidence: float | None) -> bool | None:
    """Confidence reached the low-confidence setting; None without a confidence."""
    if confidence is None:
        return None
    return confidence >= services.settings.low_confidence


def _nothing_answers(
    services: Services,
    request: SearchRequest,
    caller: Caller,
    result: Retrieval,
    confidence: float | None,
) -> bool:
    """No result (unless only the request's filters hid the matches), or none confident."""
    if not result.ranked:
        return not filtered_out(services, request, caller)
    return _answered(services, confidence) is False
