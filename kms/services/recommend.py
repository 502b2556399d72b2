"""The CRM sidebar: the few assets that matter for an opportunity at its current stage.

The opportunity (CRM stage name, industry, competitors, products, notes) becomes a query
with the stage given; retrieval ranks as for search (team visibility included), assets
tagged for the stage go first, and each pick gets a one-line reason built from the
signals that placed it (its ``why``). Around the picks: the win/loss picture per
competitor in the industry, and the exit criteria of this stage and the next.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Integer, cast
from sqlmodel import Session, col, select

from index.ranking import Ranked
from kms.core.errors import InputError
from kms.core.graph import find_entity, slug
from kms.core.models import Entity, EntityType, Relation
from kms.core.schemas import (
    Opportunity,
    ReasonPart,
    Recommendation,
    RecommendResponse,
    SearchRequest,
    StageHints,
)
from kms.core.stages import StageSpec
from kms.core.visibility import Caller, readable_by
from kms.services.answer import stage_hints
from kms.services.app import Services
from kms.services.search import (
    Retrieval,
    load_shown,
    log_query,
    resolve_stage,
    retrieve,
    to_hit,
)
from kms.services.widget_tokens import bound_opportunity
from kms.services.winloss import summarise

RETRIEVAL_SIGNALS = {"bm25", "minilm", "use"}
BATTLECARD = "battlecard"


@dataclass(frozen=True)
class ReasonContext:
    stage: StageSpec
    kind: str
    competitor: str | None = None  # display names, as the rep knows them
    industry: str | None = None


def reason_parts(why: list[tuple[str, float]], ctx: ReasonContext) -> list[ReasonPart]:
    """Why an asset matters, from its strongest signals, strongest first, at most three.

    Parts are codes with values (kind, stage key, competitor, industry), so each client
    words them in its own language; ``reason_line`` words them in English.
    """
    signals = {name for name, value in why if value > 0}
    useful = ctx.kind in ctx.stage.asset_kinds
    parts: list[ReasonPart] = []
    if "stage" in signals:
        code = "kind_for_stage" if useful else "tagged_for_stage"
        parts.append(ReasonPart(code=code, kind=ctx.kind, stage=ctx.stage.key))
    elif useful:
        parts.append(ReasonPart(code="kind_useful_at", kind=ctx.kind, stage=ctx.stage.key))
    for name, value in sorted(why, key=lambda w: -w[1]):
        part = _part(name, value, ctx)
        if part and part not in parts:
            parts.append(part)
    return parts[:3] or [ReasonPart(code="relevant")]


def _part(name: str, value: float, ctx: ReasonContext) -> ReasonPart | None:
    if name == "stale":
        return ReasonPart(code="stale")
    if value <= 0:
        return None
    if name == "won_deals":
        return ReasonPart(code="won_deals", competitor=ctx.competitor, industry=ctx.industry)
    code = {"pinned": "pinned", "graph": "graph", "feedback": "feedback"}.get(name)
    if code is None and name in RETRIEVAL_SIGNALS:
        code = "matches"
    return ReasonPart(code=code) if code else None


def reason_line(why: list[tuple[str, float]], ctx: ReasonContext) -> str:
    """The reason in English, e.g. 'Battlecard for Negotiation (商务谈判) · matches the
    opportunity · pinned by a curator'."""
    text = " · ".join(_english(part, ctx) for part in reason_parts(why, ctx))
    return text[0].upper() + text[1:]


def _english(part: ReasonPart, ctx: ReasonContext) -> str:
    kind = (part.kind or "").replace("_", " ").capitalize()
    stage = f"{ctx.stage.names.en} ({ctx.stage.names.zh})"
    if part.code == "won_deals":
        against = f" against {part.competitor}" if part.competitor else ""
        where = f" in {part.industry}" if part.industry else ""
        return f"on what won deals{against}{where} involved"
    return {
        "kind_for_stage": f"{kind} for {stage}",
        "tagged_for_stage": f"tagged for {stage}",
        "kind_useful_at": f"{kind}, useful at {ctx.stage.names.en}",
        "pinned": "pinned by a curator",
        "graph": "proof for a problem in this deal",
        "feedback": "reps found it helpful",
        "matches": "matches the opportunity",
        "stale": "review overdue",
        "relevant": "relevant to this opportunity",
    }[part.code]


def opportunity_text(opp: Opportunity, stage: StageSpec, limit: int) -> str:
    parts = [opp.notes.strip(), " ".join(opp.products), " ".join(opp.competitors)]
    parts.append(opp.industry or "")
    text = " ".join(p for p in parts if p).strip()
    if len(text) < 3:
        text = f"{stage.names.en} {stage.names.zh} {stage.typical_questions[0]}"
    return text[:limit]


def recommend(services: Services, caller: Caller, opp: Opportunity) -> RecommendResponse:
    opp = bound_opportunity(caller, opp)  # a widget token answers for its signed context
    process = services.process
    key = process.resolve(opp.stage)
    spec = process.get(key) if key else None
    if spec is None:
        raise InputError(
            f"unknown stage '{opp.stage}'", {"field": "stage", "known": process.known_names()}
        )
    query = opportunity_text(opp, spec, services.settings.query_max_chars)
    request = SearchRequest(query=query, stage=spec.key, limit=opp.limit)
    with services.db.session() as session:
        by_key: dict[str, tuple[str, str]] = {}  # two spellings of one competitor count once
        for name in opp.competitors:
            if found := _entity(session, caller, "competitor", name):
                by_key.setdefault(found[0], found)
        competitors = list(by_key.values())
        industry = _entity(session, caller, "industry", opp.industry)
        first = competitors[0] if competitors else None
        ind_key = industry[0] if industry else None
        result = retrieve(services, session, request, caller, first and first[0], ind_key)
        context = ReasonContext(spec, "", first and first[1], industry and industry[1])
        deal = {key for key, _ in competitors}
        picks = _picks(result, spec.key, opp.limit, _off_deal_battlecards(session, result, deal))
        load_shown(session, result.facts, picks)
        recommendations = [_recommendation(result, r, query, context) for r in picks]
        winloss = [
            summarise(session, caller, competitor=c, industry=ind_key) for c, _ in competitors
        ]
        winloss = winloss or [summarise(session, caller, industry=ind_key)]
    query_id = log_query(services, request, caller, result, 1.0 if result.ranked else 0.0)
    following = process.next_stage(spec.key)
    hints = _hints(services, spec.key)
    assert hints is not None
    return RecommendResponse(
        query_id=query_id,
        stage=hints,
        next_stage=_hints(services, following.key) if following else None,
        exit_criteria=[*spec.exit_criteria, *(following.exit_criteria if following else [])],
        recommendations=recommendations,
        winloss=winloss,
    )


def _hints(services: Services, key: str) -> StageHints | None:
    return stage_hints(services, resolve_stage(services, "", key))


def _entity(
    session: Session, caller: Caller, type_: str, value: str | None
) -> tuple[str, str] | None:
    """(key, display name) of a context entity named as the CRM names it (among the
    entities the caller may see)."""

    if not value or not value.strip():
        return None
    entity = find_entity(session, EntityType(type_), value, readable_by(caller))
    if entity is None:
        return slug(value), value.strip()
    return entity.key, entity.name_en or entity.name_zh or value.strip()


def _picks(result: Retrieval, stage_key: str, limit: int, skip: set[int]) -> list[Ranked]:
    """Assets tagged for the stage first (in rank order), then the rest; none in ``skip``."""
    ranked = [r for r in result.ranked if r.asset_id not in skip]
    at_stage = [r for r in ranked if stage_key in result.facts.stages.get(r.chunk_id, {})]
    others = [r for r in ranked if r not in at_stage]
    return (at_stage + others)[:limit]


def _off_deal_battlecards(session: Session, result: Retrieval, deal: set[str]) -> set[int]:
    """Battlecards about a competitor that is not in the deal (all of them when the deal
    names none): a rep facing Northwind gains nothing from the DataForge card.

    A battlecard is about the competitors it mentions most (at least half as often as its
    most-mentioned one); a card that mentions no competitor is kept.
    """
    cards = {
        str(r.asset_id) for r in result.ranked if result.facts.assets[r.asset_id].kind == BATTLECARD
    }
    if not cards:
        return set()
    rows = session.exec(
        select(Relation.src_id, Entity.key, Relation.weight)
        .join(Entity, col(Entity.id) == cast(col(Relation.dst_id), Integer))
        .where(
            Relation.src_type == "asset",
            col(Relation.src_id).in_(cards),
            Relation.type == "mentions",
            Relation.dst_type == "entity",
            Entity.type == EntityType.competitor,
        )
    ).all()
    weights: dict[int, dict[str, float]] = {}
    for src_id, key, weight in rows:
        weights.setdefault(int(src_id), {})[key] = weight
    off: set[int] = set()
    for card, mentioned in weights.items():
        top = max(mentioned.values())
        if not {k for k, w in mentioned.items() if w >= top / 2} & deal:
            off.add(card)
    return off


def _recommendation(
    result: Retrieval, ranked: Ranked, query: str, context: ReasonContext
) -> Recommendation:
    hit = to_hit(ranked, result.facts, query)
    return Recommendation(
        asset_id=hit.asset_id,
        title=hit.title,
        kind=hit.kind,
        reason=reason_line(ranked.why, replace(context, kind=hit.kind)),
        reason_parts=reason_parts(ranked.why, replace(context, kind=hit.kind)),
        snippet=hit.snippet,
        score=hit.score,
        citation=hit.citation,
    )
