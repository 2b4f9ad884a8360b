"""Running the dispatcher on a virtual clock: jump from one due time to the
next, as `mentorbot simulate` and the tests do."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import VirtualClock
from scheduler.dispatcher import Dispatcher, TickResult
from bot.reminders.planner import plan_all


async def run_until(dispatcher: Dispatcher, clock: VirtualClock, until: datetime, *,
                    sweep_every: timedelta | None = timedelta(days=7), on_tick=None) -> TickResult:
    """Advance `clock` to `until`, ticking at every due time on the way and
    re-planning everything once per `sweep_every` (the service's sweep).
    `on_tick(result)` is awaited after each tick that did something."""
    total = TickResult()
    next_sweep = clock.now() if sweep_every else None
    while True:
        now = clock.now()
        if sweep_every is not None and next_sweep is not None and now >= next_sweep:
            async with dispatcher.db.write() as session:
                await plan_all(session, now)
            next_sweep = now + sweep_every
        due = await dispatcher.next_due()
        if due is not None and due <= now:
            result = await dispatcher.tick()
            total.add(result)
            if on_tick is not None:
                await on_tick(result)
            if not result.busy:
                clock.set(now + timedelta(seconds=1))
            continue
        if now >= until:
            return total
        clock.set(min(d for d in (due, next_sweep, until) if d is not None))
