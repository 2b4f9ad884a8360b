"""Running the dispatcher on a virtual clock: jump from one due time to the
next, as `mentorbot simulate` and the tests do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import VirtualClock
from bot.reminders.sweep import Sweep
from scheduler.dispatcher import Dispatcher, TickResult


@dataclass
class Sweeps:
    """The planner sweep's cadence, as a running service keeps it: the first
    sweep at once, then one every `every`. Hand the same one to successive
    `run_until` calls to drive one long-running service."""

    every: timedelta | None = timedelta(days=7)
    next_at: datetime | None = None
    sweep: Sweep = field(default_factory=Sweep)  # what it saw of each pair last time

    def due(self, now: datetime) -> bool:
        return self.every is not None and (self.next_at is None or now >= self.next_at)

    def done(self, now: datetime) -> None:
        if self.every is not None:
            self.next_at = now + self.every


async def run_until(
    dispatcher: Dispatcher,
    clock: VirtualClock,
    until: datetime,
    *,
    sweep_every: timedelta | None = timedelta(days=7),
    sweeps: Sweeps | None = None,
    on_tick=None,
) -> TickResult:
    """Advance `clock` to `until`, ticking at every due time on the way and
    re-planning once per sweep (by default a fresh service: a sweep at once,
    then every `sweep_every`). `on_tick(result)` is awaited after each tick
    that did something."""
    sweeps = sweeps or Sweeps(sweep_every)
    total = TickResult()
    known: datetime | None = None  # the earliest due time, when nothing can have changed it since it was read
    while True:
        now = clock.now()
        if sweeps.due(now):
            async with dispatcher.db.write() as session:
                await sweeps.sweep.run(session, now)
            sweeps.done(now)
            known = None
        due = known if known is not None else await dispatcher.next_due()
        known = None
        if due is not None and due <= now:
            result = await dispatcher.tick(look_first=False)  # next_due just said something is due
            total.add(result)
            if on_tick is not None:
                await on_tick(result)
            if not result.busy:
                clock.set(now + timedelta(seconds=1))
            continue
        if now >= until:
            return total
        clock.set(min(d for d in (due, sweeps.next_at if sweeps.every else None, until) if d is not None))
        if due is not None and clock.now() >= due:
            known = due  # the clock jumped to it and nothing ran since: no need to ask again
