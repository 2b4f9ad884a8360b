"""APScheduler wiring: it only wakes the dispatcher and the planner sweep.

Three jobs, all in APScheduler's in-memory store and all rebuilt at start-up
from nothing (the database holds every reminder, APScheduler holds only ids):

* `dispatcher-tick`: every `tick_seconds`, a safety net;
* `dispatcher-wakeup`: one date job at the next due time, moved after every
  tick, so a reminder due in 7 seconds goes in 7 seconds, not at the next tick;
* `planner-sweep`: every `sweep_seconds`, re-plans every active program's
  changed pairs (bot/reminders/sweep.py; idempotent) and
  deletes shared files whose download link has expired;
* `privacy-purge`: every `privacy.purge_hours`, deletes what the retention
  periods say is due (`bot.privacy.retention`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import telemetry
from bot.clock import Clock
from bot.config import Config
from bot.links import purge_expired_files
from bot.ports import Delivery
from bot.privacy.retention import purge
from bot.reminders.sweep import Sweep
from bot.store.db import Database
from scheduler.dispatcher import Dispatcher

log = logging.getLogger(__name__)

TICK_JOB, WAKEUP_JOB, SWEEP_JOB = "dispatcher-tick", "dispatcher-wakeup", "planner-sweep"
PURGE_JOB = "privacy-purge"


class SchedulerService:
    def __init__(
        self,
        db: Database,
        delivery: Delivery,
        clock: Clock,
        config: Config,
        *,
        tick_seconds: float = 30.0,
        sweep_seconds: float = 3600.0,
        dispatcher: Dispatcher | None = None,
        **dispatcher_options,
    ):
        self.db = db
        self.clock = clock
        self.config = config
        # The runtime's dispatcher when given: the adapters' sends and the
        # ticks then share one recorder and one view of each conversation's pace.
        self.dispatcher = dispatcher or Dispatcher(db, delivery, clock, config, **dispatcher_options)
        self.tick_seconds = tick_seconds
        self.sweep_seconds = sweep_seconds
        self._sweep = Sweep()  # re-plans only the pairs that changed since its last run
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._lock = asyncio.Lock()
        self.ticks = 0
        self.started_at: datetime | None = None
        self.last_tick: datetime | None = None  # /readyz: younger than two tick intervals

    def start(self) -> None:
        self.scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self.tick_seconds),
            id=TICK_JOB,
            max_instances=1,
            coalesce=True,
            next_run_time=self.clock.now(),
        )
        self.scheduler.add_job(
            self.sweep,
            IntervalTrigger(seconds=self.sweep_seconds),
            id=SWEEP_JOB,
            max_instances=1,
            coalesce=True,
            next_run_time=self.clock.now(),
        )
        self.scheduler.add_job(
            self.purge,
            IntervalTrigger(hours=self.config.privacy.purge_hours),
            id=PURGE_JOB,
            max_instances=1,
            coalesce=True,
            next_run_time=self.clock.now(),
        )
        self.scheduler.start()
        self.started_at = self.clock.now()

    def healthy(self) -> bool:
        """The last tick (or the start, before the first) is younger than two intervals."""
        since = self.last_tick or self.started_at
        return (
            since is not None
            and self.scheduler.running
            and (self.clock.now() - since).total_seconds() < 2 * self.tick_seconds
        )

    async def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        async with self._lock:  # let a tick in progress record what it sent
            pass

    def wake(self, at: datetime | None = None) -> None:
        """Run the dispatcher at `at` (now when None): after something due soon was planned."""
        if not self.scheduler.running:
            return
        self.scheduler.add_job(
            self.tick,
            DateTrigger(run_date=at or self.clock.now()),
            id=WAKEUP_JOB,
            replace_existing=True,
            max_instances=1,
            misfire_grace_time=None,
        )

    async def tick(self) -> None:
        async with self._lock:
            try:
                started = self.clock.now()
                overdue = await self.dispatcher.next_due()
                result = await self.dispatcher.tick()
                self.ticks += 1
                self.last_tick = self.clock.now()
                telemetry.record_tick(result, (started - overdue).total_seconds() if overdue else 0.0, self.last_tick)
                if result.busy:
                    log.info("dispatcher: %s", result)
                due = await self.dispatcher.next_due()
            except Exception:
                log.exception("dispatcher tick failed; the next tick tries again")
                return
        now = self.clock.now()
        if due is not None and due < now + timedelta(seconds=self.tick_seconds):
            self.wake(max(due, now))

    async def sweep(self) -> None:
        try:
            async with self.db.write() as session:
                await self._sweep.run(session, self.clock.now())
                await purge_expired_files(session, self.clock.now())
        except Exception:
            log.exception("planner sweep failed; the next sweep tries again")
        self.wake()

    async def purge(self) -> None:
        try:
            async with self.db.write() as session:
                report = await purge(
                    session, self.clock.now(), self.config.privacy, coordinators=self.config.bot.coordinators
                )
            if report.total:
                log.info("privacy purge: %s", report.counts)
        except Exception:
            log.exception("privacy purge failed; the next run tries again")
