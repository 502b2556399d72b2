"""The keyword engines by name: the factory behind ``KMS_KEYWORD_ENGINE``."""

from __future__ import annotations

from pathlib import Path

from index.keyword import KeywordIndex

ENGINES = ("tantivy", "whoosh")


def open_keyword_index(path: Path | None, engine: str = "tantivy") -> KeywordIndex:
    """The ``engine``'s index at ``path`` (a folder; None: in memory)."""
    if engine == "tantivy":
        from index.keyword_tantivy import TantivyKeywordIndex

        return TantivyKeywordIndex(path)
    if engine == "whoosh":
        from index.keyword_whoosh import WhooshKeywordIndex

        return WhooshKeywordIndex(path)
    raise ValueError(f"unknown keyword engine {engine!r}; choose from {', '.join(ENGINES)}")
