"""No team can overwrite, take over or learn of another team's knowledge by reusing a name.

Two teams' curators (``team-a``, ``team-b``) upload a document, a win/loss note and a
problem map under the same file name, deal id and problem key. Each upload by team B is
a new, separate asset (the job says "added", exactly as for a fresh name), team A's
knowledge is unchanged for team A, and nothing of A's reaches B. Moving an asset between
teams is an admin action.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from apiserver import Server, cli_key, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]

A, B = "team-a", "team-b"
PLAN = "canary-lantern-plan.md"


@pytest.fixture(scope="module")
def teams(server: Server) -> Server:
    for role, team in [("curator", A), ("curator", B), ("rep", A), ("rep", B)]:
        server.keys[f"{role}_{team}"] = cli_key(server.data_dir, role, [team], f"{role}-{team}")
    return server


def upload(client: httpx.Client, name: str, body: bytes, teams: str | None) -> dict[str, Any]:
    data = {"teams": teams} if teams is not None else {}
    response = client.post("/v1/ingest", files=[("files", (name, body))], data=data)
    assert response.status_code == 202, response.text
    return wait_for_job(client, response.json()["job_id"])


def counts(job: dict[str, Any]) -> tuple[str, int, int, int]:
    return job["status"], job["added"], job["updated"], job["failed"]


def assets_named(client: httpx.Client, words: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get("/v1/assets", params={"q": words}).json()["data"]
    return found


def test_a_file_name_reused_by_another_team_is_a_separate_asset(teams: Server) -> None:
    with teams.client(f"curator_{A}") as a, teams.client(f"curator_{B}") as b:
        first = upload(a, PLAN, b"# Lantern plan\n\nTeam A's lantern route: harbour gate 7.\n", A)
        assert counts(first) == ("done", 1, 0, 0)
        public = upload(b, PLAN, b"# Lantern plan\n\nA public plan from team B.\n", None)
        taken = upload(b, PLAN, b"# Lantern plan\n\nOverwritten by B: nothing here.\n", B)
        # the same answers as for a name nobody used: no hint that A's exists
        assert counts(public) == counts(taken) == ("done", 1, 0, 0)
        again = upload(b, PLAN, b"# Lantern plan\n\nB's plan, second version.\n", None)
        assert counts(again) == ("done", 0, 1, 0)  # its own asset: a new version
        into_a = b.post("/v1/ingest", files=[("files", (PLAN, b"x y z"))], data={"teams": A})
        assert into_a.status_code == 422 and into_a.json()["error"]["detail"]["field"] == "teams"
    with teams.client(f"rep_{A}") as rep_a, teams.client(f"rep_{B}") as rep_b:
        mine = [x for x in assets_named(rep_a, "Lantern plan") if x["teams"] == [A]]
        assert len(mine) == 1
        detail = rep_a.get(f"/v1/assets/{mine[0]['id']}").json()
        assert "harbour gate 7" in detail["chunks"][0]["text"]
        assert rep_b.get(f"/v1/assets/{mine[0]['id']}").status_code == 404
        query = {"query": "lantern route harbour gate", "log": False, "limit": 50}
        theirs = rep_b.post("/v1/search", json=query).text
        assert "harbour gate 7" not in theirs and str(mine[0]["id"]) not in _ids(theirs)
    with teams.client("admin") as admin:
        plans = [x for x in assets_named(admin, "Lantern plan") if x["file_name"] == PLAN]
    assert sorted(tuple(x["teams"]) for x in plans) == [(), (A,), (B,)]


def test_a_deal_id_reused_by_another_team_is_a_separate_outcome(teams: Server) -> None:
    won = {
        "deal_id": "D-LANTERN-1",
        "account": "Lantern Co",
        "outcome": "won",
        "notes": "A won it.",
    }
    lost = {**won, "outcome": "lost", "account": "Overwritten by B", "notes": "B lost."}
    with teams.client(f"curator_{A}") as a, teams.client(f"curator_{B}") as b:
        assert counts(upload(a, "a-notes.jsonl", _jsonl(won), A)) == ("done", 1, 0, 0)
        assert counts(upload(b, "b-notes.jsonl", _jsonl(lost), B)) == ("done", 1, 0, 0)
        # a record may not name a team of others either: refused with its line and field
        sneaky = {**lost, "deal_id": "D-LANTERN-2", "teams": [A]}
        job = upload(b, "b-more.jsonl", _jsonl(sneaky), B)
        assert counts(job) == ("done", 0, 0, 1)
        assert (job["errors"][0]["line"], job["errors"][0]["field"]) == (1, "teams")
    with teams.client(f"rep_{A}") as rep_a:
        notes = [x for x in assets_named(rep_a, "Lantern Co") if x["kind"] == "winloss_note"]
        assert [x["title"] for x in notes] == ["Won: Lantern Co"]
        assert assets_named(rep_a, "Overwritten by B") == []


def test_a_problem_key_reused_by_another_team_reveals_nothing(teams: Server) -> None:
    hidden = "problems:\n  - {key: lantern-gap, name_en: Lantern gap, name_zh: 秘密灯笼缺口}\n"
    mine = "problems:\n  - {key: lantern-gap, name_en: Lantern gap (team B)}\n"
    with teams.client(f"curator_{A}") as a, teams.client(f"curator_{B}") as b:
        assert counts(upload(a, "a-map.yaml", hidden.encode(), A)) == ("done", 1, 0, 0)
        assert counts(upload(b, "b-map.yaml", mine.encode(), B)) == ("done", 1, 0, 0)
    with teams.client(f"rep_{B}") as rep_b, teams.client(f"rep_{A}") as rep_a:
        seen_b = rep_b.get("/v1/graph/problems", params={"q": "lantern"}).json()["data"]
        assert [(p["name_en"], p["name_zh"]) for p in seen_b] == [("Lantern gap (team B)", "")]
        everything = rep_b.get("/v1/graph/entities", params={"limit": 200}).text
        assert "秘密灯笼缺口" not in everything
        seen_a = rep_a.get("/v1/graph/problems", params={"q": "lantern"}).json()["data"]
        assert [(p["name_en"], p["name_zh"]) for p in seen_a] == [("Lantern gap", "秘密灯笼缺口")]


def test_moving_an_asset_between_teams_is_an_admin_action(teams: Server) -> None:
    with teams.client(f"curator_{A}") as a:
        job = upload(a, "move-me.md", b"# Move me\n\nA note that team A keeps.\n", A)
        asset = next(x for x in assets_named(a, "Move me") if x["teams"] == [A])
        url = f"/v1/assets/{asset['id']}"
        to_b = a.patch(url, json={"teams": [B]})
        assert to_b.status_code == 403 and to_b.json()["error"]["detail"]["field"] == "teams"
        assert a.patch(url, json={"teams": [A], "owner": "A team"}).status_code == 200
    assert job["status"] == "done"
    with teams.client(f"curator_{B}") as b:
        assert b.patch(url, json={"teams": [B]}).status_code == 404  # cannot see it at all
    with teams.client("curator") as public_curator:  # a public asset stays public
        public = assets_named(public_curator, "Lantern plan")
        mine = next(x for x in public if not x["teams"])
        restrict = public_curator.patch(f"/v1/assets/{mine['id']}", json={"teams": ["x"]})
        assert restrict.status_code == 403
    with teams.client("admin") as admin:
        moved = admin.patch(url, json={"teams": [B]})
        assert moved.status_code == 200 and moved.json()["teams"] == [B]


def _jsonl(*records: dict[str, Any]) -> bytes:
    return "\n".join(json.dumps(r) for r in records).encode()


def _ids(text: str) -> set[str]:
    found: set[str] = set()

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif key == "asset_id":
            found.add(str(node))

    walk(json.loads(text))
    return found
