"""Schemathesis over /openapi.json: generated requests to every operation, never a 500.

Runs last in the server's group (the file name sorts last) because it changes data. It
calls as the curator (who cannot see the restricted EMEA document, so fuzzing cannot
change it) and as the admin for the admin-only routes; revoking keys is left out so the
other keys keep working. The number of examples per operation is bounded.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from apiserver import Server
from hypothesis import HealthCheck, Phase, given, settings

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]

EXAMPLES = 20
ADMIN_ONLY = ("/v1/keys", "/v1/audit", "/v1/users")
SKIP = {("DELETE", "/v1/keys/{key_id}")}


def check_operation(server: Server, operation: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: schemathesis.Case) -> None:
        who = "admin" if case.path.startswith(ADMIN_ONLY) else "curator"
        response = case.call(base_url=server.url, headers={"X-API-Key": server.keys[who]})
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
        if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
            assert set(response.json()) == {"error"}, response.text

    run()


def test_no_server_errors(server: Server) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: list[str] = []
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        checked += 1
        try:
            check_operation(server, operation)
        except AssertionError as exc:
            failures.append(str(exc)[:500])
    assert checked >= 25
    assert not failures, "\n".join(failures)
