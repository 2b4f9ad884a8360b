"""The APScheduler wiring: it wakes the dispatcher at the next due time and
keeps nothing of its own."""

import asyncio
from datetime import timedelta

from bot.clock import SystemClock
from bot.config import Config
from bot.messages import Platform
from bot.ports import Delivery
from bot.store.models import Reminder
from scheduler.service import PURGE_JOB, SWEEP_JOB, TICK_JOB, WAKEUP_JOB, SchedulerService
from tests.scheduler.helpers import RecordingPort, make_person, make_program


async def test_a_reminder_due_in_a_moment_goes_out_without_waiting_for_the_periodic_tick(sqlite_db):
    clock = SystemClock()
    async with sqlite_db.write() as s:
        program = await make_program(s)
        anna = await make_person(s, "Anna")
        s.add(
            Reminder(
                key="soon",
                kind="failure",
                template="scheduler/unreachable",
                person_id=anna.id,
                program_id=program.id,
                due_at=clock.now() + timedelta(seconds=2),
                context={"who": "Bo", "what": "nudges/nudge", "why": "test", "attempts": 1},
            )
        )
    port = RecordingPort()
    service = SchedulerService(sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config(), tick_seconds=3600)
    service.start()
    try:
        for _ in range(100):  # up to 10 s; it is due in 2
            if port.sent:
                break
            await asyncio.sleep(0.1)
        assert len(port.to("anna")) == 1
        # APScheduler holds only the dispatcher's own jobs: ids, no reminder data.
        assert {job.id for job in service.scheduler.get_jobs()} <= {TICK_JOB, WAKEUP_JOB, SWEEP_JOB, PURGE_JOB}
        assert all(job.args == () and job.kwargs == {} for job in service.scheduler.get_jobs())
    finally:
        await service.shutdown()
