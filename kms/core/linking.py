"""Entity linking: find taxonomy entities in text by their names and aliases.

English names match as whole words, case-insensitively; Chinese names match as
substrings (Chinese has no spaces). One compiled pattern per entity set keeps it fast.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kms.core.text.language import has_cjk


@dataclass(frozen=True)
class EntityName:
    entity_id: int
    name: str


class EntityLinker:
    def __init__(self, names: list[EntityName]) -> None:
        self._by_name: dict[str, set[int]] = {}
        for item in names:
            norm = item.name.strip().lower()
            if len(norm) >= 2:
                self._by_name.setdefault(norm, set()).add(item.entity_id)
        terms = sorted(self._by_name, key=len, reverse=True)  # longest match first
        self._pattern = (
            re.compile("|".join(_term(t) for t in terms), re.IGNORECASE) if terms else None
        )

    def link(self, text: str) -> Counter[int]:
        """Entity id → number of mentions in ``text``."""
        found: Counter[int] = Counter()
        if self._pattern is None:
            return found
        for match in self._pattern.finditer(text):
            for entity_id in self._by_name.get(match.group(0).lower(), ()):
                found[entity_id] += 1
        return found


def _term(term: str) -> str:
    escaped = re.escape(term)
    if has_cjk(term):
        return escaped
    return rf"(?<![\w-]){escaped}(?![\w-])"
