"""The answer's confidence from a retrieval: its signals (``kms.services.answerability``)
measured on the ranked results, combined by the fitted model."""

from __future__ import annotations

from sqlmodel import Session

from index.analyzer import tokenize
from index.policy import KEYWORD
from kms.core.schemas import SearchRequest
from kms.core.visibility import Caller
from kms.services.answerability import (
    TOP_PASSAGES,
    Model,
    Signals,
    agreement,
    entity_names,
    idf_weights,
    query_language,
    salient_terms,
    weighted_share,
)
from kms.services.app import Services
from kms.services.graph import problems_for
from kms.services.search import Retrieval, retrieve


def top_cosines(result: Retrieval) -> dict[str, float]:
    """Each embedder's best raw cosine for the query (embedders that found nothing: absent)."""
    return {name: items[0][1] for name, items in result.lists.items() if name != KEYWORD and items}


def top_similarity(model: Model, tops: dict[str, float], language: str) -> float:
    """The mean calibrated top cosine over the embedders that searched (0 without any)."""
    values = [
        value
        for name, cosine in tops.items()
        if (value := model.calibrated(name, language, cosine)) is not None
    ]
    return sum(values) / len(values) if values else 0.0


def passage_tokens(result: Retrieval, n: int) -> list[set[str]]:
    """The token sets of the top ``n`` passages (title, section and text)."""
    out = []
    for ranked in result.ranked[:n]:
        chunk = result.facts.chunks.get(ranked.chunk_id)
        asset = result.facts.asset_rows.get(ranked.asset_id)
        if chunk is None or asset is None:
            continue
        out.append(set(tokenize(f"{asset.title} {chunk.section or ''} {chunk.text}")))
    return out


def term_weights(
    services: Services, query: str, teams: tuple[str, ...] | None
) -> tuple[list[str], dict[str, float]]:
    """The query's salient terms and their idf over the chunks ``teams`` may see."""
    terms = salient_terms(query)
    total, freqs = services.index.keyword.doc_freqs(terms, teams)
    return terms, idf_weights(total, freqs)


def measure(
    services: Services, result: Retrieval, query: str, has_problem: bool, model: Model
) -> Signals:
    """The answerability signals of ``query`` over its retrieval."""
    language = query_language(query)
    terms = salient_terms(query)
    names = entity_names(query)
    name_terms = {t for name in names for t in tokenize(name) if t not in ("", " ")}
    total, freqs = services.index.keyword.doc_freqs([*terms, *name_terms], result.teams)
    idf = idf_weights(total, freqs)
    wanted = set(terms)
    passages = passage_tokens(result, TOP_PASSAGES)
    best = passages[0] if passages else set()
    union = set().union(*passages) if passages else set()
    unknown = {t for t in wanted if freqs.get(t, 0) == 0}
    unknown_entity = any(
        (tokens := set(tokenize(name))) and all(freqs.get(t, 0) == 0 for t in tokens)
        for name in names
    )
    return Signals(
        sim=top_similarity(model, top_cosines(result), language),
        keyword=weighted_share(wanted, best, idf),
        coverage=weighted_share(wanted, union, idf),
        unknown=weighted_share(wanted, unknown, idf),
        unknown_entity=1.0 if unknown_entity else 0.0,
        agreement=agreement(result.lists, result.facts.chunk_assets),
        problem=1.0 if has_problem else 0.0,
    )


def confidence_of(
    services: Services, session: Session, result: Retrieval, query: str, caller: Caller
) -> float:
    """The probability that the knowledge base answers ``query``, from its retrieval."""
    problems = problems_for(session, query, [r.asset_id for r in result.ranked[:10]], caller)
    signals = measure(services, result, query, bool(problems), services.confidence_model)
    return round(services.confidence_model.score(signals), 3)


def signals_for(
    services: Services, session: Session, query: str, caller: Caller
) -> tuple[Signals, dict[str, float]]:
    """Retrieve ``query`` as ``caller``: its signals and each embedder's raw top cosine (what
    the benchmark fits the model on)."""
    result = retrieve(services, session, SearchRequest(query=query, log=False), caller)
    problems = problems_for(session, query, [r.asset_id for r in result.ranked[:10]], caller)
    signals = measure(services, result, query, bool(problems), services.confidence_model)
    return signals, top_cosines(result)
