"""Answers that know what they don't know, in a real browser: an unanswerable question in
Chinese and in English shows the no-answer state, the rep asks an expert, and both questions
land on the curators' gaps board; an answerable one shows cited sentences."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser-server")]

CASES = [
    ("en-US", "Do we have a reseller partner in Brazil?", "No document answers this yet", "Sent"),
    ("zh-CN", "我们在巴西有没有代理商?", "知识库里还没有答案", "已提交"),
]


def ask(page, web, query: str) -> None:
    page.goto(f"{web.url}/")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_function("q => document.querySelector('#results').dataset.query === q", arg=query)


@pytest.mark.parametrize(("locale", "query", "none_text", "sent_text"), CASES)
def test_unanswerable_question_shows_no_answer_and_reaches_the_gaps_board(
    session_page, web, locale: str, query: str, none_text: str, sent_text: str
) -> None:
    page = session_page("rita.rep", locale=locale)
    ask(page, web, query)
    page.wait_for_selector("#no-answer")
    assert none_text in page.inner_text("#no-answer")
    assert page.locator("#answer-text").count() == 0
    page.fill("#expert-note", "for the Acme deal")
    page.click("#ask-expert")
    page.wait_for_function(
        "t => document.querySelector('#expert-status').textContent.includes(t)", arg=sent_text
    )

    console = session_page("carl.curator", locale=locale)
    console.goto(f"{web.url}/console")
    console.click("#tabs a[data-tab=gaps]")
    cards = console.locator(".column[data-status=open] .gap-card", has_text=query)
    cards.first.wait_for()
    text = " ".join(cards.all_inner_texts())
    assert "for the Acme deal" in text  # the expert request, with the rep's note
    kinds = {"en-US": ("Weak answer", "Asked an expert"), "zh-CN": ("答案薄弱", "请专家解答")}
    assert all(kind in text for kind in kinds[locale])  # the low-confidence gap as well


def test_answerable_question_shows_cited_sentences(session_page, web) -> None:
    page = session_page("rita.rep")
    ask(page, web, "What is our win rate against DataForge?")
    page.wait_for_selector("#answer-text")
    assert page.locator("#no-answer").count() == 0
    refs = page.locator("#answer-text a.cite-ref")
    assert refs.count() >= 1 and refs.first.inner_text() == "[1]"
    assert page.locator("#answer-card ol.sources li").count() >= 1


def test_closing_the_gap_shows_the_rep_their_question_was_answered(session_page, web) -> None:
    query = "Is there a reseller for Uruguay?"
    page = session_page("rita.rep")
    ask(page, web, query)
    page.wait_for_selector("#no-answer")
    with web.client("admin") as admin:
        gaps = admin.get("/v1/gaps", params={"kind": "low_confidence", "limit": 100}).json()
        gap = next(g for g in gaps["data"] if g["query"] == query)
        assets = admin.get("/v1/assets", params={"kind": "playbook", "limit": 5}).json()["data"]
        asset = next(a for a in assets if not a["teams"])
        closed = admin.patch(
            f"/v1/gaps/{gap['id']}", json={"status": "closed", "closing_asset_id": asset["id"]}
        )
        assert closed.status_code == 200, closed.text

    page.goto(f"{web.url}/widget?stage=negotiation")  # the CRM panel says so too
    in_widget = page.locator("#w-answered .answered-notice", has_text=query)
    in_widget.wait_for()
    assert asset["title"] in in_widget.inner_text()

    page.goto(f"{web.url}/")  # the next visit
    notice = page.locator(".answered-notice", has_text=query)
    notice.wait_for()
    assert asset["title"] in notice.inner_text()
    notice.locator("button").click()  # dismissed: not shown again
    page.reload()
    page.wait_for_selector("#answered[data-loaded=true]", state="attached")  # empty: no size
    assert page.locator(".answered-notice", has_text=query).count() == 0
