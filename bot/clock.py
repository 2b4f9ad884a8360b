"""Injected time: the real clock for production, a virtual one for tests and
`mentorbot simulate`. Nothing else in bot/ or scheduler/ reads the wall clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("VirtualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

    def set(self, when: datetime) -> datetime:
        if when.tzinfo is None:
            raise ValueError("VirtualClock.set needs a timezone-aware time")
        self._now = when.astimezone(UTC)
        return self._now


async def sleep_until(clock: Clock, when: datetime) -> None:
    """Sleep on the real event loop until `clock` says `when` (real clock only)."""
    delay = (when - clock.now()).total_seconds()
    if delay > 0:
        await asyncio.sleep(delay)
