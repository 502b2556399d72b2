"""The per-key rate limit: the token bucket as a pure object, then 429 from a live server.

The live check starts a second, empty server (no demo) with a limit of 3 requests a
minute, so it cannot disturb the shared server's other tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from apiserver import Server, start_server, stop_server

from api.ratelimit import RateLimiter
from kms.core.errors import RateLimited

pytestmark = [pytest.mark.xdist_group("api-server")]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("per_minute", "calls", "allowed"),
    [
        (3, 3, [True, True, True]),
        (3, 4, [True, True, True, False]),
        (60, 2, [True, True]),
        (0, 5, [True] * 5),  # 0 disables the limit
    ],
)
def test_bucket_allows_a_burst_up_to_the_limit(
    per_minute: int, calls: int, allowed: list[bool]
) -> None:
    limiter = RateLimiter(per_minute, clock=Clock())
    assert [limiter.wait_time("k") == 0.0 for _ in range(calls)] == allowed


def test_bucket_refills_and_keys_are_separate() -> None:
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)  # one token every 10 s
    assert all(limiter.wait_time(1) == 0.0 for _ in range(6))
    assert limiter.wait_time(1) == pytest.approx(10.0)
    assert limiter.wait_time(2) == 0.0  # another key has its own bucket
    clock.now += 10.0
    assert limiter.wait_time(1) == 0.0
    with pytest.raises(RateLimited) as caught:
        limiter.check(1)
    assert caught.value.detail == {"retry_after": 10}


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir: Path = tmp_path_factory.mktemp("api-limited") / "data"
    server = start_server(data_dir, {"KMS_DEMO": "0", "KMS_RATE_LIMIT_PER_MINUTE": "3"})
    yield server
    stop_server(server)


@pytest.mark.slow
def test_over_the_limit_is_429_with_retry_after(limited_server: Server) -> None:
    with limited_server.client("admin") as admin:
        statuses = [admin.get("/v1/me").status_code for _ in range(4)]
        refused = admin.get("/v1/me")
    assert statuses == [200, 200, 200, 429]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 20
    with limited_server.client() as anyone:
        assert anyone.get("/health").status_code == 200  # unauthenticated routes are not keyed
