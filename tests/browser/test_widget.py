"""The CRM widget inside the demo CRM page: a signed token, an expired one and a tampered
one (the CRM's token endpoint answering them), the retry that fetches a fresh token, and
the search box with snippets, copy-link and feedback.

The demo CRM page gets its token from ``/demo/widget-token``, standing in for the CRM's
server; to hand the widget a bad token the test answers that request itself (Playwright's
``route``), as a CRM server that signs with a stale clock or a wrong secret would.
"""

from __future__ import annotations

import json
import re
import time

import jwt
import pytest
from apiserver import WIDGET_SECRET
from browserkit import db_rows, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser-server")]

TOKEN_URL = re.compile(r".*/demo/widget-token\?.*")


def token(user: str = "rita.rep", issued: float | None = None, lifetime: int = 300) -> str:
    now = int(issued if issued is not None else time.time())
    claims = {
        "aud": "kms-widget",
        "sub": user,
        "teams": [],
        "iat": now,
        "exp": now + lifetime,
        "opp": {
            "id": "006-HZM-0042",
            "stage": "Needs Analysis",
            "industry": "Manufacturing",
            "competitors": ["Northwind"],
            "products": ["LumaFlow"],
        },
    }
    return jwt.encode(claims, WIDGET_SECRET, algorithm="HS256")


def tampered() -> str:
    head, _, signature = token().split(".")
    forged = jwt.encode(
        {"sub": "ada.admin", "aud": "kms-widget"},
        "a-guessed-secret-of-32-characters-or-so",
        "HS256",
    ).split(".")[1]
    return f"{head}.{forged}.{signature}"


def serve_token(page, value: str) -> None:
    page.route(
        TOKEN_URL,
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps({"token": value})
        ),
    )


@pytest.mark.parametrize(
    ("bad", "code", "words"),
    [
        (lambda: token(issued=time.time() - 900), "token_expired", "expired"),
        (tampered, "bad_token", "not valid"),
    ],
    ids=["expired", "tampered"],
)
def test_a_bad_token_is_explained_in_the_panel_and_retry_fetches_a_fresh_one(
    session_page, web, bad, code, words
) -> None:
    page = session_page("rita.rep")
    serve_token(page, bad())
    page.goto(f"{web.url}/demo/crm.html")
    frame = page.frame_locator("#kms-panel iframe")
    error = frame.locator(f".w-error[data-code={code}]")
    error.wait_for()
    assert words in error.inner_text()
    assert "Try again" in error.inner_text()
    # said in the panel's own width: nothing overflows the frame, no key anywhere
    inner = page.frame_locator("#kms-panel iframe").locator("body")
    fits = inner.evaluate("b => b.scrollWidth <= document.documentElement.clientWidth")
    assert fits
    box = error.bounding_box()
    frame_box = page.locator("#kms-panel iframe").bounding_box()
    assert (
        box["x"] >= frame_box["x"]
        and box["x"] + box["width"] <= frame_box["x"] + frame_box["width"]
    )
    assert "kms_" not in page.content() and "kms_" not in error.inner_text()
    screenshot(page, f"crm-widget-{code}.png")

    # the CRM's server signs a good one again; "Try again" asks the host page for it
    page.unroute(TOKEN_URL)
    frame.locator("#w-retry").click()
    frame.locator("article.rec").first.wait_for()
    assert frame.locator(".w-error").count() == 0
    assert frame.locator("#stage-name").inner_text() == "Discovery"


def test_widget_search_snippets_copy_link_and_feedback(session_page, web) -> None:
    page = session_page("rita.rep")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web.url)
    page.goto(f"{web.url}/demo/crm.html")
    frame = page.frame_locator("#kms-panel iframe")
    frame.locator("article.rec").first.wait_for()
    # every recommendation has its snippet, a link to copy and helpful / not helpful
    first = frame.locator("article.rec").first
    assert first.locator(".rec-snippet").count() == 1
    asset_id = int(first.get_attribute("data-asset-id"))
    with page.expect_response("**/v1/feedback") as vote:
        first.locator(".fb-up").click()
    assert vote.value.status == 201
    rows = db_rows(
        web, "select helpful from feedback where asset_id = ? and user_id is not null", asset_id
    )
    assert rows and rows[-1][0] == 1

    frame.locator("#w-q").fill("customer says the price is too high")
    frame.locator("#w-q").press("Enter")
    hits = frame.locator(".w-hits .result")
    hits.first.wait_for()
    assert frame.locator(".w-hits .snippet mark").count() > 0
    link = hits.first.locator(".copy-link")
    expected = link.get_attribute("data-link")
    assert expected.startswith(f"{web.url}/?q=") and "&open=" in expected
    link.click()
    frame.locator(".toast", has_text="Link copied").wait_for()
    copied = (
        page.frame_locator("#kms-panel iframe")
        .locator("body")
        .evaluate("() => navigator.clipboard.readText()")
    )
    assert copied == expected
    screenshot(page, "crm-widget-search.png")

    # Esc returns to the search box and closes the results
    frame.locator("#w-q").press("Escape")
    frame.locator("#w-results").wait_for(state="hidden")
    assert frame.locator("#w-q").evaluate("el => el === document.activeElement")

    # the copied link opens the search page on that source (a side panel, or a PDF's tab)
    page.goto(expected)
    page.wait_for_function("() => !location.search.includes('open=')")


def test_a_signed_out_crm_page_asks_to_sign_in(page, web) -> None:
    page.goto(f"{web.url}/demo/crm.html")
    page.wait_for_selector("#kms-panel .signin-first a")
    assert page.locator("#kms-panel iframe").count() == 0
