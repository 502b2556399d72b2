"""The default retrieval policy: which sources a query uses, at what weight, how deep.

One configuration for every corpus; the only thing that varies is the query's
language, detected from its text. Measured on ../shared/eval (nDCG@10, full table
and the alternatives tried in ``bench/results/quality.json``):

- MiniLM is the strongest English retriever (scifact .645, stackfaq .949) and
  blind to Chinese (.07 / .22), so it carries an English query (3), helps a mixed
  one (1) and sits out a Chinese one.
- USE is the only cross-lingual model (weak in English: .39 / .69; best dense
  model in Chinese: .30 / .79), so it carries a Chinese or mixed query (2) and
  stays in an English one at 0.5 so an English query still reaches Chinese chunks.
- BM25 is always in, at 1.
- ``confidence_fuse`` (see ``index.fusion``): min-max per list, scaled by how
  decisively the list's top stands out from its tail, so a retriever's say varies
  per query. Equal-weight min-max / RRF / z-score fusion lose 0.035–0.054 on stackfaq
  (where MiniLM dominates); plain min-max with these weights loses 0.05 on cmrc
  (where BM25 dominates). Scaling every dense weight by 0.8 or 1.25 moves no set
  by more than 0.013, so the choice sits on a plateau, not a spike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from index.fusion import Fused, SourceSpec, confidence_fuse
from kms.core.text.language import Language

KEYWORD = "bm25"
CANDIDATES = 100  # per source; 50 / 100 / 200 moved no set's nDCG@10 by more than 0.003

LANGUAGE_WEIGHTS: dict[Language, dict[str, float]] = {
    "en": {KEYWORD: 1.0, "minilm": 3.0, "use": 0.5},
    "zh": {KEYWORD: 1.0, "use": 2.0},
    "mixed": {KEYWORD: 1.0, "minilm": 1.0, "use": 2.0},
}


def sources_for(language: Language) -> set[str]:
    """The sources a query in ``language`` draws candidates from."""
    return {name for name, weight in LANGUAGE_WEIGHTS[language].items() if weight > 0}


def source_specs(
    language: Language,
    available: Iterable[str],
    weights: Mapping[Language, Mapping[str, float]] = LANGUAGE_WEIGHTS,
) -> dict[str, SourceSpec]:
    """The fusion settings for a query in ``language`` over the ``available`` sources
    (``weights``: per language and source; the benchmark passes alternatives).

    BM25 scores are unbounded (``ceiling=None``); cosine similarities top out at 1.
    """
    have = set(available)
    return {
        name: SourceSpec(weight, ceiling=None if name == KEYWORD else 1.0)
        for name, weight in weights[language].items()
        if name in have and weight > 0
    }


def fuse(
    lists: Mapping[str, Sequence[tuple[int, float]]], language: Language, depth: int
) -> list[Fused]:
    """The default fusion of per-source candidate lists (each asked for ``depth``)."""
    return confidence_fuse(lists, source_specs(language, lists), depth)
