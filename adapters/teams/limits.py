"""Teams' send limits, kept on our side so Teams rarely has to answer 429.

Per bot and conversation Teams allows 7 messages a second, 8 in two seconds,
60 in 30 seconds and 1800 an hour; per bot and tenant about 50 a second. A
`SlidingWindows` limiter holds each send until every window has room. Time
and sleep are injected so tests can drive the limiter without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable

CONVERSATION_WINDOWS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
TENANT_WINDOWS: tuple[tuple[int, float], ...] = ((50, 1.0),)


class SlidingWindows:
    """At most `count` sends per `seconds`, for every (count, seconds) window, per key."""

    def __init__(
        self,
        windows: tuple[tuple[int, float], ...],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.windows = windows
        self._monotonic = monotonic
        self._sleep = sleep
        self._sent: dict[str, deque[float]] = defaultdict(deque)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.waited = 0.0  # seconds this limiter held sends back, for benches and tests

    def delay(self, key: str) -> float:
        """How long a send to `key` must wait now (0 when it may go)."""
        now = self._monotonic()
        sent = self._sent[key]
        longest = max(seconds for _, seconds in self.windows)
        while sent and sent[0] <= now - longest:
            sent.popleft()
        wait = 0.0
        for count, seconds in self.windows:
            recent = [t for t in sent if t > now - seconds]
            if len(recent) >= count:
                wait = max(wait, recent[-count] + seconds - now)
        return wait

    async def acquire(self, key: str) -> None:
        async with self._locks[key]:
            while (wait := self.delay(key)) > 0:
                self.waited += wait
                await self._sleep(wait)
            self._sent[key].append(self._monotonic())
