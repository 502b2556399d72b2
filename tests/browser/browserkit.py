"""Helpers for the browser tests: read the server's database, save screenshots, run
axe-core (``axe-playwright-python``, pinned in the dev extra) on a page.

Screenshots go to ``tests/artifacts/screenshots`` (not committed); with
``KMS_UPDATE_SCREENSHOTS=1`` they replace the README's pictures in ``docs/screenshots``.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from apiserver import Server
from axe_playwright_python.sync_playwright import Axe

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("KMS_UPDATE_SCREENSHOTS") == "1"
    else REPO / "tests" / "artifacts" / "screenshots"
)


def db_rows(server: Server, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Read the server's SQLite database directly (to see what a click recorded)."""
    with closing(sqlite3.connect(server.data_dir / "kms.db")) as db:
        return db.execute(sql, params).fetchall()


AXE = Axe()


def serious(page: object) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    result = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))  # type: ignore[attr-defined]
