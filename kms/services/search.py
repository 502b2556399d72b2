"""Search: filtered hybrid candidates → graph expansion → priors → one per asset →
a first page without repeated clauses → snippets with "also in N other documents".

Visibility and the request's filters are applied inside both indexes (the caller's teams
and the filtered chunks are passed in, :mod:`kms.services.filters`), so no invisible or
filtered-out chunk is ever a candidate, a count or a snippet; graph expansion and pins
check visibility and filters again before they add anything. Drafts are hidden from reps
the same way, unless they ask for them (``kms.core.visibility.drafts_wanted``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from index.analyzer import tokenize
from index.fusion import Fused
from index.hybrid import Only
from index.policy import fuse
from index.ranking import Candidate, Ranked, StageContext, Weights, rank
from index.snippets import snippet
from kms.core.errors import InputError
from kms.core.graph import slug
from kms.core.models import Asset, Chunk, QueryLog
from kms.core.models._types import utcnow
from kms.core.schemas import SearchHit, SearchRequest, StageInfo, Why
from kms.core.stages import SalesProcess
from kms.core.text.language import detect_language
from kms.core.visibility import Caller, drafts_wanted, index_teams, shown_statuses
from kms.services.answerability import (
    above_floor,
    query_language,
    salient_terms,
    salient_text,
)
from kms.services.app import Services, side_write
from kms.services.filters import filter_scope, has_filters
from kms.services.graph import citation, expansion_assets, problems_for
from kms.services.passage_groups import ALSO_IN_SHOWN, FIRST_PAGE, diversify, group_keys
from kms.services.signals import (
    ChunkFacts,
    is_stale,
    load_assets,
    load_chunks,
    load_facts,
    pinned_assets,
    won_share,
)

CANDIDATES = 100  # chunks per retriever to start with
MAX_DEPTH = 1600  # chunks per retriever at most
DEEPER = 4  # depth grows by this factor while the candidates hold too few documents
# Documents the candidates should hold: two of the largest pages. The same for every page
# of a query, so paging with an offset walks one fixed order.
WANTED_DOCUMENTS = 100
SHOWN_MIN = 3  # the answer reads the top three passages whatever the page size
GRAPH_SHARE = 0.6  # a graph-added asset enters at this share of the best fused score


@dataclass
class Retrieval:
    ranked: list[Ranked]
    facts: ChunkFacts
    stage: StageInfo | None
    query_tokens: set[str]
    lists: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    language: str = "en"
    # the visibility tokens retrieval matched: the caller's teams, and drafts when they
    # were wanted (None: no limit)
    teams: tuple[str, ...] | None = None
    drafts: bool = False  # were drafts wanted (a rep asked, or a curator searched)


def resolve_stage(services: Services, query: str, stage: str | None) -> StageInfo | None:
    """A given stage always wins (any CRM alias); otherwise infer one from the query."""
    process = services.process
    if stage:
        key = process.resolve(stage)
        if key is None:
            raise InputError(
                f"unknown stage '{stage}'",
                {"field": "stage", "known": process.known_names()},
            )
        return _stage_info(process, key, given=True, confidence=1.0)
    key, confidence = services.classifier.infer(query)
    return _stage_info(process, key, given=False, confidence=confidence) if key else None


def _stage_info(process: SalesProcess, key: str, given: bool, confidence: float) -> StageInfo:
    spec = process.get(key)
    assert spec is not None
    return StageInfo(
        key=key, name_en=spec.names.en, name_zh=spec.names.zh, given=given, confidence=confidence
    )


def neighbours(process: SalesProcess, key: str) -> tuple[str, ...]:
    keys = [s.key for s in sorted(process.stages, key=lambda s: s.order)]
    i = keys.index(key)
    return tuple(keys[j] for j in (i - 1, i + 1) if 0 <= j < len(keys))


def retrieve(
    services: Services,
    session: Session,
    request: SearchRequest,
    caller: Caller,
    competitor: str | None = None,
    industry: str | None = None,
    weights: Weights | None = None,
) -> Retrieval:
    if len(request.query) > services.settings.query_max_chars:
        raise InputError(
            f"query is longer than {services.settings.query_max_chars} characters",
            {"field": "query"},
        )
    if request.limit > services.settings.page_size_max:
        raise InputError(
            f"limit must be at most {services.settings.page_size_max}", {"field": "limit"}
        )
    stage = resolve_stage(services, request.query, request.stage)
    scope = filter_scope(session, request.filters, caller)
    drafts = drafts_wanted(caller, request.filters.status)
    teams = index_teams(caller, drafts)
    fused, facts, lists, language = _candidates(services, session, request, teams, scope)
    scores = {f.id: f for f in fused}
    top = max((f.score for f in fused), default=0.0)
    problem_ids = problems_for(session, request.query, _top_assets(fused, facts, 10), caller)
    graph = expansion_assets(session, problem_ids, caller)
    retrieved = set(facts.chunk_assets.values())
    pinned = {
        a for a in pinned_assets(session, request.query) if _visible(session, a, caller, drafts)
    }
    extra_chunks = _first_chunks(session, [a for a in [*graph, *pinned] if a not in retrieved])
    facts.update(load_facts(session, extra_chunks.values()))
    allowed = _allowed_assets(facts, scope, drafts)
    wins = won_share(session, facts.assets, _key(competitor), _key(industry), caller)
    today = utcnow().date()
    candidates: list[Candidate] = []
    for chunk_id, asset_id in facts.chunk_assets.items():
        asset = facts.assets[asset_id]
        if asset.id not in allowed or not caller.can_see(asset.teams):
            continue
        signals: dict[str, float] = {}
        if chunk_id in scores:
            signals = dict(scores[chunk_id].contributions)
            retrieval = scores[chunk_id].score
        else:
            retrieval = 0.0
        if asset.id in graph:
            bonus = GRAPH_SHARE * top * graph[asset.id or 0]
            signals["graph"] = bonus
            retrieval += bonus
        candidates.append(
            Candidate(
                chunk_id=chunk_id,
                asset_id=asset.id or 0,
                retrieval=retrieval,
                signals=signals,
                stages=facts.stages.get(chunk_id, {}),
                status=asset.status.value,
                pinned=asset.id in pinned,
                stale=is_stale(asset, today),
                won_share=wins.get(asset.id or 0, 0.0),
                feedback=facts.feedback.get(asset.id or 0, 0.0),
            )
        )
    ctx = StageContext()
    if stage is not None:
        ctx = StageContext(stage.key, stage.confidence, neighbours(services.process, stage.key))
    ranked = rank(candidates, ctx, weights)
    ranked = diversify(ranked, group_keys(session, [r.chunk_id for r in ranked[: 3 * FIRST_PAGE]]))
    load_shown(session, facts, ranked[: max(request.offset + request.limit, SHOWN_MIN)])
    tokens = set(tokenize(request.query))
    return Retrieval(ranked, facts, stage, tokens, lists, language, teams, drafts)


def _candidates(
    services: Services,
    session: Session,
    request: SearchRequest,
    teams: tuple[str, ...] | None,
    scope: Only | None,
) -> tuple[list[Fused], ChunkFacts, dict[str, list[tuple[int, float]]], str]:
    """Fused chunk candidates and their facts, deep enough to hold ``WANTED_DOCUMENTS``:
    each retriever starts at ``CANDIDATES`` chunks and goes ``DEEPER`` times deeper while
    its lists come back full and the chunks belong to too few documents (a long document
    fills a list with its own chunks). A filtered search starts deep enough to rank every
    chunk of its scope (up to ``MAX_DEPTH``), so its ``total`` counts every document in it.
    Candidates below the relevance floor never enter (gibberish finds nothing). Also
    returns the per-retriever lists (the answer's confidence reads them) and the query's
    language."""
    wanted, depth = WANTED_DOCUMENTS, CANDIDATES
    if scope is not None:  # a filtered search reaches every chunk of a scope this small
        depth = max(depth, min(len(scope.chunk_ids), MAX_DEPTH))
    language = detect_language(request.query)
    known_terms = _known_terms(services, request.query, teams)
    while True:
        raw = services.index.candidates(request.query, teams, language, depth, only=scope)
        full = max((len(found) for found in raw.values()), default=0) >= depth
        lists = above_floor(
            services.confidence_model, raw, query_language(request.query), known_terms
        )
        fused = fuse(lists, language, depth)
        facts = load_facts(session, [f.id for f in fused])
        documents = len(set(facts.chunk_assets.values()))
        if documents >= wanted or not full or depth >= MAX_DEPTH:
            return fused, facts, lists, language
        depth *= DEEPER


def _known_terms(services: Services, query: str, teams: tuple[str, ...] | None) -> int:
    """How many of the query's salient terms the chunks ``teams`` may see hold."""
    known = services.index.keyword.doc_freqs(salient_terms(query), teams)[1]
    return sum(1 for n in known.values() if n > 0)


def load_shown(session: Session, facts: ChunkFacts, shown: list[Ranked]) -> None:
    """Load the whole rows of the chunks and assets a response shows (text, citation)."""
    facts.chunks.update(
        load_chunks(session, [r.chunk_id for r in shown if r.chunk_id not in facts.chunks])
    )
    facts.asset_rows.update(
        load_assets(session, {r.asset_id for r in shown if r.asset_id not in facts.asset_rows})
    )


def _key(value: str | None) -> str | None:
    return slug(value) if value else None


def _top_assets(fused: list[Fused], facts: ChunkFacts, n: int) -> list[int]:
    out: list[int] = []
    for f in fused:
        asset_id = facts.chunk_assets.get(f.id)
        if asset_id is not None and asset_id not in out:
            out.append(asset_id)
        if len(out) >= n:
            break
    return out


def _visible(session: Session, asset_id: int, caller: Caller, drafts: bool) -> bool:
    asset = session.get(Asset, asset_id)
    return bool(asset and asset.status in shown_statuses(drafts) and caller.can_see(asset.teams))


def _first_chunks(session: Session, asset_ids: list[int]) -> dict[int, int]:
    """The first chunk of each asset."""
    out: dict[int, int] = {}
    if not asset_ids:
        return out
    rows = session.exec(
        select(Chunk.asset_id, Chunk.id)
        .where(col(Chunk.asset_id).in_(asset_ids))
        .order_by(col(Chunk.ordinal).desc())
    ).all()
    for asset_id, chunk_id in rows:
        out[asset_id] = chunk_id or 0
    return out


def _allowed_assets(facts: ChunkFacts, scope: Only | None, drafts: bool) -> set[int]:
    """Candidate assets that may be shown (approved; drafts too when wanted) and, when the
    request filters, in its scope (graph and pinned additions are checked here; engine
    candidates are in scope already)."""
    shown = shown_statuses(drafts)
    live = {a.id for a in facts.assets.values() if a.status in shown}
    return live if scope is None else live & scope.asset_ids


def to_hit(
    ranked: Ranked, facts: ChunkFacts, query: str, others: list[int] | None = None
) -> SearchHit:
    """One result; ``others``: the other documents that hold a near-duplicate passage."""
    chunk = facts.chunks[ranked.chunk_id]
    others = others or []
    asset = facts.asset_rows[ranked.asset_id]
    return SearchHit(
        asset_id=asset.id or 0,
        chunk_id=ranked.chunk_id,
        title=asset.title,
        kind=asset.kind,
        language=asset.language,
        status=asset.status.value,
        snippet=snippet(chunk.text, salient_text(query)),
        section=chunk.section,
        page=chunk.page,
        stages=sorted(facts.stages.get(ranked.chunk_id, {})),
        score=round(ranked.score, 4),
        why=[Why(signal=name, value=round(value, 4)) for name, value in ranked.why],
        citation=citation(asset, chunk.section, chunk.page),
        owner=asset.owner,
        review_by=asset.review_by,
        approved_by=asset.approved_by,
        approved_at=asset.approved_at,
        stale=is_stale(asset, utcnow().date()),
        also_in=len(others),
        also_in_assets=others[:ALSO_IN_SHOWN],
    )


def filtered_out(services: Services, request: SearchRequest, caller: Caller) -> bool:
    """Did the request's filters, not a lack of knowledge, empty its results? (Then it is
    no knowledge gap: the caller's unfiltered search finds something.)"""
    if not has_filters(request.filters):
        return False
    language = detect_language(request.query)
    teams = index_teams(caller, drafts_wanted(caller, request.filters.status))
    raw = services.index.candidates(request.query, teams, language, CANDIDATES)
    known_terms = _known_terms(services, request.query, teams)
    lists = above_floor(services.confidence_model, raw, query_language(request.query), known_terms)
    return any(lists.values())


def log_query(
    services: Services, request: SearchRequest, caller: Caller, result: Retrieval, confidence: float
) -> int | None:
    """Record the query (its own short transaction); None when it could not be recorded."""
    if not request.log:
        return None

    def write(session: Session) -> int | None:
        row = QueryLog(
            query=request.query,
            stage=result.stage.key if result.stage and result.stage.given else None,
            inferred_stage=result.stage.key if result.stage and not result.stage.given else None,
            teams=list(caller.teams or []),
            key_id=caller.key_id,
            user_id=caller.user_id,
            results=len(result.ranked),
            top_asset_ids=[r.asset_id for r in result.ranked[:10]],
            confidence=confidence,
        )
        session.add(row)
        session.commit()
        return row.id

    return side_write(services, "query log", write)
