"""401 / 403 / 404 for every route, from an inventory of ``app.routes``.

``ACCESS`` classifies every route the app serves; a route that is added without being
classified here fails ``test_every_route_is_classified``. Each /v1 route is then called
without a key (401), with an unknown key (401), with every role below its own (403), and
with ids that do not exist or that the caller may not see (404, never 403).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from apiserver import Server
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from api.app import create_app
from kms.core.config import Settings

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]

PUBLIC = "public"
SIGN_IN = "sign-in"  # signing in and out: no credential needed (tests/api/test_api_signin.py)
RANKS = {"rep": 0, "curator": 1, "admin": 2}
MISSING = 987_654

# (method, path) → who may call it. Pages and docs are public; signing in needs nothing;
# every other /v1 route needs a credential (key, session or widget token).
ACCESS: dict[tuple[str, str], str] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
    ("GET", "/metrics"): "admin",
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/"): PUBLIC,
    ("GET", "/widget"): PUBLIC,
    ("GET", "/widget.js"): PUBLIC,
    ("GET", "/console"): PUBLIC,
    ("GET", "/signin"): PUBLIC,
    ("GET", "/demo/crm.html"): PUBLIC,
    ("GET", "/v1/auth/config"): SIGN_IN,
    ("POST", "/v1/auth/login"): SIGN_IN,
    ("GET", "/v1/auth/session"): SIGN_IN,
    ("POST", "/v1/auth/logout"): SIGN_IN,
    ("GET", "/v1/auth/oidc/login"): SIGN_IN,
    ("GET", "/v1/auth/oidc/callback"): SIGN_IN,
    ("GET", "/demo/widget-token"): "rep",
    ("MOUNT", "/static"): PUBLIC,
    ("POST", "/v1/search"): "rep",
    ("POST", "/v1/answer"): "rep",
    ("POST", "/v1/recommend"): "rep",
    ("POST", "/v1/expert"): "rep",
    ("GET", "/v1/stages"): "rep",
    ("GET", "/v1/me"): "rep",
    ("GET", "/v1/me/answered"): "rep",
    ("GET", "/v1/assets"): "rep",
    ("GET", "/v1/assets/{asset_id}"): "rep",
    ("GET", "/v1/assets/{asset_id}/file"): "rep",
    ("PATCH", "/v1/assets/{asset_id}"): "curator",
    ("POST", "/v1/assets/{asset_id}/retire"): "curator",
    ("DELETE", "/v1/assets/{asset_id}"): "curator",
    ("POST", "/v1/ingest"): "curator",
    ("GET", "/v1/jobs/{job_id}"): "curator",
    ("GET", "/v1/index/check"): "admin",
    ("GET", "/v1/graph/problems"): "rep",
    ("GET", "/v1/graph/problems/{problem_id}"): "rep",
    ("GET", "/v1/graph/entities"): "rep",
    ("POST", "/v1/feedback"): "rep",
    ("GET", "/v1/gaps"): "curator",
    ("POST", "/v1/gaps"): "curator",
    ("POST", "/v1/gaps/detect"): "curator",
    ("GET", "/v1/gaps/{gap_id}"): "curator",
    ("PATCH", "/v1/gaps/{gap_id}"): "curator",
    ("POST", "/v1/gaps/{gap_id}/answer"): "curator",
    ("GET", "/v1/gaps/{gap_id}/similar"): "curator",
    ("POST", "/v1/gaps/{gap_id}/merge"): "curator",
    ("POST", "/v1/queries/{query_id}/opened"): "rep",
    ("GET", "/v1/analytics"): "curator",
    ("GET", "/v1/keys"): "admin",
    ("POST", "/v1/keys"): "admin",
    ("DELETE", "/v1/keys/{key_id}"): "admin",
    ("GET", "/v1/audit"): "admin",
    ("GET", "/v1/users"): "admin",
    ("POST", "/v1/users"): "admin",
    ("PATCH", "/v1/users/{user_id}"): "admin",
}

# A valid body per route that takes one (so only authorisation can fail).
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/v1/search"): {"query": "price objection", "log": False},
    ("POST", "/v1/answer"): {"query": "price objection", "log": False},
    ("POST", "/v1/recommend"): {"stage": "negotiation"},
    ("POST", "/v1/expert"): {"query": "an access probe's question"},
    ("PATCH", "/v1/assets/{asset_id}"): {},
    ("POST", "/v1/feedback"): {"query_id": MISSING, "asset_id": MISSING, "helpful": True},
    ("POST", "/v1/gaps"): {"title": "never created"},
    ("PATCH", "/v1/gaps/{gap_id}"): {},
    ("POST", "/v1/gaps/{gap_id}/answer"): {"text": "an answer"},
    ("POST", "/v1/gaps/{gap_id}/merge"): {"into": 1},
    ("POST", "/v1/keys"): {"role": "rep"},
    ("POST", "/v1/users"): {"name": "never-created", "role": "rep"},
    ("PATCH", "/v1/users/{user_id}"): {},
}
V1 = sorted(k for k, v in ACCESS.items() if v not in (PUBLIC, SIGN_IN))
# a result opened on a query that is not the caller's is not counted and answers 204 like any
# other: whether the query exists is not told (test_api_answers checks it is not counted)
SILENT = {("POST", "/v1/queries/{query_id}/opened")}
WITH_ID = [k for k in V1 if "{" in k[1] and k not in SILENT]


def inventory() -> set[tuple[str, str]]:
    """Every (method, path) the app serves; mounts as ("MOUNT", path)."""
    app = create_app(Settings(data_dir=Path("unused-data-dir")))
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            found.add(("MOUNT", str(route.path)))
        else:
            found |= {(m, str(route.path)) for m in route.methods or set() if m != "HEAD"}
    return found


def call(server: Server, who: str | None, route: tuple[str, str], ids: int = MISSING) -> Any:
    method, path = route
    url = path.format(
        asset_id=ids, job_id=ids, problem_id=ids, gap_id=ids, key_id=ids, user_id=ids, query_id=ids
    )
    kwargs: dict[str, Any] = {}
    if route in BODIES:
        kwargs["json"] = BODIES[route]
    if route == ("POST", "/v1/ingest"):
        kwargs["files"] = [("files", ("a.txt", b"hello", "text/plain"))]
    with server.client(who) as client:
        return client.request(method, url, **kwargs)


def test_every_route_is_classified() -> None:
    routes = inventory()
    assert sorted(routes - set(ACCESS)) == [], "classify new routes in ACCESS"
    assert sorted(set(ACCESS) - routes) == [], "ACCESS names routes that no longer exist"


@pytest.mark.parametrize("route", V1, ids=lambda r: f"{r[0]} {r[1]}")
def test_no_key_is_401(server: Server, route: tuple[str, str]) -> None:
    response = call(server, None, route)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("route", V1, ids=lambda r: f"{r[0]} {r[1]}")
def test_unknown_key_is_401(server: Server, route: tuple[str, str]) -> None:
    method, path = route
    with server.client() as client:
        bad = {"Authorization": "Bearer kms_00000000_not-a-real-key"}
        response = client.request(method, path.format_map(_Ids()), headers=bad)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


@pytest.mark.parametrize(
    "route", [r for r in V1 if ACCESS[r] != "rep"], ids=lambda r: f"{r[0]} {r[1]}"
)
def test_lower_roles_are_403(server: Server, route: tuple[str, str]) -> None:
    needed = RANKS[ACCESS[route]]
    for who in ("rep", "rep_emea", "curator"):
        if RANKS[who.split("_")[0]] < needed:
            response = call(server, who, route)
            assert response.status_code == 403, (who, response.text)
            assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("route", WITH_ID, ids=lambda r: f"{r[0]} {r[1]}")
def test_missing_ids_are_404(server: Server, route: tuple[str, str]) -> None:
    response = call(server, ACCESS[route], route)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


ASSET_ROUTES = [r for r in WITH_ID if "{asset_id}" in r[1]]


@pytest.mark.parametrize("route", ASSET_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_invisible_asset_is_404_not_403(
    server: Server, canary_asset: int, route: tuple[str, str]
) -> None:
    for who in ("rep", "curator"):
        if RANKS[who] >= RANKS[ACCESS[route]]:
            response = call(server, who, route, ids=canary_asset)
            assert response.status_code == 404, (who, response.text)
            error = response.json()["error"]
            assert (error["code"], error["message"]) == ("not_found", f"no asset {canary_asset}")


def test_other_callers_job_is_404(server: Server) -> None:
    with server.client("admin") as admin:
        files = [("files", ("hello.txt", b"a short note for the job test", "text/plain"))]
        job_id = admin.post("/v1/ingest", files=files).json()["job_id"]
    with server.client("curator") as curator:
        assert curator.get(f"/v1/jobs/{job_id}").status_code == 404
    with server.client("admin") as admin:
        assert admin.get(f"/v1/jobs/{job_id}").status_code == 200


def test_feedback_on_someone_elses_query_is_404(server: Server, public_asset: dict) -> None:
    with server.client("rep_emea") as emea:
        query_id = emea.post("/v1/search", json={"query": "pricing"}).json()["query_id"]
    with server.client("rep") as rep:
        vote = {"query_id": query_id, "asset_id": public_asset["id"], "helpful": True}
        assert rep.post("/v1/feedback", json=vote).status_code == 404


class _Ids(dict[str, int]):
    def __missing__(self, key: str) -> int:
        return MISSING
