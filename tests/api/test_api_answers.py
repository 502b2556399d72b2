"""Answers that know what they don't know (issue 10): the answer card, the no-answer state
and the gap it records, ask an expert, the relevance floor, function words unhighlighted."""

from __future__ import annotations

import re

import pytest
from apiserver import Server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]

UNANSWERABLE = ["Do we have a reseller partner in Brazil?", "我们在巴西有没有代理商?"]
ANSWERABLE = ["What is our win rate against DataForge?", "灵犀卫士能自动识别哪些敏感数据?"]


def gaps_of(server: Server, kind: str) -> list[dict[str, object]]:
    with server.client("curator") as curator:
        reply = curator.get("/v1/gaps", params={"kind": kind, "limit": 100})
    assert reply.status_code == 200, reply.text
    return list(reply.json()["data"])


def close_with_a_playbook(server: Server, gap_id: object) -> dict[str, object]:
    """A curator closes the gap with a public playbook; returns that asset."""
    with server.client("curator") as curator:
        playbook = curator.get("/v1/assets", params={"kind": "playbook", "limit": 5}).json()
        asset: dict[str, object] = next(a for a in playbook["data"] if not a["teams"])
        closed = curator.patch(
            f"/v1/gaps/{gap_id}", json={"status": "closed", "closing_asset_id": asset["id"]}
        )
        assert closed.status_code == 200, closed.text
    return asset


@pytest.mark.parametrize("query", UNANSWERABLE)
def test_unanswerable_question_says_so_and_reaches_the_gaps_board(
    server: Server, query: str
) -> None:
    with server.client("rep") as rep:
        body = rep.post("/v1/answer", json={"query": query}).json()
    assert body["answered"] is False and body["sentences"] == []
    assert body["confidence"] < 0.5
    assert body["gap_recorded"] is True
    assert body["signals"]["unknown_entity"] == 1.0  # Brazil / 巴西: unknown to the demo
    assert query in [g["query"] for g in gaps_of(server, "low_confidence")]


@pytest.mark.parametrize("query", ANSWERABLE)
def test_answerable_question_gets_cited_sentences(server: Server, query: str) -> None:
    with server.client("rep") as rep:
        body = rep.post("/v1/answer", json={"query": query}).json()
    assert body["answered"] is True and body["confidence"] >= 0.5
    assert body["gap_recorded"] is False
    sentences, citations = body["sentences"], body["citations"]
    assert 1 <= len(sentences) <= 4
    assert {s["cite"] for s in sentences} == set(range(1, len(citations) + 1))
    assert all(c["url"].startswith("/v1/assets/") for c in citations)
    passages = " ".join(p["text"] for p in body["passages"])
    for s in sentences:  # extractive: each sentence is in a top passage, whole
        assert s["text"] in passages
        assert re.search(r"[。！？!?.;；:：)）]$|\S$", s["text"])
    assert " ".join(s["text"] for s in sentences) != body["passages"][0]["text"]


def test_the_widgets_search_carries_the_confidence_and_records_the_unanswerable(
    server: Server,
) -> None:
    """``/v1/search`` (the CRM widget's call) scores the question as the answer card does:
    a question nothing answers reaches the gaps board from the widget too."""
    unanswerable = "Do we have a reseller partner in Chile?"
    with server.client("rep") as rep:
        weak = rep.post("/v1/search", json={"query": unanswerable, "limit": 5}).json()
        strong = rep.post("/v1/search", json={"query": ANSWERABLE[1], "limit": 5}).json()
        card = rep.post("/v1/answer", json={"query": ANSWERABLE[1], "log": False}).json()
        later = rep.post("/v1/search", json={"query": ANSWERABLE[1], "offset": 5, "log": False})
    assert weak["confidence"] < 0.5 <= strong["confidence"]
    assert (weak["answered"], strong["answered"]) == (False, True)
    assert strong["confidence"] == card["confidence"]
    # a later page: the question was scored once, so it says nothing of being answered
    assert (later.json()["confidence"], later.json()["answered"]) == (None, None)
    assert unanswerable in [g["query"] for g in gaps_of(server, "low_confidence")]
    assert ANSWERABLE[1] not in [g["query"] for g in gaps_of(server, "low_confidence")]


@pytest.mark.parametrize(
    ("query", "answered"),
    [
        ("Do we have a reseller partner in Chile?", False),
        ("我们在巴西有没有代理商", False),
        ("客户说价格太高怎么办", True),
        ("The customer says our price is too high. How do I respond?", True),
    ],
)
def test_search_says_whether_a_document_answers(server: Server, query: str, answered: bool) -> None:
    """``answered`` is the confidence against the server's low-confidence setting (0.5), so
    the widget shows "no document answers this yet" without knowing the threshold."""
    with server.client("rep") as rep:
        body = rep.post("/v1/search", json={"query": query, "limit": 5, "log": False}).json()
    assert body["results"]  # the closest matches are still returned
    assert body["answered"] is answered
    assert body["answered"] is (body["confidence"] >= 0.5)


def test_gibberish_returns_nothing_and_counts_as_zero_results(server: Server) -> None:
    query = "asdf qwer zxcv plorb"
    with server.client("rep") as rep:
        found = rep.post("/v1/search", json={"query": query}).json()
        answer = rep.post("/v1/answer", json={"query": query}).json()
    assert found["total"] == 0 and found["results"] == [] and found["answered"] is False
    assert answer["results"] == [] and answer["answered"] is False
    assert query in [g["query"] for g in gaps_of(server, "zero_results")]


def test_function_words_are_not_highlighted(server: Server) -> None:
    with server.client("rep") as rep:
        body = rep.post(
            "/v1/search", json={"query": "Do we have a partner program?", "log": False}
        ).json()
    marked = {
        m.lower() for r in body["results"] for m in re.findall(r"<mark>(.*?)</mark>", r["snippet"])
    }
    assert marked and not marked & {"do", "we", "have"}


def test_ask_an_expert_records_the_question_with_stage_filters_and_note(server: Server) -> None:
    request = {
        "query": "Which reseller covers Chile?",
        "stage": "Negotiation/Review",
        "filters": {"competitor": "DataForge"},
        "note": "Acme deal closes this month",
    }
    with server.client("rep") as rep:
        first = rep.post("/v1/expert", json=request)
        again = rep.post("/v1/expert", json={**request, "note": None})
        assert rep.get("/v1/gaps").status_code == 403  # the board is the curators'
    assert first.status_code == 201, first.text
    assert again.json() == {"gap_id": first.json()["gap_id"], "occurrences": 2}
    with server.client("curator") as curator:
        gap = curator.get(f"/v1/gaps/{first.json()['gap_id']}").json()
    assert gap["kind"] == "ask_expert" and gap["query"] == request["query"]
    assert gap["stage"] == "negotiation" and gap["occurrences"] == 2
    assert gap["context"] == {"competitor": "DataForge"}
    assert gap["notes"] == ["Acme deal closes this month"]


def test_ask_an_expert_unknown_stage_is_a_clear_error(server: Server) -> None:
    with server.client("rep") as rep:
        reply = rep.post("/v1/expert", json={"query": "x", "stage": "Nowhere"})
    assert reply.status_code == 422
    assert "unknown stage 'Nowhere'" in reply.text


def test_winloss_at_a_stage_counts_the_won_deals_that_passed_it(server: Server) -> None:
    """The demo's DataForge deals at Negotiation: won deals passed Negotiation, so they count
    (before: a stage filter kept only deals that *ended* there, so 0 won)."""
    query = {"query": "DataForge price objection", "stage": "negotiation", "log": False}
    with server.client("rep") as rep:
        body = rep.post("/v1/answer", json=query).json()
    w = body["winloss"]
    assert w["filters"] == {"competitor": "dataforge", "stage": "negotiation"}
    assert w["won"] > 0 and w["win_rate"] > 0 and w["shown"] is True
    assert w["first_year"] and w["last_year"] and w["first_year"] <= w["last_year"]


def test_winloss_is_hidden_without_deal_context(server: Server) -> None:
    with server.client("rep") as rep:
        body = rep.post(
            "/v1/answer",
            json={"query": "how do I write a proposal", "stage": "proposal", "log": False},
        ).json()
    assert body["winloss"]["shown"] is False


def test_not_helpful_asks_why_and_the_reason_becomes_gap_evidence(server: Server) -> None:
    with server.client("rep") as rep:
        found = rep.post("/v1/search", json={"query": "DataForge quarter-end discount"}).json()
        hit = found["results"][0]
        vote = {
            "query_id": found["query_id"],
            "asset_id": hit["asset_id"],
            "helpful": False,
            "reason": "outdated",
            "comment": "the FY2026 numbers are missing",
        }
        reply = rep.post("/v1/feedback", json=vote)
        bad = rep.post("/v1/feedback", json={**vote, "reason": "boring"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["reason"] == "outdated" and reply.json()["gap_id"]
    assert bad.status_code == 422 and "reason" in bad.text
    with server.client("curator") as curator:
        gap = curator.get(f"/v1/gaps/{reply.json()['gap_id']}").json()
    assert gap["kind"] == "negative_feedback"
    assert f"outdated · {hit['title']}: the FY2026 numbers are missing" in gap["notes"]


def test_analytics_reports_rates_over_time(server: Server) -> None:
    with server.client("rep") as rep:
        rep.post("/v1/answer", json={"query": "How many vacation days do new employees get?"})
        found = rep.post("/v1/search", json={"query": "LumaFlow connectors"}).json()
        vote = {"query_id": found["query_id"], "asset_id": found["results"][0]["asset_id"]}
        assert rep.post("/v1/feedback", json={**vote, "helpful": True}).status_code == 201
    with server.client("curator") as curator:
        a = curator.get("/v1/analytics", params={"days": 7}).json()
    assert 0 < a["low_confidence_rate"] < 1
    assert a["helpful_ratio"] is not None and 0 < a["helpful_ratio"] <= 1
    today = a["per_day"][-1]
    assert today["low_confidence"] >= 1 and today["helpful"] >= 1
    assert today["low_confidence"] <= today["queries"]


def test_results_say_when_an_asset_is_stale(server: Server) -> None:
    """The demo's Qiantang Cloud battlecard was due for review on 2026-06-30."""
    with server.client("rep") as rep:
        body = rep.post("/v1/search", json={"query": "钱塘云 竞争卡片", "log": False}).json()
    card = next(r for r in body["results"] if r["title"].startswith("竞争卡片:钱塘云"))
    assert card["stale"] is True and card["review_by"] == "2026-06-30"
    assert card["owner"] == "Wang Lei"
    fresh = [r for r in body["results"] if r["review_by"] and r["review_by"] > "2027-01-01"]
    assert all(not r["stale"] for r in fresh)


def test_closing_a_gap_tells_the_rep_their_question_was_answered(server: Server) -> None:
    query = "Do we have a partner who resells in Peru?"
    with server.client("rep") as rep:
        asked = rep.post("/v1/answer", json={"query": query}).json()
        assert asked["answered"] is False and asked["gap_recorded"] is True
        assert all(a["query"] != query for a in rep.get("/v1/me/answered").json())
    gap = next(g for g in gaps_of(server, "low_confidence") if g["query"] == query)
    asset = close_with_a_playbook(server, gap["id"])
    with server.client("rep") as rep:
        mine = rep.get("/v1/me/answered").json()
    with server.client("rep_emea") as other:  # another rep never asked it
        theirs = other.get("/v1/me/answered").json()
    ours = [a for a in mine if a["query"] == query]
    assert ours and ours[0]["asset_id"] == asset["id"] and ours[0]["title"] == asset["title"]
    assert all(a["query"] != query for a in theirs)


def test_drafts_are_hidden_from_reps_unless_they_ask(server: Server) -> None:
    """The demo's LumaEdge 2.0 launch deck is a draft ("not approved, do not share"): a
    rep's search and answer leave it out unless the rep asks for drafts; a curator sees it,
    labelled."""
    query = {"query": "LumaEdge 2.0 LE-60 launch enablement", "log": False, "limit": 50}
    asked = {**query, "filters": {"status": ["approved", "draft"]}}

    def deck(results: list[dict[str, object]]) -> list[dict[str, object]]:
        return [r for r in results if "LumaEdge 2.0" in str(r["title"])]

    with server.client("rep") as rep:
        served = rep.post("/v1/search", json=query).json()
        answer = rep.post("/v1/answer", json=query).json()
        wanted = rep.post("/v1/search", json=asked).json()
    with server.client("curator") as curator:
        reviewed = curator.post("/v1/search", json=query).json()
    assert served["results"] and all(r["status"] == "approved" for r in served["results"])
    assert all(r["status"] == "approved" for r in answer["results"])
    assert all(
        c["title"] != d["title"] for c in answer["citations"] for d in deck(wanted["results"])
    )
    for results in (wanted["results"], reviewed["results"]):
        drafts = deck(results)
        assert drafts and all(r["status"] == "draft" for r in drafts), results
    assert wanted["total"] > served["total"]  # the total counts no draft either


def test_results_say_who_approved_an_asset_and_when(server: Server) -> None:
    """Approval is recorded with its approver: the demo's loader, then a curator who takes an
    asset back to draft and approves it again."""
    query = {"query": "DataForge battlecard", "log": False}
    with server.client("curator") as curator:
        me = curator.get("/v1/me").json()
        hit = curator.post("/v1/search", json=query).json()["results"][0]
        assert hit["status"] == "approved" and hit["approved_by"] and hit["approved_at"]
        asset = f"/v1/assets/{hit['asset_id']}"
        try:
            back = curator.patch(asset, json={"status": "draft"}).json()
            assert (back["approved_by"], back["approved_at"]) == (None, None)
            again = curator.patch(asset, json={"status": "approved"}).json()
            assert again["approved_by"] == me["name"] and again["approved_at"]
            found = curator.post("/v1/search", json=query).json()["results"]
            mine = next(r for r in found if r["asset_id"] == hit["asset_id"])
            assert mine["approved_by"] == me["name"] and mine["approved_at"]
        finally:
            curator.patch(asset, json={"status": "approved"})


def test_a_curator_answers_a_gap_in_words_and_reps_find_the_answer(server: Server) -> None:
    """The short answer becomes an approved, searchable article that closes the gap; the
    rep who asked is told, and finds it."""
    question = "Which regions does the Halvorsen reseller cover?"
    with server.client("rep") as rep:
        assert rep.post("/v1/answer", json={"query": question}).json()["gap_recorded"] is True
    gap = next(g for g in gaps_of(server, "low_confidence") if g["query"] == question)
    text = "Halvorsen Partners resell in the Nordics and the Baltics; 哈尔沃森负责北欧和波罗的海。"
    with server.client("curator") as curator:
        me = curator.get("/v1/me").json()["name"]
        assert curator.post(f"/v1/gaps/{gap['id']}/answer", json={"text": " "}).status_code == 422
        closed = curator.post(f"/v1/gaps/{gap['id']}/answer", json={"text": text}).json()
        assert closed["status"] == "closed" and closed["closing_asset_id"]
        asset = curator.get(f"/v1/assets/{closed['closing_asset_id']}").json()
    assert (asset["title"], asset["kind"], asset["status"]) == (question, "article", "approved")
    assert asset["approved_by"] == me
    with server.client("rep") as rep:
        answered = rep.get("/v1/me/answered").json()
        found = rep.post("/v1/search", json={"query": "Halvorsen reseller regions"}).json()
    assert gap["id"] in [a["gap_id"] for a in answered]
    assert found["results"][0]["asset_id"] == closed["closing_asset_id"]


def opened_today(server: Server) -> int:
    with server.client("admin") as admin:
        body = admin.get("/v1/analytics", params={"days": 1}).json()
    assert body["click_through_rate"] is None or 0 <= body["click_through_rate"] <= 1
    return sum(d["opened"] for d in body["per_day"])


def test_opening_a_result_counts_toward_click_through(server: Server) -> None:
    with server.client("rep") as rep:
        first = rep.post("/v1/search", json={"query": "DataForge pricing objection"}).json()
        second = rep.post("/v1/search", json={"query": "钱塘云 竞争卡片"}).json()
    before = opened_today(server)
    with server.client("rep") as rep:
        assert rep.post(f"/v1/queries/{first['query_id']}/opened").status_code == 204
        assert rep.post(f"/v1/queries/{first['query_id']}/opened").status_code == 204  # again
    assert opened_today(server) == before + 1  # one query with a result opened
    with server.client("curator") as curator:  # not the asker: not counted, not told
        assert curator.post(f"/v1/queries/{second['query_id']}/opened").status_code == 204
        assert curator.post("/v1/queries/987654321/opened").status_code == 204
    assert opened_today(server) == before + 1


def test_one_question_in_two_languages_merges_into_one_gap_that_answers_both(
    server: Server,
) -> None:
    """Asked in English and in Chinese, a question is two gaps; the board suggests the twin
    first, a curator merges them, the count adds up (and keeps adding), and closing the gap
    tells the rep in the words they used."""
    en, zh = "Do we have a reseller partner in Argentina?", "我们在阿根廷有没有代理商?"
    other = "Who approves travel expenses for the Argentina trip?"
    with server.client("rep") as rep:
        for question in (en, zh, zh, other):
            assert rep.post("/v1/answer", json={"query": question}).json()["gap_recorded"]
    board = {g["query"]: g for g in gaps_of(server, "low_confidence")}
    en_gap, zh_gap = board[en], board[zh]
    with server.client("curator") as curator:
        similar = curator.get(f"/v1/gaps/{zh_gap['id']}/similar").json()
        # among the suggestions (bench/gap_merge.py: a twin is shown for 93% of pairs, first
        # for 70% — other tests' Brazil and Chile questions are open on this board too)
        assert en_gap["id"] in [s["gap"]["id"] for s in similar], similar
        assert all(s["gap"]["id"] != zh_gap["id"] for s in similar)
        itself = curator.post(f"/v1/gaps/{zh_gap['id']}/merge", json={"into": zh_gap["id"]})
        assert itself.status_code == 422
        merged = curator.post(f"/v1/gaps/{zh_gap['id']}/merge", json={"into": en_gap["id"]})
        assert merged.status_code == 200, merged.text
        assert merged.json()["occurrences"] == en_gap["occurrences"] + zh_gap["occurrences"]
        again = curator.post(f"/v1/gaps/{zh_gap['id']}/merge", json={"into": board[other]["id"]})
        assert again.status_code == 422 and "already merged" in again.json()["error"]["message"]
        hidden = curator.get(f"/v1/gaps/{zh_gap['id']}").json()
        assert (hidden["status"], hidden["merged_into"]) == ("merged", en_gap["id"])
        listed = curator.get("/v1/gaps", params={"status": "merged", "limit": 100}).json()
        assert zh_gap["id"] in [g["id"] for g in listed["data"]]
    assert zh not in [g["query"] for g in gaps_of(server, "low_confidence")]
    with server.client("rep") as rep:
        assert rep.post("/v1/answer", json={"query": zh}).json()["gap_recorded"]
    with server.client("curator") as curator:
        kept = curator.get(f"/v1/gaps/{en_gap['id']}").json()
        assert kept["occurrences"] == merged.json()["occurrences"] + 1
    asset = close_with_a_playbook(server, en_gap["id"])
    with server.client("rep") as rep:
        told = {a["query"]: a for a in rep.get("/v1/me/answered").json()}
    assert zh in told or en in told, told
    assert all(a["asset_id"] == asset["id"] for q, a in told.items() if q in (en, zh))
