"""Per-key rate limit: a token bucket per key.

Each API key has a bucket of ``per_minute`` tokens that refills continuously at
``per_minute / 60`` tokens a second; a request takes one token, and a request that finds
the bucket empty is refused with the seconds until a token is back (``Retry-After``).
Bursts up to the full minute's allowance are allowed.

The server keeps the buckets in the database (``SharedRateLimiter`` over
``kms.services.ratelimits.take_token``), so a key's limit holds across every API replica
of a deployment. ``RateLimiter`` keeps them in this process: it is the one used before
the services are open, and by tests of the bucket arithmetic.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Hashable

from kms.core.errors import RateLimited

# (key, capacity a minute, now in seconds since the epoch) → 0.0 if granted, else the wait
TakeToken = Callable[[str, float, float], float]


class RateLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[Hashable, tuple[float, float]] = {}  # key → (tokens, at)
        self._lock = threading.Lock()

    def wait_time(self, key: Hashable) -> float:
        """Take a token for ``key``: 0.0 if granted, else the seconds until one is free."""
        if self.capacity <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def check(self, key: Hashable) -> None:
        """Raise ``RateLimited`` (with ``retry_after`` in whole seconds) when over the limit."""
        wait = self.wait_time(key)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise RateLimited(
                f"rate limit of {int(self.capacity)} requests per minute exceeded",
                {"retry_after": retry},
            )


class SharedRateLimiter(RateLimiter):
    """Buckets kept by ``take`` (the database): one budget per key for every replica.
    The clock is the wall clock, which replicas share (a monotonic clock is per process)."""

    def __init__(
        self, per_minute: int, take: TakeToken, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(per_minute, clock)
        self.take = take

    def wait_time(self, key: Hashable) -> float:
        if self.capacity <= 0:
            return 0.0
        return self.take(str(key), self.capacity, self.clock())
