"""Language of a text: ``zh``, ``en`` or ``mixed``, from the scripts it is written in.

Counting scripts beats a statistical detector here: the knowledge base holds two
languages whose scripts do not overlap, and product names in Latin letters inside
Chinese text must not flip a Chinese passage to English.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str) -> str:
    """``zh`` when CJK dominates, ``en`` when Latin words dominate, else ``mixed``.

    A CJK character carries about as much meaning as an English word, so the
    comparison is characters against words.
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_WORD.findall(text))
    if cjk == 0 and latin == 0:
        return "en"
    share = cjk / (cjk + latin)
    if share >= 0.7:
        return "zh"
    if share <= 0.2:
        return "en"
    return "mixed"


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None
