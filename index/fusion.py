"""Score fusion: pure functions over named candidate lists.

Every function takes ``lists``: source name → ``[(chunk id, score), ...]`` best
first, and returns ``list[Fused]`` best first, where each ``Fused`` keeps the
weighted contribution and the rank of every source that found it, so the
product can say *why* a result is where it is.

- ``rrf`` — reciprocal-rank fusion (Cormack et al. 2009): Σ w / (k + rank).
- ``minmax_fuse`` — min-max normalise each list to [0, 1], weighted sum.
- ``zscore_fuse`` — standardise each list, weighted sum (a missing candidate
  gets its list's lowest z).
- ``confidence_fuse`` — the default (see ``index.hybrid``): min-max normalise
  each list, then scale it by how decisively its top stands out from its tail.

``confidence_fuse`` in detail. For a list with top score ``s1`` and tail score
``t`` (its last score if the retriever returned a full ``depth`` of candidates;
otherwise the score floor, since everything it did not return scores at most
that), a candidate scoring ``s`` contributes ``w * conf * (s - t) / (s1 - t)`` with

- bounded scores (cosine, ``ceiling=1``): ``conf = (s1 - t) / (ceiling - t)`` —
  the share of the headroom above the tail that the best match reaches;
- unbounded non-negative scores (BM25, ``ceiling=None``): ``conf = (s1 - t) / s1``
  — the share of the best score that lies above the tail.

So a retriever that finds one clear winner speaks loudly for this query, and one
whose candidates all look alike (a keyword query of common words, a dense query
where nothing is really close) speaks softly — a per-query weight, not a per-set
one. Min-max alone always gives each list's top a full 1.0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Candidates = Sequence[tuple[int, float]]


@dataclass
class Fused:
    """One fused result: ``contributions`` and ``ranks`` (1-based) per source that found it."""

    id: int
    score: float
    contributions: dict[str, float] = field(default_factory=dict)
    ranks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceSpec:
    """How one source is fused: its weight, and the ceiling of its scores (None: unbounded)."""

    weight: float = 1.0
    ceiling: float | None = None
    floor: float = 0.0


def _accumulate(
    per_source: Mapping[str, Mapping[int, float]],
    ranks: Mapping[str, Mapping[int, int]],
    missing: Mapping[str, float] | None = None,
) -> list[Fused]:
    fused: dict[int, Fused] = {}
    for source, values in per_source.items():
        for cid, value in values.items():
            item = fused.setdefault(cid, Fused(cid, 0.0))
            item.contributions[source] = value
            item.ranks[source] = ranks[source][cid]
    for item in fused.values():
        total = math.fsum(item.contributions.values())
        if missing:
            total += math.fsum(v for s, v in missing.items() if s not in item.contributions)
        item.score = total
    return sorted(fused.values(), key=lambda f: (-f.score, f.id))


def _ranks(lists: Mapping[str, Candidates]) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    for source, items in lists.items():
        seen: dict[int, int] = {}
        for rank, (cid, _) in enumerate(items, start=1):
            seen.setdefault(cid, rank)
        out[source] = seen
    return out


def _best(items: Candidates) -> dict[int, float]:
    """Each id's best score (a list should not repeat ids; if it does, the first wins)."""
    out: dict[int, float] = {}
    for cid, score in items:
        out.setdefault(cid, score)
    return out


def rrf(
    lists: Mapping[str, Candidates], k: int = 60, weights: Mapping[str, float] | None = None
) -> list[Fused]:
    """Reciprocal-rank fusion: each source adds ``weight / (k + rank)``."""
    ranks = _ranks(lists)
    per_source = {
        s: {cid: (weights or {}).get(s, 1.0) / (k + r) for cid, r in ranks[s].items()}
        for s in lists
    }
    return _accumulate(per_source, ranks)


def minmax_fuse(
    lists: Mapping[str, Candidates], weights: Mapping[str, float] | None = None
) -> list[Fused]:
    """Min-max normalise each list to [0, 1] (a list of equal scores → all 1), weighted sum."""
    per_source: dict[str, dict[int, float]] = {}
    for source, items in lists.items():
        scores = _best(items)
        if not scores:
            continue
        lo, hi = min(scores.values()), max(scores.values())
        w = (weights or {}).get(source, 1.0)
        per_source[source] = {
            cid: w * ((s - lo) / (hi - lo) if hi > lo else 1.0) for cid, s in scores.items()
        }
    return _accumulate(per_source, _ranks(lists))


def zscore_fuse(
    lists: Mapping[str, Candidates], weights: Mapping[str, float] | None = None
) -> list[Fused]:
    """Standardise each list (mean 0, sd 1), weighted sum.

    A candidate missing from a list gets that list's lowest z.
    """
    per_source: dict[str, dict[int, float]] = {}
    missing: dict[str, float] = {}
    for source, items in lists.items():
        scores = _best(items)
        if not scores:
            continue
        values = list(scores.values())
        mean = math.fsum(values) / len(values)
        sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values)) or 1.0
        w = (weights or {}).get(source, 1.0)
        per_source[source] = {cid: w * (s - mean) / sd for cid, s in scores.items()}
        missing[source] = min(per_source[source].values())
    return _accumulate(per_source, _ranks(lists), missing)


def list_confidence(scores: Sequence[float], spec: SourceSpec, full: bool) -> tuple[float, float]:
    """``(conf, tail)`` of one best-first score list (see the module docstring)."""
    if not scores:
        return 0.0, spec.floor
    top = scores[0]
    tail = min(scores) if full else spec.floor
    if top <= tail:
        return 0.0, tail
    if spec.ceiling is not None:
        conf = (top - tail) / (spec.ceiling - tail) if spec.ceiling > tail else 1.0
    else:
        conf = (top - tail) / (top - spec.floor) if top > spec.floor else 0.0
    return min(max(conf, 0.0), 1.0), tail


def confidence_fuse(
    lists: Mapping[str, Candidates], specs: Mapping[str, SourceSpec], depth: int
) -> list[Fused]:
    """Confidence-scaled min-max fusion over the sources named in ``specs``.

    ``depth`` is how many candidates each source was asked for: a list that came
    back shorter is complete, so its tail is the score floor.
    """
    per_source: dict[str, dict[int, float]] = {}
    for source, spec in specs.items():
        scores = _best(lists.get(source, ()))
        if not scores or spec.weight == 0:
            continue
        ordered = sorted(scores.values(), reverse=True)
        conf, tail = list_confidence(ordered, spec, full=len(ordered) >= depth)
        top = ordered[0]
        span = top - tail
        per_source[source] = {
            cid: spec.weight * conf * (max(s - tail, 0.0) / span if span > 0 else 0.0)
            for cid, s in scores.items()
        }
    ranks = _ranks({s: lists[s] for s in per_source})
    return _accumulate(per_source, ranks)
