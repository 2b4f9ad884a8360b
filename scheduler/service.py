"""APScheduler wiring: it only wakes the dispatcher and the planner sweep.

Three jobs, all in APScheduler's in-memory store and all rebuilt at start-up
from nothing (the database holds every reminder, APScheduler holds only ids):

* `dispatcher-tick`: every `tick_seconds`, a safety net;
* `dispatcher-wakeup`: one date job at the next due time, moved after every
  tick, so a reminder due in 7 seconds goes in 7 seconds, not at the next tick;
* `planner-sweep`: every `sweep_seconds`, re-plans every active program
  (idempotent; picks up expired nudges, ended pauses, new participants) and
  deletes shared files whose download link has expired.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.config import Config
from bot.ports import Delivery
from bot.store.db import Database
from scheduler.dispatcher import Dispatcher
from bot.links import purge_expired_files
from bot.reminders.planner import plan_all

log = logging.getLogger(__name__)

TICK_JOB, WAKEUP_JOB, SWEEP_JOB = "dispatcher-tick", "dispatcher-wakeup", "planner-sweep"


class SchedulerService:
    def __init__(self, db: Database, delivery: Delivery, clock: Clock, config: Config, *,
                 tick_seconds: float = 30.0, sweep_seconds: float = 3600.0, **dispatcher_options):
        self.db = db
        self.clock = clock
        self.dispatcher = Dispatcher(db, delivery, clock, config, **dispatcher_options)
        self.tick_seconds = tick_seconds
        self.sweep_seconds = sweep_seconds
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._lock = asyncio.Lock()
        self.ticks = 0

    def start(self) -> None:
        self.scheduler.add_job(self.tick, IntervalTrigger(seconds=self.tick_seconds), id=TICK_JOB,
                               max_instances=1, coalesce=True, next_run_time=self.clock.now())
        self.scheduler.add_job(self.sweep, IntervalTrigger(seconds=self.sweep_seconds), id=SWEEP_JOB,
                               max_instances=1, coalesce=True, next_run_time=self.clock.now())
        self.scheduler.start()

    async def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        async with self._lock:  # let a tick in progress record what it sent
            pass

    def wake(self, at: datetime | None = None) -> None:
        """Run the dispatcher at `at` (now when None): after something due soon was planned."""
        if not self.scheduler.running:
            return
        self.scheduler.add_job(self.tick, DateTrigger(run_date=at or self.clock.now()), id=WAKEUP_JOB,
                               replace_existing=True, max_instances=1, misfire_grace_time=None)

    async def tick(self) -> None:
        async with self._lock:
            try:
                result = await self.dispatcher.tick()
                self.ticks += 1
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
                await plan_all(session, self.clock.now())
                await purge_expired_files(session, self.clock.now())
        except Exception:
            log.exception("planner sweep failed; the next sweep tries again")
        self.wake()
