"""A row that waited past its `expires_at` (the dispatcher was down) expires
instead of being sent, and its kind's `after_expired` hook runs: the tick
goes on sending everything else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import BotSettings, Config
from bot.messages import Platform
from bot.ports import Delivery
from bot.reminders.digest import plan_digest
from bot.store.models import Program
from scheduler.dispatcher import Dispatcher
from tests.scheduler.helpers import RecordingPort, make_program, reminders


async def test_an_expired_digest_plans_next_week_and_the_tick_goes_on(sqlite_db, clock):
    clock.set(datetime(2027, 2, 2, 9, 0, tzinfo=UTC))  # a Tuesday: the digest is due next Monday
    async with sqlite_db.write() as s:
        program = await make_program(s, status="active")
        assert await plan_digest(s, program, clock.now()) == 1
    (digest,) = await reminders(sqlite_db, kind="digest")
    port = RecordingPort()
    dispatcher = Dispatcher(
        sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config(bot=BotSettings(coordinators=()))
    )
    clock.set(digest.expires_at + timedelta(hours=1))  # the service was down all that week

    result = await dispatcher.tick()

    assert result.expired == 1
    rows = {r.key: r for r in await reminders(sqlite_db, kind="digest")}
    assert rows[digest.key].status == "expired"
    later = [r for r in rows.values() if r.key != digest.key]
    assert len(later) == 1 and later[0].status == "pending" and later[0].due_at > clock.now()
    async with sqlite_db.read() as s:
        assert (await s.get(Program, program.id)).status == "active"
