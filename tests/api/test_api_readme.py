"""Docs are code: the README's curl examples and its widget-signing recipe work against a
real server."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import jwt
import pytest
from apiserver import WIDGET_SECRET, Server

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


def readme_signing_recipe() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Embedding the widget in a CRM") :]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_readme_signing_recipe_works(server: Server) -> None:
    """The README's five lines, as a CRM's server runs them, give a token the API takes."""
    recipe = readme_signing_recipe()
    assert len(recipe.strip().splitlines()) == 5
    scope = {
        "time": time,
        "jwt": jwt,
        "opportunity_id": "006-README",
        "user": "ana.rep",
        "teams": [],
        "KMS_WIDGET_SECRET": WIDGET_SECRET,
    }
    exec(recipe, scope)
    assert f'data-token="{scope["token"]}"' in scope["page"]
    with server.client() as crm_page:
        response = crm_page.post(
            "/v1/recommend",
            json={"opportunity_id": "006-README", "stage": "Needs Analysis"},
            headers={"Authorization": f"Bearer {scope['token']}"},
        )
    assert response.status_code == 200, response.text
    assert response.json()["stage"]["key"] == "discovery"
