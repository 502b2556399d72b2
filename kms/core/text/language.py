"""Which language a text is written in: ``zh``, ``en`` or ``mixed``.

The one detector: ingest (a chunk's ``language``, which decides the embedders that
see it), retrieval (which embedders and weights a query gets) and the quality
benchmarks all use it. A cheap script count, not a classifier: the knowledge base
holds two languages whose scripts do not overlap, so CJK ideographs versus Latin
words is enough. Product codes such as ``LF-200`` in a Chinese sentence do not make
it mixed; a sentence with real English words next to Chinese does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

import zhconv

Language = Literal["zh", "en", "mixed"]

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LATIN_WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")

# A CJK character carries roughly as much meaning as a third of an English word
# (a two-character Chinese word ~ one English word). The shares below are of
# "units of meaning", so a short product code does not outweigh a sentence.
_CJK_CHARS_PER_WORD = 2.0
_MIXED_LOW, _MIXED_HIGH = 0.2, 0.8


def cjk_share(text: str) -> float:
    """Share of meaning units that are Chinese, in [0, 1] (0 for text with neither)."""
    cjk = len(CJK_RE.findall(text)) / _CJK_CHARS_PER_WORD
    latin = len(_LATIN_WORD_RE.findall(text))
    total = cjk + latin
    return cjk / total if total else 0.0


DOCUMENT_SAMPLE_CHARS = 20_000  # a document's language is judged on its first 20k chars


def document_language(parts: Iterable[str]) -> Language:
    """The language of a document made of ``parts`` (its chunks, in order)."""
    return detect_language(" ".join(parts)[:DOCUMENT_SAMPLE_CHARS])


def detect_language(text: str) -> Language:
    """``zh`` if Chinese dominates, ``en`` if Latin words dominate, else ``mixed``.

    Text with no letters at all (digits, codes, empty) counts as ``en``.
    """
    share = cjk_share(text)
    if share >= _MIXED_HIGH:
        return "zh"
    if share <= _MIXED_LOW:
        return "en"
    return "mixed"


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds any CJK ideograph (such terms match as substrings)."""
    return CJK_RE.search(text) is not None


def simplified(text: str) -> str:
    """NFKC, and Traditional Chinese as Simplified characters (zhconv ``zh-hans``: characters
    only, no regional vocabulary swaps); how the keyword analyzer and the stage classifier
    both read text, so a Traditional question matches Simplified text and vice versa."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if CJK_RE.search(text):
        text = zhconv.convert(text, "zh-hans")
    return text
