"""Fitting the answer's confidence model (``kms/services/answerability_model.json``).

1. Per (embedder, query language), a one-variable logistic curve from the raw top cosine
   to "answerable" — the calibrated similarity signal.
2. A logistic regression (L2, Newton's method, numpy) over the signals, with the
   similarity signal recomputed through the fitted curves.
3. The bias is shifted so that 0.5 is the threshold on the fit split that keeps answered
   precision at or above ``TARGET_PRECISION`` while declining the most unanswerable
   questions — so the product's default ``low_confidence`` of 0.5 is that operating point.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from kms.services.answerability import Model, Signals, query_language

TARGET_PRECISION = 0.95
L2 = 0.1
MIN_PER_LABEL = 5  # an (embedder, language) with fewer questions of either label: no curve
# The relevance floor on calibrated similarity (``kms.services.answerability.above_floor``):
# a query with no known salient term below FLOOR_QUERY returns nothing (gibberish); a
# dense-only candidate below FLOOR_CHUNK is dropped. Set low on purpose: the floor removes
# noise, the confidence decides what is an answer.
FLOOR_QUERY = 0.15
FLOOR_CHUNK = 0.01

Sample = tuple[Signals, dict[str, float], str, bool]  # signals, raw top cosines, query, label


def logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> np.ndarray:
    """Weights (bias last) of an L2-regularised logistic regression (bias not penalised)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    penalty = np.eye(xb.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + penalty @ w
        hess = xb.T @ (xb * (p * (1 - p))[:, None]) + penalty
        w -= np.linalg.solve(hess, grad)
    return w


def fit_calibration(samples: list[Sample]) -> dict[str, tuple[float, float]]:
    by_key: dict[str, list[tuple[float, bool]]] = {}
    for _, tops, query, label in samples:
        for name, cosine in tops.items():
            by_key.setdefault(f"{name}:{query_language(query)}", []).append((cosine, label))
    out = {}
    for key, pairs in sorted(by_key.items()):
        positives = sum(1 for _, label in pairs if label)
        if min(positives, len(pairs) - positives) < MIN_PER_LABEL:
            continue
        x = np.array([[c] for c, _ in pairs])
        y = np.array([1.0 if label else 0.0 for _, label in pairs])
        a, b = logistic(x, y, l2=0.01)
        out[key] = (round(float(a), 4), round(float(b), 4))
    return out


def operating_point(scores: list[float], labels: list[bool]) -> float:
    """The lowest threshold whose answered precision is at least ``TARGET_PRECISION``."""
    best = max(scores) + 1e-9
    for t in sorted(set(scores), reverse=True):
        answered = [y for s, y in zip(scores, labels, strict=True) if s >= t]
        if answered and sum(answered) / len(answered) >= TARGET_PRECISION:
            best = t
    return best


def fit_model(samples: list[Sample]) -> dict[str, Any]:
    calibration = fit_calibration(samples)
    draft = Model(calibration, {}, 0.0, 0.5)
    rows = []
    for signals, tops, query, _ in samples:
        values = [
            v
            for name, cosine in tops.items()
            if (v := draft.calibrated(name, query_language(query), cosine)) is not None
        ]
        rows.append(replace(signals, sim=sum(values) / len(values) if values else 0.0))
    x = np.array([s.vector() for s in rows])
    y = np.array([1.0 if label else 0.0 for *_, label in samples])
    w = logistic(x, y)
    z = x @ w[:-1] + w[-1]
    t = operating_point([float(v) for v in z], [bool(v) for v in y])
    return {
        "calibration": calibration,
        "weights": {n: round(float(v), 4) for n, v in zip(Signals.names(), w[:-1], strict=True)},
        "bias": round(float(w[-1] - t), 4),
        "threshold": 0.5,
        "floor_query": FLOOR_QUERY,
        "floor_chunk": FLOOR_CHUNK,
        "fitted_on": len(samples),
        "target_precision": TARGET_PRECISION,
        "note": "bench/answerability.py --fit; bias shifted so 0.5 is the operating point",
    }
