"""The demo knowledge base: the repository's demo/ folder plus the domain article."""

from __future__ import annotations

from pathlib import Path

from ingest.manifest import FileMeta
from kms.models import AssetStatus

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "demo"
ARTICLE = REPO.parent / "shared" / "domain" / "sales-org-article-zh.txt"


def demo_sources() -> list[tuple[Path, FileMeta]]:
    """What ``make run`` loads into an empty data directory."""
    sources = [(DEMO_DIR, FileMeta(status=AssetStatus.approved))]
    if ARTICLE.is_file():
        sources.append((ARTICLE, FileMeta(kind="article", status=AssetStatus.approved)))
    return sources
