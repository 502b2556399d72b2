"""The demo knowledge base: the repository's demo/ folder plus the domain article."""

from __future__ import annotations

from pathlib import Path

from kms.core.models import AssetStatus
from kms.core.schemas import FileMeta

REPO = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO / "demo"
ARTICLE = REPO.parent / "shared" / "domain" / "sales-org-article-zh.txt"


def demo_sources() -> list[tuple[list[Path], FileMeta]]:
    """What ``make run`` loads into an empty data directory, as ingest batches."""
    parts = ["taxonomy.yaml", "problem_map.yaml", "docs", "winloss"]
    batches = [([DEMO_DIR / p for p in parts], FileMeta(status=AssetStatus.approved))]
    if ARTICLE.is_file():
        batches.append(([ARTICLE], FileMeta(kind="article", status=AssetStatus.approved)))
    return batches
