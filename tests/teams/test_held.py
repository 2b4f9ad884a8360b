"""Later sends to a person marked unreachable are held, not failed: the rows
stay pending and unsent until the person writes to the bot again, then go.

Through the running server and the fake Bot Connector, on a virtual clock."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.reminders.store import HELD_UNTIL
from bot.store.models import Identity, Reminder
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.helpers import announce_pair, teams_server, user
from tests.teams.people import TeamsPerson

HANNA, ANNA, BO = user("Hanna", 51), user("Anna", 52), user("Bo", 53)


async def _annas(db) -> list[Reminder]:
    async with db.read() as s:
        anna = (await s.exec(select(Identity).where(Identity.user_id == ANNA.aad))).one()
        return list(
            (
                await s.exec(
                    select(Reminder).where(Reminder.person_id == anna.person_id).order_by(Reminder.due_at, Reminder.id)
                )
            ).all()
        )


async def test_a_later_reminder_to_a_blocked_person_waits_until_they_write_again(sqlite_db, clock):
    async with FakeBotConnector() as connector, teams_server(sqlite_db, clock, coordinators=(HANNA.key,)) as server:
        people = {who.name: TeamsPerson(server, connector, who) for who in (HANNA, ANNA, BO)}
        for person in people.values():
            await person.type("status")
        await announce_pair(sqlite_db, clock, ANNA, BO)
        connector.fail_next(403, conversation=ANNA.chat)  # Anna blocked the bot
        n = len(connector.calls)
        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
        result = await run_until(dispatcher, clock, clock.now() + timedelta(days=43))  # past the 2nd nudge

        to_anna = [c for c in connector.calls[n:] if c.conversation == ANNA.chat]
        assert [c.status for c in to_anna] == [403], "after the refusal nothing more is tried"
        rows = await _annas(sqlite_db)
        failed = [r for r in rows if r.status == "failed"]
        held = [r for r in rows if r.status == "pending" and r.due_at >= HELD_UNTIL]
        assert len(failed) == 1 and "403" in (failed[0].last_error or "")
        assert held and result.held == len(held), "the later reminders wait, neither sent nor failed"
        assert all(r.attempts == 0 and r.sent_at is None for r in held)
        before = len(people["Anna"].inbox())

        await people["Anna"].type("status")  # she unblocked the bot and writes again
        await run_until(dispatcher, clock, clock.now() + timedelta(minutes=1))

        released = {r.id: r for r in await _annas(sqlite_db)}
        assert [released[r.id].status for r in held] == ["sent"] * len(held)
        got = [c.shown_text() for c in people["Anna"].inbox()[before:]]
        assert len(got) >= len(held) + 1, got  # her answer to `status`, then what was held
