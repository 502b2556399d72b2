"""Stage affinity from text: a transparent classifier over the stage profiles.

Each stage of the sales process has a profile — its names in both languages and its
bilingual keywords (``keywords`` in the sales-process YAML). A text scores a stage by
the profile terms it contains (diminishing returns per term), plus a prior when the
asset's kind is one the stage lists as useful. The same classifier tags chunks at
ingest (origin ``inferred``) and infers the stage of a query that names none. Text and
profile terms are read as the keyword analyzer reads them (NFKC, Traditional Chinese as
Simplified), so a Traditional question infers the stage its Simplified form does.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property

from kms.core.stages import SalesProcess, StageSpec
from kms.core.text.language import has_cjk, simplified

NAME_WEIGHT = 1.5
KEYWORD_WEIGHT = 1.0
KIND_PRIOR = 0.6
MIN_SCORE = 0.5  # below this a stage is not worth recording for a chunk


@dataclass(frozen=True)
class StageScore:
    stage_key: str
    score: float  # share of the evidence, 0..1
    evidence: float  # raw weighted hits


class StageClassifier:
    def __init__(self, process: SalesProcess) -> None:
        self.process = process

    @cached_property
    def _patterns(self) -> dict[str, list[tuple[re.Pattern[str], float]]]:
        return {stage.key: _stage_patterns(stage) for stage in self.process.stages}

    def evidence(self, text: str, kind: str | None = None) -> dict[str, float]:
        """Weighted profile hits per stage (only stages with some evidence)."""
        text = simplified(text)
        out: dict[str, float] = {}
        for stage in self.process.stages:
            total = 0.0
            for pattern, weight in self._patterns[stage.key]:
                hits = len(pattern.findall(text))
                if hits:
                    total += weight * (1.0 + math.log(hits))
            if kind and kind in stage.asset_kinds:
                total += KIND_PRIOR
            if total > 0:
                out[stage.key] = total
        return out

    def classify(self, text: str, kind: str | None = None) -> list[StageScore]:
        """Stages ranked by evidence, with each one's share of the total."""
        evidence = self.evidence(text, kind)
        total = sum(evidence.values())
        ranked = sorted(evidence.items(), key=lambda kv: (-kv[1], self._order(kv[0])))
        return [StageScore(k, v / total, v) for k, v in ranked]

    def chunk_stages(self, text: str, kind: str | None = None) -> list[StageScore]:
        """Stages to record for a chunk: the best one always, others if close to it."""
        ranked = self.classify(text, kind)
        if not ranked:
            return []
        best = ranked[0]
        keep = [best]
        keep += [s for s in ranked[1:3] if s.evidence >= MIN_SCORE and s.score >= best.score * 0.6]
        return keep

    def infer(self, query: str) -> tuple[str | None, float]:
        """The stage a query is about and a confidence in 0..1 (None when no evidence)."""
        ranked = self.classify(query)
        if not ranked:
            return None, 0.0
        best = ranked[0]
        strength = min(1.0, best.evidence / 2.0)
        return best.stage_key, round(best.score * strength, 3)

    def _order(self, key: str) -> int:
        stage = self.process.get(key)
        return stage.order if stage else 0


def _stage_patterns(stage: StageSpec) -> list[tuple[re.Pattern[str], float]]:
    terms = [(stage.names.en, NAME_WEIGHT), (stage.names.zh, NAME_WEIGHT)]
    terms += [(k, KEYWORD_WEIGHT) for k in stage.keywords]
    seen: set[str] = set()
    out: list[tuple[re.Pattern[str], float]] = []
    for term, weight in terms:
        norm = simplified(term.strip()).lower()
        if not norm or norm in seen:
            continue
        seen.add(norm)
        out.append((_term_pattern(norm), weight))
    return out


def _term_pattern(term: str) -> re.Pattern[str]:
    """CJK terms match as substrings; Latin terms as whole words (with simple plurals)."""
    if has_cjk(term):
        return re.compile(re.escape(term))
    words = r"\s+".join(re.escape(w) for w in term.split())
    return re.compile(rf"(?<![\w-]){words}(?:s|es|ed|ing)?(?![\w-])", re.IGNORECASE)
