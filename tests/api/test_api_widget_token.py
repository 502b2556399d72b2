"""CRM widget tokens: signed by the CRM's server (here: the test, with PyJWT, as the README's
recipe does), accepted for that user's visibility only, and only for that opportunity.

The canary reads of ``test_api_canary`` run with a token of a rep who is not in the EMEA
team — even one whose token claims that team — and find nothing of it.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pytest
from apiserver import CANARY, EMEA, WIDGET_SECRET, Server
from test_api_canary import assert_clean, reads

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]

OPPORTUNITY = {
    "id": "006-TEST-1",
    "stage": "Negotiation/Review",
    "industry": "Manufacturing",
    "competitors": ["Northwind"],
    "products": ["LumaFlow"],
    "notes": "Procurement asks for a discount",
}


def sign(
    user: str = "ana.rep",
    teams: list[str] | None = None,
    opp: dict[str, Any] | None = None,
    issued: float | None = None,
    lifetime: int = 300,
    secret: str = WIDGET_SECRET,
    **extra: Any,
) -> str:
    """What the CRM's server does for its signed-in user (the README's five lines)."""
    now = int(issued if issued is not None else time.time())
    claims = {
        "aud": "kms-widget",
        "sub": user,
        "teams": teams or [],
        "opp": opp or OPPORTUNITY,
        "iat": now,
        "exp": now + lifetime,
        **extra,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def widget(server: Server, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, timeout=120, headers={"Authorization": f"Bearer {token}"}
    )


def recommend(server: Server, token: str, **body: Any) -> httpx.Response:
    with widget(server, token) as client:
        return client.post("/v1/recommend", json={"stage": "Prospecting", **body})


def test_a_signed_token_answers_its_own_opportunity(server: Server) -> None:
    response = recommend(server, sign(), opportunity_id="006-TEST-1", limit=3)
    assert response.status_code == 200, response.text
    body = response.json()
    # the signed stage, not the one the request named
    assert body["stage"]["key"] == "negotiation"
    assert 0 < len(body["recommendations"]) <= 3
    assert body["winloss"][0]["filters"]["competitor"] == "northwind"
    with widget(server, sign()) as client:
        me = client.get("/v1/me").json()
        hits = client.post("/v1/search", json={"query": "price objection"}).json()
        assert client.get(f"/v1/assets/{hits['results'][0]['asset_id']}").status_code == 200
        vote = {"query_id": hits["query_id"], "asset_id": hits["results"][0]["asset_id"]}
        assert client.post("/v1/feedback", json={**vote, "helpful": True}).status_code == 201
    assert me == {"name": "ana.rep", "role": "rep", "teams": []}


def test_an_expired_token_cannot_be_replayed(server: Server) -> None:
    token = sign(issued=time.time() - 400, lifetime=300)
    response = recommend(server, token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


def test_a_token_is_not_good_for_another_opportunity(server: Server) -> None:
    response = recommend(server, sign(), opportunity_id="006-SOMEONE-ELSE")
    assert response.status_code == 403
    assert "another opportunity" in response.json()["error"]["message"]


def _tamper(token: str, **changes: Any) -> str:
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


# made when the test runs (a token made at collection could expire before its turn)
BAD_TOKENS: dict[str, Callable[[], str]] = {
    "tampered teams": lambda: _tamper(sign(), teams=[EMEA]),
    "tampered user": lambda: _tamper(sign(), sub="ada.admin"),
    "other secret": lambda: sign(secret="another-secret-of-32-characters-or-more!"),
    "other audience": lambda: sign(aud="someone-else"),
    "lives a day": lambda: sign(lifetime=24 * 3600),
    "unknown user": lambda: sign(user="no.such.person"),
    "no opportunity id": lambda: sign(opp={"stage": "Negotiation/Review"}),
    "alg none": lambda: jwt.encode({"sub": "ana.rep"}, key=None, algorithm="none"),
}


@pytest.mark.parametrize("bad", list(BAD_TOKENS))
def test_bad_tokens_are_refused(server: Server, bad: str) -> None:
    response = recommend(server, BAD_TOKENS[bad]())
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "bad_token"


def test_a_token_serves_the_widget_routes_only(server: Server) -> None:
    token = sign(user="ada.admin")  # even an admin's token is a rep's, for the widget
    with widget(server, token) as client:
        assert client.get("/v1/me").json()["role"] == "rep"
        for method, path in [
            ("GET", "/v1/assets"),
            ("GET", "/v1/gaps"),
            ("GET", "/v1/keys"),
            ("GET", "/v1/users"),
            ("GET", "/v1/audit"),
            ("GET", "/v1/graph/problems"),
        ]:
            response = client.request(method, path)
            assert response.status_code == 403, (path, response.text)


@pytest.mark.parametrize("claimed", [[], [EMEA]], ids=["own teams", "claims emea"])
def test_a_reps_token_never_sees_another_teams_assets(
    server: Server, canary_asset: int, claimed: list[str]
) -> None:
    with widget(server, sign(user="ana.rep", teams=claimed)) as client:
        assert client.get("/v1/me").json()["teams"] == []
        responses = reads(client, canary_asset)
    assert_clean(responses, canary_asset)


def test_the_emea_reps_token_does_see_it(server: Server, canary_asset: int) -> None:
    """The positive control: the same reads find the canary for its team."""
    with widget(server, sign(user="emil.emea", teams=[EMEA])) as client:
        assert CANARY in client.get(f"/v1/assets/{canary_asset}").text
        assert client.get("/v1/me").json()["teams"] == [EMEA]


def test_recommendations_hold_no_battlecard_for_a_competitor_not_in_the_deal(
    server: Server,
) -> None:
    def battlecards(competitors: list[str], stage: str) -> list[str]:
        opp = {**OPPORTUNITY, "competitors": competitors, "stage": stage}
        body = recommend(server, sign(opp=opp), limit=10).json()
        return [r["title"] for r in body["recommendations"] if r["kind"] == "battlecard"]

    for stage in ("Needs Analysis", "Proposal/Price Quote", "Negotiation/Review"):
        assert all("Northwind" in t for t in battlecards(["Northwind"], stage)), stage
        assert battlecards([], stage) == [], stage
    assert any("Northwind" in t for t in battlecards(["Northwind"], "Negotiation/Review"))
