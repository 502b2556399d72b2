"""The demo knowledge base: the ``demo`` package's data, plus the domain article when the
project sits beside ``shared/`` (a source checkout)."""

from __future__ import annotations

from pathlib import Path

from kms.core.models import AssetStatus
from kms.core.resources import resource_path
from kms.core.schemas import FileMeta


def demo_sources() -> list[tuple[list[Path], FileMeta]]:
    """What ``make run`` loads into an empty data directory, as ingest batches."""
    demo = resource_path("demo")
    parts = ["taxonomy.yaml", "problem_map.yaml", "docs", "winloss"]
    batches = [([demo / p for p in parts], FileMeta(status=AssetStatus.approved))]
    article = demo.parent.parent / "shared" / "domain" / "sales-org-article-zh.txt"
    if article.is_file():
        batches.append(([article], FileMeta(kind="article", status=AssetStatus.approved)))
    return batches
