"""The happy path of every /v1 route, against the real server and the demo knowledge base."""

from __future__ import annotations

import json
from typing import Any

import pytest
from apiserver import CRM_ORIGIN, Server, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]


def test_health_and_ready(server: Server) -> None:
    with server.client() as anyone:
        health = anyone.get("/health").json()
        assert health["status"] == "ok" and health["ready"] is True
        assert health["replica"] == "server" and health["index"]["pending"] == 0
        assert health["index"]["applied"] == health["index"]["last"] > 0
        assert anyone.get("/ready").json() == {"status": "ready"}


def test_search(server: Server) -> None:
    with server.client("rep") as rep:
        body = rep.post("/v1/search", json={"query": "DataForge is cheaper", "limit": 5}).json()
    assert body["query_id"] > 0 and 0 < len(body["results"]) <= 5
    assert body["total"] >= len(body["results"])
    hit = body["results"][0]
    assert hit["why"] and hit["citation"]["asset_id"] == hit["asset_id"]
    assert "<script" not in hit["snippet"]


def test_search_stage_alias_and_page_limit(server: Server) -> None:
    with server.client("rep") as rep:
        given = rep.post("/v1/search", json={"query": "discount", "stage": "Negotiation/Review"})
        assert given.json()["stage"] == given.json()["stage"] | {
            "key": "negotiation",
            "given": True,
        }
        too_big = rep.post("/v1/search", json={"query": "discount", "limit": 51})
        assert too_big.status_code == 422
        assert too_big.json()["error"]["detail"] == {"field": "limit"}
        unknown = rep.post("/v1/search", json={"query": "discount", "stage": "Stage 9"})
        assert (
            unknown.status_code == 422
            and "negotiation" in unknown.json()["error"]["detail"]["known"]
        )


def test_answer(server: Server) -> None:
    with server.client("rep") as rep:
        body = rep.post("/v1/answer", json={"query": "客户说价格太贵怎么办", "limit": 5}).json()
    assert body["passages"] and body["passages"][0]["citation"]["url"].startswith("/v1/assets/")
    assert 0.0 <= body["confidence"] <= 1.0
    assert {"deals", "win_rate", "top_reasons_won"} <= set(body["winloss"])


def test_recommend(server: Server) -> None:
    opportunity = {
        "stage": "Negotiation/Review",
        "industry": "Manufacturing",
        "competitors": ["DataForge"],
        "products": ["LumaFlow"],
        "notes": "Procurement pushes for 20% off; DataForge quoted lower.",
        "limit": 4,
    }
    with server.client("rep") as rep:
        body = rep.post("/v1/recommend", json=opportunity).json()
    assert body["stage"]["key"] == "negotiation" and body["next_stage"]["key"] == "closing"
    assert (
        body["exit_criteria"]
        == body["stage"]["exit_criteria"] + body["next_stage"]["exit_criteria"]
    )
    assert 0 < len(body["recommendations"]) <= 4
    assert all(r["reason"] and "\n" not in r["reason"] for r in body["recommendations"])
    assert body["winloss"][0]["filters"] == {"competitor": "dataforge", "industry": "manufacturing"}


def test_recommend_unknown_stage_lists_known_names(server: Server) -> None:
    with server.client("rep") as rep:
        response = rep.post("/v1/recommend", json={"stage": "Signed in blood"})
    assert response.status_code == 422
    known = response.json()["error"]["detail"]["known"]
    assert "Negotiation/Review" in known and "商务谈判" in known


def test_stages_and_me(server: Server) -> None:
    with server.client("rep_emea") as rep:
        stages = rep.get("/v1/stages").json()
        me = rep.get("/v1/me").json()
    assert [s["key"] for s in stages][:2] == ["prospecting", "qualification"]
    assert me == {"name": "rep-emea", "role": "rep", "teams": ["emea-enterprise"]}


def test_asset_list_filters_and_paging(server: Server) -> None:
    with server.client("rep") as rep:
        everything = rep.get("/v1/assets", params={"limit": 50}).json()
        first = rep.get("/v1/assets", params={"limit": 2}).json()
        second = rep.get("/v1/assets", params={"limit": 2, "offset": 2}).json()
        cards = rep.get("/v1/assets", params={"kind": "battlecard", "stage": "谈判"}).json()
        too_big = rep.get("/v1/assets", params={"limit": 51})
    assert first["count"] == everything["count"] == second["count"]
    assert [a["id"] for a in first["data"] + second["data"]] == [
        a["id"] for a in everything["data"][:4]
    ]
    assert cards["count"] > 0 and {a["kind"] for a in cards["data"]} == {"battlecard"}
    assert too_big.status_code == 422


def test_asset_detail(server: Server, public_asset: dict[str, Any]) -> None:
    with server.client("rep") as rep:
        detail = rep.get(f"/v1/assets/{public_asset['id']}").json()
    assert detail["chunks"] and detail["chunks"][0]["text"]
    assert detail["stages"] and {"stage", "score", "origin"} <= set(detail["stages"][0])
    assert detail["entities"]
    assert isinstance(detail["duplicates"], list) and isinstance(detail["pins"], list)


def test_curate_asset_is_audited_and_changes_search(
    server: Server, public_asset: dict[str, Any]
) -> None:
    asset_id = public_asset["id"]
    change = {"owner": "Curator Test", "review_by": "2020-01-01", "stages": ["Closing"]}
    change["pins"] = ["zanzibar quokka"]
    with server.client("curator") as curator, server.client("admin") as admin:
        detail = curator.patch(f"/v1/assets/{asset_id}", json=change).json()
        assert detail["owner"] == "Curator Test" and detail["stale"] is True
        assert detail["pins"] == ["zanzibar quokka"]
        assert any(s["stage"] == "closing" and s["origin"] == "curated" for s in detail["stages"])
        found = curator.post("/v1/search", json={"query": "zanzibar quokka", "log": False}).json()
        assert found["results"][0]["asset_id"] == asset_id
        audit = admin.get("/v1/audit", params={"action": "asset.update"}).json()["data"]
        assert audit[0]["target"] == f"asset:{asset_id}" and audit[0]["actor"].startswith("key:")
        restore = {"owner": public_asset["owner"], "review_by": public_asset["review_by"]}
        curator.patch(f"/v1/assets/{asset_id}", json={**restore, "pins": [], "stages": []})


def test_retire_hides_from_reps_and_search(server: Server) -> None:
    text = b"# Retire me\n\nThe walrus-tangerine protocol is obsolete.\n"
    with server.client("curator") as curator, server.client("rep") as rep:
        job_id = curator.post("/v1/ingest", files=[("files", ("retire-me.md", text))]).json()
        job = wait_for_job(curator, job_id["job_id"])
        assert job["status"] == "done" and job["added"] == 1, job
        query = {"query": "walrus-tangerine", "log": False}
        hidden = rep.post("/v1/search", json=query).json()  # a new upload is a draft
        assert hidden["results"] == []
        drafts = {**query, "filters": {"status": ["approved", "draft"]}}  # asked for
        hit = rep.post("/v1/search", json=drafts).json()
        asset_id = hit["results"][0]["asset_id"]
        retired = curator.post(f"/v1/assets/{asset_id}/retire").json()
        assert retired["status"] == "retired"
        assert rep.get(f"/v1/assets/{asset_id}").status_code == 404
        again = rep.post("/v1/search", json=drafts).json()
        assert asset_id not in [r["asset_id"] for r in again["results"]]


def test_delete_removes_the_asset_everywhere(server: Server) -> None:
    text = b"# Delete me\n\nThe marmalade-quokka clause must not be kept.\n"
    with server.client("curator") as curator, server.client("admin") as admin:
        job_id = curator.post("/v1/ingest", files=[("files", ("delete-me.md", text))]).json()
        assert wait_for_job(curator, job_id["job_id"])["status"] == "done"
        hit = admin.post("/v1/search", json={"query": "marmalade-quokka", "log": False}).json()
        asset_id = hit["results"][0]["asset_id"]
        assert curator.delete(f"/v1/assets/{asset_id}").status_code == 204
        assert admin.get(f"/v1/assets/{asset_id}").status_code == 404
        assert admin.get(f"/v1/assets/{asset_id}/file").status_code == 404
        again = admin.post("/v1/search", json={"query": "marmalade-quokka", "log": False}).json()
        assert asset_id not in [r["asset_id"] for r in again["results"]]
        audit = admin.get("/v1/audit", params={"action": "asset.delete"}).json()["data"]
        assert audit and audit[0]["target"] == f"asset:{asset_id}"
        assert curator.delete(f"/v1/assets/{asset_id}").status_code == 404


def test_download_is_an_attachment(server: Server, public_asset: dict[str, Any]) -> None:
    with server.client("rep") as rep:
        response = rep.get(f"/v1/assets/{public_asset['id']}/file")
    assert response.status_code == 200 and response.content
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_graph(server: Server) -> None:
    with server.client("rep") as rep:
        problems = rep.get("/v1/graph/problems", params={"q": "数据孤岛"}).json()
        listed = rep.get("/v1/graph/problems").json()
        entities = rep.get("/v1/graph/entities", params={"type": "competitor"}).json()
        one = rep.get(f"/v1/graph/problems/{listed['data'][0]['id']}").json()
    assert listed["count"] >= problems["count"] > 0
    assert {e["type"] for e in entities["data"]} == {"competitor"} and entities["count"] >= 3
    assert one["problem"]["solutions"] and {"proof", "outcomes", "winloss"} <= set(one)


def test_feedback_raises_a_gap(server: Server) -> None:
    with server.client("rep") as rep, server.client("curator") as curator:
        search = rep.post("/v1/search", json={"query": "onboarding checklist for kiwis"}).json()
        vote = {"query_id": search["query_id"], "asset_id": search["results"][0]["asset_id"]}
        up = rep.post("/v1/feedback", json={**vote, "helpful": True})
        assert up.status_code == 201 and up.json()["gap_id"] is None
        down = rep.post("/v1/feedback", json={**vote, "helpful": False, "comment": "off topic"})
        gap_id = down.json()["gap_id"]
        gap = curator.get(f"/v1/gaps/{gap_id}").json()
    assert gap["kind"] == "negative_feedback" and gap["query"] == "onboarding checklist for kiwis"


def test_gaps_lifecycle(server: Server, public_asset: dict[str, Any]) -> None:
    with server.client("curator") as curator, server.client("admin") as admin:
        created = curator.post("/v1/gaps", json={"title": "No ROI calculator", "stage": "报价"})
        assert created.status_code == 201
        gap = created.json()
        assert (gap["kind"], gap["stage"], gap["status"]) == ("manual", "proposal", "open")
        tagged = curator.patch(
            f"/v1/gaps/{gap['id']}", json={"tags": ["ROI", "pricing"], "owner": "zhao"}
        ).json()
        assert tagged["tags"] == ["pricing", "roi"] and tagged["owner"] == "zhao"
        closed = curator.patch(
            f"/v1/gaps/{gap['id']}", json={"closing_asset_id": public_asset["id"]}
        ).json()
        assert closed["status"] == "closed" and closed["closing_asset_id"] == public_asset["id"]
        listed = curator.get("/v1/gaps", params={"tag": "roi", "status": "closed"}).json()
        assert [g["id"] for g in listed["data"]] == [gap["id"]]
        curator.post("/v1/gaps/detect")
        assert curator.post("/v1/gaps/detect").json() | {"open_total": 0} == {
            "opened": 0,
            "updated": 0,
            "closed": 0,
            "open_total": 0,
        }
        actions = {e["action"] for e in admin.get("/v1/audit").json()["data"]}
    assert {"gap.create", "gap.update"} <= actions


def test_analytics(server: Server) -> None:
    nothing = {"query": "qwer xylomarm asdf", "filters": {"kind": ["no-such-kind"]}}
    with server.client("rep") as rep:
        assert rep.post("/v1/search", json=nothing).json()["total"] == 0
    with server.client("curator") as curator:
        body = curator.get("/v1/analytics", params={"days": 7}).json()
        gaps = curator.get("/v1/gaps", params={"kind": "zero_results", "limit": 200}).json()
    assert body["queries"] > 0 and sum(d["queries"] for d in body["per_day"]) == body["queries"]
    assert 0 < body["zero_result_rate"] <= 1 and body["top_queries"][0]["count"] >= 1
    assert "qwer xylomarm asdf" in [g["query"] for g in gaps["data"]]  # unfiltered: nothing either
    assert {"stage", "kind", "approved", "total"} <= set(body["coverage"][0])
    assert all(s["review_by"] for s in body["stale"])


def test_keys(server: Server) -> None:
    with server.client("admin") as admin:
        created = admin.post("/v1/keys", json={"role": "rep", "teams": ["apac"], "name": "tmp"})
        assert created.status_code == 201
        key = created.json()
        listed = admin.get("/v1/keys").json()
        assert key["id"] in [k["id"] for k in listed["data"]]
        assert all("key" not in k and "key_hash" not in k for k in listed["data"])
        with server.client() as anyone:
            assert anyone.get("/v1/me", headers={"X-API-Key": key["key"]}).status_code == 200
            assert admin.delete(f"/v1/keys/{key['id']}").json()["revoked"] is True
            assert anyone.get("/v1/me", headers={"X-API-Key": key["key"]}).status_code == 401


def test_request_id_and_json_logs(server: Server) -> None:
    with server.client("rep") as rep:
        response = rep.get("/v1/me", headers={"X-Request-ID": "test-rid-42"})
        # an event, not a clock: the access line is written when the first request's cycle
        # ends, which on one keep-alive connection is before the next request is served
        assert rep.get("/health").status_code == 200
    assert response.headers["x-request-id"] == "test-rid-42"
    lines = [json.loads(line) for line in server.log_lines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == "test-rid-42"]
    assert mine and mine[-1]["path"] == "/v1/me" and mine[-1]["status"] == 200
    assert mine[-1]["key_id"] is not None


def test_errors_have_one_shape(server: Server) -> None:
    with server.client("rep") as rep:
        responses = [
            rep.get("/v1/nowhere"),
            rep.put("/v1/search"),
            rep.post("/v1/search", json={"query": ""}),
            rep.post(
                "/v1/search", content=b"{not json", headers={"content-type": "application/json"}
            ),
            rep.post(
                "/v1/search", content=b"x" * (2 << 20), headers={"content-type": "application/json"}
            ),
        ]
    assert [r.status_code for r in responses] == [404, 405, 422, 422, 413]
    for response in responses:
        assert set(response.json()) == {"error"}
        assert set(response.json()["error"]) == {"code", "message", "detail"}
        assert "Traceback" not in response.text and "/work/" not in response.text


def test_cors_allows_the_crm_only(server: Server) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-api-key",
    }
    with server.client() as browser:
        ok = browser.options("/v1/recommend", headers={"Origin": CRM_ORIGIN, **preflight})
        other = browser.options(
            "/v1/recommend", headers={"Origin": "https://evil.example", **preflight}
        )
    assert ok.headers.get("access-control-allow-origin") == CRM_ORIGIN
    assert "access-control-allow-origin" not in other.headers
