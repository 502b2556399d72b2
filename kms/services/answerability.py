"""Does the knowledge base answer this question? Signals that mean something, and a fitted
combination of them.

Signals, each in [0, 1] (``Signals``):

- ``sim`` — the best passage's absolute similarity per embedder, calibrated: each
  (embedder, query language) maps its raw top cosine through its own logistic curve fitted on
  the labelled set (``bench/answerability.py --fit``), averaged over the embedders that
  searched. Not min-max within the list, so a list of poor matches stays poor.
- ``keyword`` — the idf-weighted share of the query's *salient* terms (function words such
  as "do", "we", "have", "在", "有没有" removed) found in the best passage.
- ``coverage`` — the same share over the top three passages.
- ``unknown`` — the idf-weighted share of salient terms that no indexed chunk holds; and
  ``unknown_entity`` — 1 when a name in the query (a place, product, competitor: a
  capitalised word or a jieba proper noun) is unknown to the knowledge base.
- ``agreement`` — how far keyword and vector retrieval agree on the top assets.
- ``problem`` — 1 when the problem map knows the question.

The combination is a logistic regression over those signals whose coefficients live in
``answerability_model.json`` beside this file (fitted on the benchmark's fit split).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba.posseg

from index.analyzer import normalise, spans, tokenize
from index.policy import KEYWORD
from kms.core.text.language import detect_language

MODEL_PATH = Path(__file__).with_name("answerability_model.json")
TOP_PASSAGES = 3
AGREEMENT_DEPTH = 5

# Words that carry the question's form, not its subject: neither evidence nor highlighted.
# fmt: off
FUNCTION_WORDS_EN: frozenset[str] = frozenset(tokenize(" ".join((
    "do does did we our us you your i me my he she his her have has had can could would should",
    "shall may might must what which who whom whose when where why how any some all there here",
    "get got make about from than more most much many one also just only very so up out over",
    "been being were am let lot need want use usual usually typical typically first next",
    "best way ask tell know kind give find against between please"
))))
FUNCTION_WORDS_ZH: frozenset[str] = frozenset((
    "我们", "我", "你", "你们", "他们", "在", "有没有", "有", "没有", "是", "是不是", "的", "了",
    "吗", "呢", "吧", "啊", "什么", "怎么", "怎么样", "怎样", "如何", "多少", "几", "哪些",
    "哪个", "哪家", "哪", "为什么", "可以", "能", "能否", "应该", "要", "需要", "一般", "一个",
    "和", "与", "或", "及", "把", "被", "给", "对", "从", "到", "让", "就", "都", "也", "还",
    "又", "很", "最", "更", "多", "少", "时", "时候", "之内", "以上", "以下", "这", "那", "这个",
    "那个", "谁", "来", "去", "做", "用", "说", "问", "时间", "多久", "多长", "长", "比",
    "该", "会", "得", "地", "着", "过", "请问", "很多", "一些", "还是", "以及", "呢?",
))
# fmt: on
FUNCTION_WORDS = FUNCTION_WORDS_EN | FUNCTION_WORDS_ZH

_CAPITALISED = re.compile(r"(?<![\w-])([A-Z][A-Za-z0-9]+(?:[- ][A-Z][A-Za-z0-9]+)*)")
_NAME_FLAGS = ("ns", "nr", "nt", "nz", "eng")


@dataclass(frozen=True)
class Signals:
    sim: float
    keyword: float
    coverage: float
    unknown: float
    unknown_entity: float
    agreement: float
    problem: float

    def vector(self) -> list[float]:
        return [float(v) for v in asdict(self).values()]

    @staticmethod
    def names() -> list[str]:
        return list(Signals.__dataclass_fields__)


def salient_terms(query: str) -> list[str]:
    """The query's tokens that carry its subject, in order, without repeats."""
    out: list[str] = []
    for token in tokenize(query):
        if token not in FUNCTION_WORDS and token not in out and not token.isspace():
            out.append(token)
    return out


def salient_text(query: str) -> str:
    """The query's salient words as written (what a snippet highlights): function words out."""
    norm = normalise(query)
    source = query if len(norm) == len(query) else norm
    return " ".join(
        source[span.start : span.end] for span in spans(query) if span.text not in FUNCTION_WORDS
    )


def idf_weights(total: int, freqs: dict[str, int]) -> dict[str, float]:
    """BM25's idf per term (an unknown term weighs most); ``total`` indexed chunks."""
    n = max(total, 1)
    return {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in freqs.items()}


def weighted_share(terms: set[str], found: set[str], idf: dict[str, float]) -> float:
    """The idf-weighted share of ``terms`` that ``found`` holds (0 for no terms)."""
    whole = sum(idf.get(t, 0.0) for t in terms)
    if whole <= 0:
        return 0.0
    return sum(idf.get(t, 0.0) for t in terms & found) / whole


def entity_names(query: str) -> list[str]:
    """Names in the query: capitalised Latin words not opening it, jieba's proper nouns."""
    names = [m.group(1) for m in _CAPITALISED.finditer(query) if m.start() > 0]
    cjk = [w for w, flag in _posseg(normalise(query)) if flag in _NAME_FLAGS and len(w) > 1]
    return names + [w for w in cjk if not w.isascii()]


@lru_cache(maxsize=2048)
def _posseg(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((p.word, p.flag) for p in jieba.posseg.cut(text))


def agreement(lists: dict[str, list[tuple[int, float]]], assets: dict[int, int]) -> float:
    """Overlap of the keyword list's top assets with the dense lists' top assets (0..1)."""
    keyword = _top_assets(lists.get(KEYWORD, []), assets)
    dense = set().union(*(_top_assets(v, assets) for k, v in lists.items() if k != KEYWORD))
    if not keyword or not dense:
        return 0.0
    return len(keyword & dense) / min(len(keyword), AGREEMENT_DEPTH)


def _top_assets(items: list[tuple[int, float]], assets: dict[int, int]) -> set[int]:
    out: list[int] = []
    for chunk_id, _ in items:
        asset = assets.get(chunk_id)
        if asset is not None and asset not in out:
            out.append(asset)
        if len(out) >= AGREEMENT_DEPTH:
            break
    return set(out)


@dataclass(frozen=True)
class Model:
    """Per (embedder, language) calibration of the top cosine, and the logistic regression."""

    calibration: dict[str, tuple[float, float]]
    weights: dict[str, float]
    bias: float
    threshold: float
    floor_query: float = 0.0
    floor_chunk: float = 0.0

    def calibrated(self, embedder: str, language: str, cosine: float) -> float | None:
        curve = self.calibration.get(f"{embedder}:{language}")
        if curve is None:
            return None
        return _sigmoid(curve[0] * cosine + curve[1])

    def score(self, signals: Signals) -> float:
        values = asdict(signals)
        z = self.bias + sum(w * values[name] for name, w in self.weights.items())
        return _sigmoid(z)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def load_model(path: Path = MODEL_PATH) -> Model:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    try:
        return Model(
            calibration={k: (float(v[0]), float(v[1])) for k, v in data["calibration"].items()},
            weights={k: float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            floor_query=float(data.get("floor_query", 0.0)),
            floor_chunk=float(data.get("floor_chunk", 0.0)),
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"{path}: bad answerability model ({exc!r})") from exc


def query_language(query: str) -> str:
    lang = detect_language(query)
    return "en" if lang == "en" else "zh"


def _at_least(calibrated: float | None, model: Model) -> bool:
    """Above the chunk floor (an embedder without a curve for the language: always)."""
    return calibrated is None or calibrated >= model.floor_chunk


def above_floor(
    model: Model,
    lists: dict[str, list[tuple[int, float]]],
    language: str,
    known_terms: int,
) -> dict[str, list[tuple[int, float]]]:
    """The candidate lists without what lies below the relevance floor.

    A query none of whose salient terms the index knows, and whose best calibrated
    similarity is below ``floor_query``, keeps nothing (gibberish returns nothing). Otherwise
    a dense-only candidate whose calibrated similarity is below ``floor_chunk`` is dropped.
    """
    best = 0.0
    for name, items in lists.items():
        if name != KEYWORD and items:
            best = max(best, model.calibrated(name, language, items[0][1]) or 0.0)
    if known_terms == 0 and best < model.floor_query:
        return {name: [] for name in lists}
    keyword_ids = {cid for cid, _ in lists.get(KEYWORD, [])}
    out: dict[str, list[tuple[int, float]]] = {}
    for name, items in lists.items():
        if name == KEYWORD:
            out[name] = items
            continue
        out[name] = [
            (cid, cosine)
            for cid, cosine in items
            if cid in keyword_ids or _at_least(model.calibrated(name, language, cosine), model)
        ]
    return out
