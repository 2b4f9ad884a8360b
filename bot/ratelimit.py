"""A per-person rate limit in the core: a burst, then a steady pace.

One person flooding the bot must not slow everyone else down, so a message
over the limit is answered once with a polite "slow down" and otherwise
dropped before any database work. It measures the pace of arriving
messages, so it reads an injected monotonic clock (not the program's
clock, which a simulation moves by months); the buckets are a cache (a
restart forgets them, which only forgives).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

BURST = 60  # messages at once: far more than a person types
PER_SECOND = 2.0  # then two a second
MAX_PEOPLE = 100_000


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class RateLimit:
    def __init__(
        self, burst: float = BURST, per_second: float = PER_SECOND, monotonic: Callable[[], float] = time.monotonic
    ):
        self.burst = burst
        self.per_second = per_second
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}

    @classmethod
    def off(cls) -> RateLimit:
        """No limit (scripted test transcripts type faster than any person)."""
        return cls(burst=math.inf)

    def take(self, key: str) -> str:
        """ "ok", "warn" (over the limit: say so, once) or "drop"."""
        if self.burst == math.inf:
            return "ok"
        now = self._monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > MAX_PEOPLE:
                self._buckets.clear()
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + max(0.0, now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"
