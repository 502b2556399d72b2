"""The answer card's text: the 2–4 sentences of the top passages that best answer the
question, cut at sentence boundaries, each with a numbered citation.

A sentence scores by the idf-weighted share of the question's salient terms it holds (the
same keyword signal as the confidence), plus a little for a better-ranked passage and for
being in the question's language; sentences holding no salient term are never chosen. At
most two come from one passage, so the card is not a copy of the first result. Sentences
keep their passage's order; citations are numbered by first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analyzer import tokenize
from kms.core.schemas import AnswerSentence, Citation
from kms.core.text.language import has_cjk
from kms.services.answerability import weighted_share

MAX_SENTENCES = 4
PER_PASSAGE = 2
MIN_CHARS = 12  # a Chinese sentence says as much in half the characters
MAX_CHARS = 320
RANK_BONUS = 0.15  # the first passage's edge over the third
LANGUAGE_BONUS = 0.1

# After Chinese 。！？ (and their half-width forms, or a semicolon), after English . ! ?
# followed by a space, and at every line break (bullets, table rows, headings).
_BOUNDARY = re.compile(r"(?<=[。！？!?；;])|(?<=[.!?])\s+|\n+")
_MARKUP = re.compile(r"^[\s#>*\-–•|]+|[\s|*]+$")


@dataclass(frozen=True)
class Source:
    """A passage the card may quote: its text and citation (best first)."""

    text: str
    citation: Citation


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, markup trimmed, too short or too long ones dropped."""
    out = []
    for part in _BOUNDARY.split(text):
        sentence = _MARKUP.sub("", part or "").strip()
        shortest = MIN_CHARS // 2 if has_cjk(sentence) else MIN_CHARS
        if shortest <= len(sentence) <= MAX_CHARS:
            out.append(sentence)
    return out


def compose(
    sources: list[Source], terms: list[str], idf: dict[str, float], chinese: bool
) -> tuple[list[AnswerSentence], list[Citation]]:
    """The card's sentences and the citations they number (``[1]`` is ``citations[0]``)."""
    wanted = set(terms)
    scored: list[tuple[float, int, int, str]] = []
    for rank, source in enumerate(sources):
        for position, sentence in enumerate(sentences(source.text)):
            share = weighted_share(wanted, set(tokenize(sentence)), idf)
            if share <= 0:
                continue
            bonus = RANK_BONUS * (1 - rank / max(1, len(sources)))
            same_language = has_cjk(sentence) == chinese
            scored.append(
                (share + bonus + (LANGUAGE_BONUS if same_language else 0), rank, position, sentence)
            )
    chosen: list[tuple[int, int, str]] = []
    per: dict[int, int] = {}
    for _score, rank, position, sentence in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if per.get(rank, 0) >= PER_PASSAGE or any(sentence == c[2] for c in chosen):
            continue
        chosen.append((rank, position, sentence))
        per[rank] = per.get(rank, 0) + 1
        if len(chosen) >= MAX_SENTENCES:
            break
    chosen.sort()
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    out: list[AnswerSentence] = []
    for rank, _, sentence in chosen:
        if rank not in numbers:
            numbers[rank] = len(citations) + 1
            citations.append(sources[rank].citation)
        out.append(AnswerSentence(text=sentence, cite=numbers[rank]))
    return out, citations
