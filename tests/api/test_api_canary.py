"""The restricted EMEA document never reaches another team, through any endpoint.

The demo holds one document visible only to ``emea-enterprise``; it carries the canary
string ``CANARY-EMEA-7Q2X``. The EMEA rep first uses it (positive control: the canary is
really there to be found, and its queries naming it land in analytics and gaps for the
EMEA team and the admin); then every read endpoint is called as a rep with no team and
as a curator with no team, and no response may contain the canary, the document's title
or its id as a result.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from apiserver import CANARY, Server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]

TITLE = "EMEA enterprise pricing exceptions"
TIMES_ASKED = 12
ABOUT = "pricing exceptions for EMEA enterprise deals: discount bands, Kessler Industriewerke"


@pytest.fixture(scope="module")
def emea_used_it(server: Server, canary_asset: int) -> None:
    """The EMEA rep finds the document and leaves traces of it in queries and gaps."""
    with server.client("rep_emea") as emea:
        found = emea.post("/v1/search", json={"query": ABOUT, "limit": 20}).json()
        assert canary_asset in [r["asset_id"] for r in found["results"]]
        assert CANARY in emea.get(f"/v1/assets/{canary_asset}").text
        assert emea.get(f"/v1/assets/{canary_asset}/file").status_code == 200
        nothing = {"query": f"{CANARY} approval", "filters": {"kind": ["no-such-kind"]}}
        assert emea.post("/v1/search", json=nothing).json()["total"] == 0  # filtered: no gap
        asked = {"query": f"{CANARY} approval in Brazil", "note": "who signs off?"}
        assert emea.post("/v1/expert", json=asked).status_code == 201
        # asked again and again (it must rank among the top queries of a busy shared server)
        for _ in range(TIMES_ASKED):
            named = emea.post("/v1/search", json={"query": f"{CANARY} floor price"}).json()
        vote = {"query_id": named["query_id"], "asset_id": canary_asset, "helpful": False}
        assert emea.post("/v1/feedback", json=vote).status_code == 201
        emea.post("/v1/answer", json={"query": ABOUT})
        emea.post("/v1/recommend", json={"stage": "negotiation", "notes": ABOUT})
    with server.client("admin") as admin:
        seen = admin.get("/v1/analytics").text + admin.get("/v1/gaps", params={"limit": 200}).text
        assert CANARY in seen  # the traces exist, so their absence below means something


def reads(client: httpx.Client, canary_asset: int) -> dict[str, httpx.Response]:
    out = {
        "search": client.post("/v1/search", json={"query": ABOUT, "limit": 50, "log": False}),
        "answer": client.post("/v1/answer", json={"query": ABOUT, "limit": 50, "log": False}),
        "recommend": client.post(
            "/v1/recommend", json={"stage": "negotiation", "notes": ABOUT, "limit": 20}
        ),
        "asset": client.get(f"/v1/assets/{canary_asset}"),
        "file": client.get(f"/v1/assets/{canary_asset}/file"),
        "problems": client.get("/v1/graph/problems", params={"limit": 200}),
        "entities": client.get("/v1/graph/entities", params={"limit": 200}),
    }
    for offset in range(0, 1000, 50):
        page = client.get("/v1/assets", params={"limit": 50, "offset": offset})
        out[f"assets@{offset}"] = page
        if offset + 50 >= page.json().get("count", 0):  # a widget token may not list: 403
            break
    for pid in [p["id"] for p in out["problems"].json().get("data", [])][:20]:
        out[f"problem {pid}"] = client.get(f"/v1/graph/problems/{pid}")
    return out


def curator_reads(client: httpx.Client) -> dict[str, httpx.Response]:
    out = {
        "analytics": client.get("/v1/analytics", params={"days": 366}),
        "gaps": client.get("/v1/gaps", params={"limit": 200}),
    }
    for gap in out["gaps"].json()["data"]:
        if gap["closing_asset_id"] is not None:
            out[f"gap {gap['id']}"] = client.get(f"/v1/gaps/{gap['id']}")
    return out


def assert_clean(responses: dict[str, httpx.Response], canary_asset: int) -> None:
    for name, response in responses.items():
        assert response.status_code < 500, (name, response.text)
        assert CANARY not in response.text, name
        assert TITLE not in response.text, name
        assert canary_asset not in _asset_ids(response), name


def _asset_ids(response: httpx.Response) -> set[int]:
    json_body = response.headers.get("content-type", "").startswith("application/json")
    if response.status_code >= 300 or not json_body:
        return set()  # errors only echo the id that was asked for
    ids: set[int] = set()

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif key in ("asset_id", "closing_asset_id", "duplicate_of") and isinstance(node, int):
            ids.add(node)

    walk(response.json())
    if "/v1/assets" in str(response.url) and response.status_code == 200:
        ids |= {a["id"] for a in response.json().get("data", [])}
    return ids


@pytest.mark.usefixtures("emea_used_it")
@pytest.mark.parametrize("who", ["rep", "curator"])
def test_other_teams_never_see_the_canary(server: Server, canary_asset: int, who: str) -> None:
    with server.client(who) as client:
        responses = reads(client, canary_asset)
        if who == "curator":
            responses |= curator_reads(client)
    assert responses["asset"].status_code == responses["file"].status_code == 404
    assert_clean(responses, canary_asset)


@pytest.mark.usefixtures("emea_used_it")
def test_the_emea_team_and_the_admin_do_see_it(server: Server, canary_asset: int) -> None:
    with server.client("admin") as admin:
        analytics = admin.get("/v1/analytics", params={"days": 366}).json()
        gaps = admin.get("/v1/gaps", params={"limit": 200}).json()["data"]
    mine = [g for g in gaps if CANARY in json.dumps(g)]
    assert {g["kind"] for g in mine} >= {"ask_expert", "negative_feedback"}
    # a search its filters emptied is no knowledge gap: the unfiltered search finds the canary
    assert "zero_results" not in {g["kind"] for g in mine}
    assert all(g["teams"] == ["emea-enterprise"] for g in mine)
    assert any(CANARY in q["query"] for q in analytics["top_queries"])
