"""Fixtures for the API tests: one real uvicorn server per session, four keys, four people.

The server (``apiserver.start_server``) runs ``uvicorn --factory api.app:create_app`` with
``KMS_DEMO=1`` in a fresh data directory, so the demo knowledge base is built at start-up
(the embedding cache is shared, so only the first run encodes). Keys: the development admin
key, and a rep with no team, a rep in ``emea-enterprise`` and a curator with no team, all
created with ``kms keys create`` against the same data directory. People (``kms users
add``, password ``apiserver.PASSWORD``): ``ana.rep`` (rep, no team), ``emil.emea`` (rep in
``emea-enterprise``), ``cora.curator`` (curator, no team) and ``ada.admin`` (admin).

Every module here is marked ``xdist_group("api-server")``: with ``--dist loadgroup`` they
all run on one worker, which starts the server once.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from apiserver import (
    CRM_ORIGIN,
    EMEA,
    UPLOAD_LIMIT,
    Server,
    cli_key,
    cli_user,
    start_server,
    stop_server,
)

PEOPLE = {
    "ana.rep": ("rep", []),
    "emil.emea": ("rep", [EMEA]),
    "cora.curator": ("curator", []),
    "ada.admin": ("admin", []),
}


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("api") / "data"
    env: dict[str, str | None] = {
        "KMS_DEMO": "1",
        "KMS_RATE_LIMIT_PER_MINUTE": "100000",
        "KMS_UPLOAD_MAX_BYTES": str(UPLOAD_LIMIT),
        "KMS_CORS_ORIGINS": CRM_ORIGIN,
    }
    running = start_server(data_dir, env)
    try:
        running.keys["rep"] = cli_key(data_dir, "rep", [], "rep-no-team")
        running.keys["rep_emea"] = cli_key(data_dir, "rep", [EMEA], "rep-emea")
        running.keys["curator"] = cli_key(data_dir, "curator", [], "curator-no-team")
        for name, (role, teams) in PEOPLE.items():
            cli_user(data_dir, name, role, teams)
        yield running
    finally:
        stop_server(running)


@pytest.fixture(scope="session")
def canary_asset(server: Server) -> int:
    """The id of the restricted demo document (found as the admin, who sees every team)."""
    with server.client("admin") as admin:
        found = admin.get("/v1/assets", params={"team": EMEA, "limit": 50}).json()["data"]
    ids = [a["id"] for a in found if a["file_name"] == "emea-pricing-exceptions.md"]
    assert ids, "the demo must hold the restricted EMEA document"
    return int(ids[0])


@pytest.fixture(scope="session")
def public_asset(server: Server) -> dict[str, object]:
    """An approved public document with a stored file."""
    with server.client("rep") as rep:
        page = rep.get("/v1/assets", params={"kind": "battlecard", "limit": 50}).json()["data"]
    return next(a for a in page if a["has_file"] and not a["teams"])
