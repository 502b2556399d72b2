"""Fixtures for the browser tests: a real server with the demo knowledge base, keys, and
Debian's headless Chromium driven by Playwright for Python.

The server is the API tests' one (``tests/api/apiserver.py``: ``uvicorn --factory
api.app:create_app`` on a free port, ``KMS_DEMO=1``, its own data dir, the shared
embedding cache), started once for this package since these tests change data (they
retire an asset). Keys are made with ``kms keys create`` on the same data directory.
Every module here is in ``xdist_group("browser-server")`` so one worker starts it once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from apiserver import Server, cli_key, start_server, stop_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1360, "height": 900}


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app with the demo knowledge base; keys: admin, rep, curator."""
    data_dir = tmp_path_factory.mktemp("web") / "data"
    running = start_server(data_dir, {"KMS_DEMO": "1", "KMS_RATE_LIMIT_PER_MINUTE": "100000"})
    try:
        running.keys["rep"] = cli_key(data_dir, "rep", [], "browser-rep")
        running.keys["curator"] = cli_key(data_dir, "curator", [], "browser-curator")
        # the embedding models load on the first search: do it before any page waits
        with running.client("admin") as admin:
            admin.post("/v1/search", json={"query": "warm up", "log": False}).raise_for_status()
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser: object, locale: str) -> Iterator[object]:
    """A fresh page (own storage) in ``locale``; errors in page scripts fail the test."""
    context = browser.new_context(viewport=VIEWPORT, locale=locale)  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    """A page with English UI."""
    yield from _page(browser, "en-US")


@pytest.fixture()
def zh_page(browser: object) -> Iterator[object]:
    """A page whose browser language is Chinese."""
    yield from _page(browser, "zh-CN")
