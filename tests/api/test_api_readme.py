"""Docs are code: the README's curl examples work against a real server."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from apiserver import Server

pytestmark = pytest.mark.xdist_group("api-server")

README = Path(__file__).resolve().parents[2] / "README.md"
CURL_JSON = re.compile(r"\$API/(?P<path>[a-z/]+) -d '(?P<body>\{.*\})'")


def readme_examples() -> list[tuple[str, dict[str, object]]]:
    text = README.read_text(encoding="utf-8")
    return [(m["path"], json.loads(m["body"])) for m in CURL_JSON.finditer(text)]


def test_readme_has_the_api_examples() -> None:
    assert [path for path, _ in readme_examples()] == ["search", "answer", "recommend"]


@pytest.mark.parametrize(("path", "body"), readme_examples())
def test_readme_example_works(server: Server, path: str, body: dict[str, object]) -> None:
    with server.client("admin") as admin:
        response = admin.post(
            f"/v1/{path}", json={**body, "log": False} if path != "recommend" else body
        )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data.get("results") or data.get("assets") or data.get("recommendations"), data.keys()
