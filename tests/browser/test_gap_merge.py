"""One question, one gap, on the curators' board in a real browser: a rep asks the same
unanswerable question in English and in Chinese (two gaps); on the Chinese card "Same
question?" suggests the English one first, "Merge here" joins them, the board shows one card
whose count is the sum, and the API lists the Chinese gap as merged into the English one.

The rep and the curator work for one team: a gap carries its asker's teams and the board
suggests only gaps of the same teams, so what other tests ask on this shared server stays
out of the suggestions (test_answers' "我们在巴西有没有代理商?" is nearer to the Chinese
question in wording than its English twin is: that is why a curator confirms every merge).
"""

from __future__ import annotations

import re

import pytest
from apiserver import cli_user, signed_in
from browserkit import serious

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser-server")]

EN = "Do we have a reseller partner in Peru?"
ZH = "我们在秘鲁有没有代理商?"
TEAM = "latam"
REP, CURATOR = "pia.peru", "luis.latam"


@pytest.fixture(scope="module")
def twins(web) -> dict[str, dict[str, object]]:
    """The team's rep asks both questions; their gaps by question, as the curator sees them."""
    cli_user(web.data_dir, REP, "rep", [TEAM])
    cli_user(web.data_dir, CURATOR, "curator", [TEAM])
    with signed_in(web, REP) as rep:
        for question in (EN, ZH):
            asked = rep.post("/v1/answer", json={"query": question})
            assert asked.status_code == 200, asked.text
            assert asked.json()["gap_recorded"], question
    with signed_in(web, CURATOR) as curator:
        board = curator.get("/v1/gaps", params={"kind": "low_confidence", "limit": 200}).json()
    return {g["query"]: g for g in board["data"] if g["teams"] == [TEAM]}


def open_board(session_page, web, locale: str):
    console = session_page(CURATOR, locale=locale)
    console.goto(f"{web.url}/console")
    console.click("#tabs a[data-tab=gaps]")
    console.locator(".gap-card").first.wait_for()
    return console


def test_curator_merges_a_chinese_question_into_its_english_twin(session_page, web, twins) -> None:
    en_gap, zh_gap = twins[EN], twins[ZH]
    console = open_board(session_page, web, "en-US")
    card = console.locator(f".gap-card[data-gap-id='{zh_gap['id']}']")
    same = card.locator("[data-similar]")
    assert same.inner_text() == "Same question?"
    same.click()
    first = card.locator(".similar-list li").first
    first.wait_for()
    assert same.get_attribute("aria-expanded") == "true"
    row = first.inner_text()
    assert EN in row and "Weak answer" in row and f"×{en_gap['occurrences']}" in row
    assert re.search(r"\b\d{2,3}% alike\b", row), row  # the cosine, as a percentage
    merge = first.locator("[data-merge-into]")
    assert merge.inner_text() == "Merge here"
    assert merge.get_attribute("aria-label") == f"Merge here (into “{EN}”)"  # names the target
    assert serious(console) == []  # the board with suggestions open

    merge.click()
    console.locator(".toast", has_text="Merged — counts added up").wait_for()
    card.wait_for(state="detached")  # the board reloaded without the merged card
    kept = console.locator(f".gap-card[data-gap-id='{en_gap['id']}']")
    total = en_gap["occurrences"] + zh_gap["occurrences"]
    assert kept.locator(".meta .occ").inner_text() == f"×{total}"
    assert console.locator(".gap-card", has_text=ZH).count() == 0

    with signed_in(web, CURATOR) as curator:
        merged = curator.get("/v1/gaps", params={"status": "merged", "limit": 200}).json()
    gone = next(g for g in merged["data"] if g["id"] == zh_gap["id"])
    assert (gone["status"], gone["merged_into"]) == ("merged", en_gap["id"])

    # in Chinese: the kept gap has no twin left among the team's open questions
    zh_console = open_board(session_page, web, "zh-CN")
    kept = zh_console.locator(f".gap-card[data-gap-id='{en_gap['id']}']")
    assert kept.locator(".meta .occ").inner_text() == f"×{total}"
    kept.locator("[data-similar]", has_text="同一个问题?").click()
    kept.locator(".gap-similar", has_text="没有看起来相同的未解决问题").wait_for()
