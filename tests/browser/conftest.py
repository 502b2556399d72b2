"""Fixtures for the browser tests: a real server with the demo knowledge base, people who
sign in, a real OpenID Connect provider, and Debian's headless Chromium driven by
Playwright for Python.

The server is the API tests' one (``tests/api/apiserver.py``: ``uvicorn --factory
api.app:create_app`` on a free port, ``KMS_DEMO=1``, its own data dir, the shared
embedding cache), started once for this package since these tests change data (they
retire an asset). Single sign-on points at panva's ``oidc-provider`` started on
127.0.0.1 first (``tests/api/oidcprovider.py``). People are made with ``kms users add``
(password ``apiserver.PASSWORD``); ``session_page`` opens a page already signed in (the
sign-in page itself is tested through its form). Every module here is in
``xdist_group("browser-server")`` so one worker starts it once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from apiserver import PASSWORD, Server, cli_key, cli_user, free_port, start_server, stop_server
from oidcprovider import start_provider, stop_provider

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1360, "height": 900}
PHONE = {"width": 375, "height": 812}
PEOPLE = {
    "rita.rep": ("rep", []),
    "carl.curator": ("curator", []),
    "ada.admin": ("admin", []),
    "lena.lockout": ("rep", []),
}


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app with the demo knowledge base and single sign-on; keys: admin, rep, curator."""
    root = tmp_path_factory.mktemp("web")
    data_dir = root / "data"
    port = free_port()
    provider = start_provider(port, root / "oidc-provider.log")
    env: dict[str, str | None] = {
        "KMS_DEMO": "1",
        "KMS_RATE_LIMIT_PER_MINUTE": "100000",
        **provider.kms_env(),
    }
    try:
        running = start_server(data_dir, env, port=port)
    except BaseException:
        stop_provider(provider)
        raise
    running.oidc_issuer = provider.issuer  # type: ignore[attr-defined]
    try:
        running.keys["rep"] = cli_key(data_dir, "rep", [], "browser-rep")
        running.keys["curator"] = cli_key(data_dir, "curator", [], "browser-curator")
        for name, (role, teams) in PEOPLE.items():
            cli_user(data_dir, name, role, teams)
        yield running
    finally:
        stop_server(running)
        stop_provider(provider)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    assert CHROMIUM.exists(), "Debian chromium is not installed (make browser)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser: object, locale: str, viewport: dict[str, int] = VIEWPORT) -> Iterator[Any]:
    """A fresh page (own storage) in ``locale``; errors in page scripts fail the test."""
    context = browser.new_context(viewport=viewport, locale=locale)  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"script errors in the page: {errors}"


def sign_in_context(context: Any, web: Server, name: str) -> None:
    """Give a browser context ``name``'s session cookie (signed in through the API)."""
    with httpx.Client(base_url=web.url) as client:
        response = client.post("/v1/auth/login", json={"name": name, "password": PASSWORD})
        response.raise_for_status()
        cookie = response.cookies["kms_session"]
    context.add_cookies(
        [
            {
                "name": "kms_session",
                "value": cookie,
                "url": web.url,
                "httpOnly": True,
                "sameSite": "Strict",
            }
        ]
    )


@pytest.fixture()
def page(browser: object) -> Iterator[Any]:
    """A page with English UI, not signed in."""
    yield from _page(browser, "en-US")


@pytest.fixture()
def zh_page(browser: object) -> Iterator[Any]:
    """A page whose browser language is Chinese, not signed in."""
    yield from _page(browser, "zh-CN")


@pytest.fixture()
def session_page(browser: object, web: Server) -> Iterator[Callable[..., Any]]:
    """``session_page(name, locale="en-US", viewport=VIEWPORT)``: a page signed in as
    ``name`` (None: not signed in), in its own context; script errors in any of them fail
    the test."""
    made: list[Iterator[Any]] = []

    def open_page(
        name: str | None, locale: str = "en-US", viewport: dict[str, int] = VIEWPORT
    ) -> Any:
        pages = _page(browser, locale, viewport)
        made.append(pages)
        page = next(pages)
        if name is not None:
            sign_in_context(page.context, web, name)
        return page

    yield open_page
    for pages in made:
        next(pages, None)
