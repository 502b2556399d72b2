"""Reserved team names (``__public__``, anything starting ``__``) are refused at every entry
point with a clear error naming the field, before anything is written; the server still
starts after each attempt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from apiserver import REPO, Server, cli_key, start_server, stop_server

pytestmark = [pytest.mark.slow]

RESERVED = "__public__"


def refused(response: object, field: str = "teams") -> None:
    status = getattr(response, "status_code", None)
    body = response.json()  # type: ignore[attr-defined]
    assert status == 422, body
    detail = body["error"]["detail"]
    fields = [d["field"] for d in detail] if isinstance(detail, list) else [detail["field"]]
    assert fields[0] in (field, f"body.{field}")
    assert "reserved" in json.dumps(body)


def api_attempts(server: Server) -> None:
    files = [("files", ("reserved.md", b"# Reserved\n\nA note for team B.\n"))]
    with server.client("admin") as admin:
        refused(admin.post("/v1/ingest", files=files, data={"teams": f"team-b,{RESERVED}"}))
        refused(admin.post("/v1/keys", json={"role": "rep", "teams": [RESERVED]}))
        refused(admin.post("/v1/gaps", json={"title": "never", "teams": ["__x"]}))
        asset_id = admin.get("/v1/assets", params={"limit": 1}).json()["data"][0]["id"]
        before = admin.get(f"/v1/assets/{asset_id}").json()["teams"]
        refused(admin.patch(f"/v1/assets/{asset_id}", json={"teams": [RESERVED]}))
        assert admin.get(f"/v1/assets/{asset_id}").json()["teams"] == before  # nothing written
        audit = admin.get("/v1/audit", params={"limit": 200}).text
    assert RESERVED not in audit


def kms(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KMS_DATA_DIR": str(data_dir), "COLUMNS": "500"}
    command = [sys.executable, "-m", "kms.cli", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def cli_attempts(data_dir: Path, tmp_path: Path) -> None:
    keys = kms(data_dir, "keys", "create", "--role", "rep", "--team", RESERVED)
    assert keys.returncode == 2 and "reserved" in keys.stderr
    doc = tmp_path / "note.md"
    doc.write_text("# Note\n\nSomething for a team.\n", encoding="utf-8")
    flag = kms(data_dir, "ingest", str(doc), "--team", RESERVED)
    assert flag.returncode == 2 and "--team" in flag.stderr
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "doc.md").write_text("# Doc\n\nManifest teams.\n", encoding="utf-8")
    (folder / "manifest.yaml").write_text(
        f"files:\n  doc.md: {{teams: [{RESERVED}]}}\n", encoding="utf-8"
    )
    manifest = kms(data_dir, "ingest", str(folder))
    assert manifest.returncode == 2 and "manifest.yaml" in manifest.stderr
    notes = tmp_path / "notes.jsonl"
    notes.write_text(json.dumps({"deal_id": "R-1", "outcome": "won", "teams": [RESERVED]}) + "\n")
    problems = tmp_path / "map.yaml"
    problems.write_text(f"problems:\n  - {{key: p1, name_en: P one, teams: [{RESERVED}]}}\n")
    records = kms(data_dir, "ingest", str(notes), str(problems))
    assert records.returncode == 1
    assert records.stderr.count("is reserved") == 2
    assert "notes.jsonl:1 [teams]" in records.stderr and "map.yaml:2 [teams]" in records.stderr


def test_reserved_names_are_refused_and_the_server_restarts(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    cli_attempts(data_dir, tmp_path)
    doc = tmp_path / "seed.md"
    doc.write_text("# Seed\n\nOne public document so there is an asset to patch.\n")
    assert kms(data_dir, "ingest", str(doc)).returncode == 0
    env = {"KMS_RATE_LIMIT_PER_MINUTE": "100000"}
    server = start_server(data_dir, env)
    try:
        server.keys["curator"] = cli_key(data_dir, "curator", [], "curator")
        api_attempts(server)
    finally:
        stop_server(server)
    again = start_server(data_dir, env)  # raises unless /ready answers 200
    try:
        with again.client("admin") as admin:
            assert admin.get("/v1/me").status_code == 200
    finally:
        stop_server(again)
