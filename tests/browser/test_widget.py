"""The CRM widget inside the demo CRM page: a signed token, an expired one and a tampered
one (the CRM's token endpoint answering them), the retry that fetches a fresh token, the
search box with snippets, copy-link and feedback, and its "no document answers this yet"
notice with "Ask an expert", which puts the question on the curators' gaps board.

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
from axe_playwright_python.sync_playwright import Axe
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
    assert frame.locator("#no-answer, #w-closest").count() == 0  # answered: no notice
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


NO_ANSWER = [
    ("en-US", "Do we have a reseller partner in Chile?", "What is our win rate against DataForge?"),
    ("zh-CN", "我们在智利有没有代理商", "客户说价格太高怎么办"),
]
WORDS = {  # the notice's title, the results' label, the button, the sent message
    "en-US": ("No document answers this yet", "Closest matches", "Ask an expert", "Sent"),
    "zh-CN": ("知识库里还没有答案", "最接近的结果", "请专家解答", "已提交"),
}


def search_in(frame, query: str) -> None:
    frame.locator("#w-q").fill(query)
    frame.locator("#w-q").press("Enter")
    frame.locator(f'.w-hits[data-query="{query}"]').wait_for()


@pytest.mark.parametrize(("locale", "unanswerable", "answerable"), NO_ANSWER, ids=["en", "zh"])
def test_widget_says_no_document_answers_and_asks_an_expert(
    session_page, web, locale: str, unanswerable: str, answerable: str
) -> None:
    none_title, closest, ask, sent = WORDS[locale]
    page = session_page("rita.rep", locale=locale)
    page.goto(f"{web.url}/demo/crm.html")
    frame = page.frame_locator("#kms-panel iframe")
    frame.locator("#stage-name").wait_for()  # the opportunity's stage: Needs Analysis

    search_in(frame, unanswerable)
    notice = frame.locator("#no-answer")
    assert none_title in notice.inner_text()
    assert closest in frame.locator("#w-closest").inner_text()  # what the list below is
    assert frame.locator("#ask-expert").inner_text() == ask
    inside = page.locator("#kms-panel iframe").element_handle().content_frame()
    violations = Axe().run(inside).response["violations"]
    serious_ones = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert [v["id"] for v in serious_ones] == [], [v["nodes"] for v in serious_ones]
    screenshot(page, f"crm-widget-no-answer-{locale}.png")

    frame.locator("#expert-note").fill("for the Hangzhou deal")
    with page.expect_response("**/v1/expert") as asked:
        frame.locator("#ask-expert").click()
    assert asked.value.status == 201, asked.value.text()
    frame.locator("#expert-status", has_text=sent).wait_for()
    assert frame.locator("#ask-expert").is_disabled()

    # the curators' gaps board has it, with the deal's stage and context and the note
    with web.client("curator") as curator:
        board = curator.get("/v1/gaps", params={"kind": "ask_expert", "limit": 200}).json()
    gap = next(g for g in board["data"] if g["query"] == unanswerable)
    assert gap["id"] == asked.value.json()["gap_id"]
    assert gap["stage"] == "discovery" and "for the Hangzhou deal" in gap["notes"]
    assert gap["context"] == {
        "industry": "Manufacturing",
        "competitor": "Northwind",
        "product": "LumaFlow",
    }

    # a question the knowledge base answers: no notice, the results as they are
    search_in(frame, answerable)
    assert frame.locator("#no-answer, #w-closest").count() == 0


def test_a_signed_out_crm_page_asks_to_sign_in(page, web) -> None:
    page.goto(f"{web.url}/demo/crm.html")
    page.wait_for_selector("#kms-panel .signin-first a")
    assert page.locator("#kms-panel iframe").count() == 0
