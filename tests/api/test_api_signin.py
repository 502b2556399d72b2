"""People sign in: the session cookie, CSRF, lockout, sign-out, audit, roles and replicas.

Against the real server of the API tests (people from ``conftest.PEOPLE``). One test starts
a second server on the same database, as a second API replica, to show that sessions and
lockout counters live in the database and not in a process.
"""

from __future__ import annotations

import re

import httpx
import pytest
from apiserver import (
    ADMIN_KEY,
    CANARY,
    CRM_ORIGIN,
    PASSWORD,
    WIDGET_SECRET,
    Server,
    cli_user,
    signed_in,
    start_server,
    stop_server,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]

SEARCH = {"query": "price objection", "log": False}


def login(server: Server, name: str, password: str, **headers: str) -> httpx.Response:
    with server.client() as anyone:
        return anyone.post(
            "/v1/auth/login", json={"name": name, "password": password}, headers=headers
        )


def audit(server: Server, action: str) -> list[dict[str, object]]:
    with server.client("admin") as admin:
        return admin.get("/v1/audit", params={"action": action, "limit": 200}).json()["data"]


def test_sign_in_sets_a_strict_httponly_session_cookie(server: Server) -> None:
    response = login(server, "ana.rep", PASSWORD)
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("kms_session=")
    for part in ("HttpOnly", "SameSite=strict", "Path=/"):
        assert part.lower() in cookie.lower(), cookie
    body = response.json()
    assert body["name"] == "ana.rep" and body["role"] == "rep" and body["teams"] == []
    assert re.fullmatch(r"[0-9a-f]{64}", body["csrf"])
    token = cookie.split(";")[0].split("=", 1)[1]
    assert token not in response.text  # the session token travels in the cookie only
    with signed_in(server, "ana.rep") as ana:
        assert ana.get("/v1/auth/session").json()["name"] == "ana.rep"
        assert ana.get("/v1/me").json() == {"name": "ana.rep", "role": "rep", "teams": []}
        assert ana.post("/v1/search", json=SEARCH).status_code == 200


def test_every_sign_in_is_audited(server: Server) -> None:
    before = len(audit(server, "auth.signin"))
    with signed_in(server, "cora.curator"):
        pass
    entries = audit(server, "auth.signin")
    assert len(entries) == before + 1
    assert entries[0]["actor"].endswith("cora.curator")  # type: ignore[union-attr]
    assert entries[0]["detail"]["method"] == "password"  # type: ignore[index]


def test_a_change_with_the_cookie_needs_its_csrf_token(server: Server) -> None:
    with signed_in(server, "ana.rep") as ana:
        csrf = ana.headers.pop("X-CSRF-Token")
        missing = ana.post("/v1/search", json=SEARCH)
        wrong = ana.post("/v1/search", json=SEARCH, headers={"X-CSRF-Token": "0" * 64})
        right = ana.post("/v1/search", json=SEARCH, headers={"X-CSRF-Token": csrf})
        reads = ana.get("/v1/stages")  # reading needs no token
    assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    assert missing.json()["error"]["code"] == wrong.json()["error"]["code"] == "csrf"
    assert reads.status_code == 200


def test_a_session_cookie_cannot_be_used_cross_site(server: Server) -> None:
    """The cookie is SameSite=Strict (a browser never sends it from another site: the
    browser tests show it); and a change that names another site as its origin is refused
    even with the right CSRF token, as is a sign-in posted from another site. CORS never
    lets another origin send credentials."""
    with signed_in(server, "ana.rep") as ana:
        for headers in ({"Origin": CRM_ORIGIN}, {"Sec-Fetch-Site": "cross-site"}):
            refused = ana.post("/v1/search", json=SEARCH, headers=headers)
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf"
        assert ana.post("/v1/search", json=SEARCH, headers={"Origin": server.url}).is_success
    assert login(server, "ana.rep", PASSWORD, Origin="https://evil.example").status_code == 403
    with server.client() as browser:
        preflight = browser.options(
            "/v1/search",
            headers={
                "Origin": CRM_ORIGIN,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-csrf-token",
            },
        )
    assert "access-control-allow-credentials" not in preflight.headers


def test_wrong_password_and_unknown_name_answer_alike(server: Server) -> None:
    wrong = login(server, "ana.rep", "not the password")
    unknown = login(server, "nobody.here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "set-cookie" not in wrong.headers


def test_repeated_wrong_passwords_lock_the_name(server: Server) -> None:
    cli_user(server.data_dir, "lee.locked", "rep", [])
    failed_before = len(audit(server, "auth.signin_failed"))
    answers = [login(server, "lee.locked", f"guess number {i}").status_code for i in range(5)]
    assert answers == [401] * 5
    locked = login(server, "lee.locked", PASSWORD)  # even the right password, now
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "locked"
    assert int(locked.headers["retry-after"]) > 60
    assert len(audit(server, "auth.signin_failed")) == failed_before + 5
    assert any(e["target"] == "name:lee.locked" for e in audit(server, "auth.locked"))
    # a name that does not exist locks the same way, so a lockout reveals nothing
    for i in range(5):
        login(server, "ghost.user", f"guess {i}")
    assert login(server, "ghost.user", "x").json()["error"]["code"] == "locked"


def test_sign_out_ends_the_session_everywhere(server: Server) -> None:
    with signed_in(server, "ana.rep") as ana:
        cookies = dict(ana.cookies)
        with httpx.Client(base_url=server.url, cookies=cookies) as other_tab:
            assert other_tab.get("/v1/me").status_code == 200
            out = ana.post("/v1/auth/logout")
            assert out.status_code == 204
            assert "max-age=0" in out.headers["set-cookie"].lower()
            assert other_tab.get("/v1/me").status_code == 401
        assert any(e["action"] == "auth.signout" for e in audit(server, "auth.signout"))


def test_roles_and_teams_hold_for_people(server: Server, canary_asset: int) -> None:
    with signed_in(server, "ana.rep") as ana, signed_in(server, "emil.emea") as emil:
        assert ana.get("/v1/gaps").status_code == 403
        assert ana.get("/v1/users").status_code == 403
        assert ana.get(f"/v1/assets/{canary_asset}").status_code == 404
        assert CANARY in emil.get(f"/v1/assets/{canary_asset}").text
    with signed_in(server, "cora.curator") as cora:
        assert cora.get("/v1/gaps").status_code == 200
        assert cora.get("/v1/users").status_code == 403
    with signed_in(server, "ada.admin") as ada:
        names = [u["name"] for u in ada.get("/v1/users").json()["data"]]
        assert {"ana.rep", "emil.emea", "cora.curator", "ada.admin"} <= set(names)


def test_admins_add_people_and_deactivating_signs_them_out(server: Server) -> None:
    with signed_in(server, "ada.admin") as ada:
        made = ada.post(
            "/v1/users",
            json={"name": "Dana.New", "role": "rep", "teams": ["apac"], "password": PASSWORD},
        )
        assert made.status_code == 201, made.text
        dana = made.json()
        assert dana["name"] == "dana.new" and dana["has_password"] and not dana["sso"]
        assert "password" not in made.text.replace('"has_password"', "")
        taken = ada.post("/v1/users", json={"name": "dana.new", "role": "rep"})
        assert taken.status_code == 422
        with signed_in(server, "dana.new") as dana_session:
            assert dana_session.get("/v1/me").json()["teams"] == ["apac"]
            assert ada.patch(f"/v1/users/{dana['id']}", json={"active": False}).is_success
            assert dana_session.get("/v1/me").status_code == 401
        assert login(server, "dana.new", PASSWORD).status_code == 401
    assert any(e["action"] == "user.update" for e in audit(server, "user.update"))


def test_a_key_for_a_person_sees_what_they_see(server: Server, canary_asset: int) -> None:
    with server.client("admin") as admin:
        made = admin.post(
            "/v1/keys", json={"role": "curator", "user": "emil.emea", "name": "emil's script"}
        )
        assert made.status_code == 201, made.text
        assert made.json()["user"] == "emil.emea"
        both = admin.post("/v1/keys", json={"role": "rep", "user": "emil.emea", "teams": ["x"]})
        assert both.status_code == 422
    key = made.json()["key"]
    with server.client() as machine:
        machine.headers["X-API-Key"] = key
        me = machine.get("/v1/me").json()
        assert me["role"] == "rep"  # at most the person's role
        assert me["teams"] == ["emea-enterprise"]
        assert machine.get(f"/v1/assets/{canary_asset}").status_code == 200
        assert machine.get("/v1/gaps").status_code == 403


def test_the_demo_sign_in_is_printed_once_and_works(server: Server) -> None:
    log = "\n".join(server.log_lines())
    passwords = re.findall(r"user: demo\s+password: (\S+)", log)
    assert len(passwords) == 1
    assert log.count(passwords[0]) == 1  # in the banner, never in a log line
    with signed_in(server, "demo", passwords[0]) as demo:
        assert demo.get("/v1/auth/session").json()["role"] == "admin"
    with server.client() as anyone:
        page = anyone.get("/signin").text + anyone.get("/v1/auth/config").text
    assert passwords[0] not in page and ADMIN_KEY not in page
    with server.client() as anyone:
        assert anyone.get("/v1/auth/config").json() == {"sso": False, "demo": True}


def test_replicas_share_sessions_and_lockout(server: Server) -> None:
    """A second API process on the same database: a session made on one works on the
    other, signing out on one ends it on both, and failures add up across them."""
    env = {
        "KMS_DEMO": None,
        "KMS_RATE_LIMIT_PER_MINUTE": "100000",
        "KMS_WIDGET_SECRET": WIDGET_SECRET,
        "KMS_REPLICA_ID": "second",  # its own index replica: no process writes another's
    }
    replica = start_server(server.data_dir, env, name="replica")
    try:
        with signed_in(server, "ana.rep") as ana:
            csrf = ana.headers["X-CSRF-Token"]
            with httpx.Client(base_url=replica.url, cookies=dict(ana.cookies)) as on_b:
                on_b.headers["X-CSRF-Token"] = csrf
                assert on_b.get("/v1/me").json()["name"] == "ana.rep"
                assert on_b.post("/v1/search", json=SEARCH).status_code == 200
                assert on_b.post("/v1/auth/logout").status_code == 204
            assert ana.get("/v1/me").status_code == 401
        cli_user(server.data_dir, "rory.replica", "rep", [])
        for i in range(3):
            assert login(server, "rory.replica", f"wrong {i}").status_code == 401
        for i in range(2):
            assert login(replica, "rory.replica", f"wrong again {i}").status_code == 401
        assert login(server, "rory.replica", PASSWORD).status_code == 429
    finally:
        stop_server(replica)
