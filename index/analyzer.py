"""The one tokenizer for Chinese, English and mixed text.

Every keyword path (whoosh, bm25s in the benchmark, query parsing) uses these
tokens, so index and query can never disagree. Steps:

1. NFKC (full-width ``ＬＦ－２００`` → ``LF-200``), then traditional → simplified
   Chinese (zhconv ``zh-hans``: characters only, no regional vocabulary swaps,
   so offsets stay put), then lower case.
2. Runs of CJK ideographs go to jieba (precise mode, HMM on). Measured with
   bm25s (nDCG@10 afqmc / cmrc): precise .257 / .983, search mode .261 / .983
   (a bigger index for a gain within noise), precise + a Chinese stopword list
   .253 / .984 — so precise, no Chinese stopwords (BM25's idf handles 的/了).
3. Everything else is split into words; a word joined by ``-``, ``_``, ``.``,
   ``/`` or ``+`` (``err-lf-4012``, ``il-6``, ``v2.1``) is kept whole *and* as
   its parts, so an exact code query matches the code first and its parts still
   match text that spelled them apart.
4. English stopwords (the Lucene list) are dropped; plain alphabetic words are
   stemmed (Snowball English, a.k.a. Porter2); codes and digits are kept as is.
5. Punctuation is dropped; single Latin letters are dropped, digits are kept.

``tokenize`` returns the token texts; ``KmsAnalyzer`` is the same stream as a
whoosh analyzer (with positions and character offsets into the original text).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, NamedTuple

import jieba
from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter2 import stem as _porter2

from kms.core.text.language import CJK_RE, simplified

jieba.setLogLevel(logging.WARNING)

# Lucene's English stopword list (33 function words), also the list bm25s applied in
# the reference BM25 runs that this analyzer matches.
# fmt: off
STOPWORDS: frozenset[str] = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with",
))
# fmt: on

_CJK_RUN_RE = re.compile(CJK_RE.pattern + "+")
_WORD_RE = re.compile(r"[^\W_]+(?:[-_./+][^\W_]+)*")
_PART_RE = re.compile(r"[^\W_]+")
_ALPHA_RE = re.compile(r"[a-z]+")


class Span(NamedTuple):
    """One token and where it came from in the original text."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Snowball English stem of a lower-case word (cached)."""
    return _porter2(word)


def normalise(text: str) -> str:
    """NFKC, traditional → simplified Chinese, lower case (length-preserving when it can)."""
    return simplified(text).lower()


def _word_tokens(word: str, start: int) -> Iterator[Span]:
    parts = list(_PART_RE.finditer(word))
    if len(parts) > 1:
        yield Span(word, start, start + len(word))
    for part in parts:
        token = part.group()
        if token in STOPWORDS or (len(token) == 1 and not token.isdigit()):
            continue
        if _ALPHA_RE.fullmatch(token):
            token = stem(token)
        yield Span(token, start + part.start(), start + part.end())


def _latin_spans(segment: str, offset: int) -> Iterator[Span]:
    for match in _WORD_RE.finditer(segment):
        yield from _word_tokens(match.group(), offset + match.start())


def _cjk_spans(run: str, offset: int) -> Iterator[Span]:
    words = _cjk_words(run) if len(run) <= CACHED_RUN_CHARS else _segment(run)
    for word, start, end in words:
        yield Span(word, offset + start, offset + end)


CACHED_RUN_CHARS = 24  # short runs repeat (clause boilerplate, 本公司, 保险金): cache them


@lru_cache(maxsize=8192)  # measured: up to 3.6 KB a 24-character run, so at most ~30 MB
def _cjk_words(run: str) -> tuple[tuple[str, int, int], ...]:
    return _segment(run)


def _segment(run: str) -> tuple[tuple[str, int, int], ...]:
    """jieba's precise-mode words of a CJK run, with their offsets in the run."""
    return tuple(w for w in jieba.tokenize(run, HMM=True) if not w[0].isspace())


def spans(text: str) -> list[Span]:
    """Tokens with character offsets.

    Offsets point into ``text`` when normalisation kept its length (almost always);
    otherwise they point into the normalised text.
    """
    norm = normalise(text)
    out: list[Span] = []
    pos = 0
    for run in _CJK_RUN_RE.finditer(norm):
        out.extend(_latin_spans(norm[pos : run.start()], pos))
        out.extend(_cjk_spans(run.group(), run.start()))
        pos = run.end()
    out.extend(_latin_spans(norm[pos:], pos))
    return out


def tokenize(text: str) -> list[str]:
    """The index/query tokens of ``text`` (see the module docstring)."""
    return [span.text for span in spans(text)]


class KmsAnalyzer(Tokenizer):
    """``tokenize`` as a whoosh analyzer: positions and character offsets included."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, span in enumerate(spans(value)):
            token.text = span.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[span.start : span.end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + span.start
                token.endchar = start_char + span.end
            yield token
