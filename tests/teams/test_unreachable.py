"""When Teams answers 403 (the person blocked or removed the app), the
identity is marked unreachable, nothing is retried, and the coordinator hears
about it in Teams."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.store.models import Identity, Reminder
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.helpers import announce_pair, teams_server, user
from tests.teams.people import TeamsPerson

HANNA, ANNA, BO = user("Hanna", 41), user("Anna", 42), user("Bo", 43)


async def test_a_blocked_adept_is_marked_unreachable_and_the_coordinator_is_told(sqlite_db, clock):
    async with FakeBotConnector() as connector, teams_server(sqlite_db, clock, coordinators=(HANNA.key,)) as server:
        people = {who.name: TeamsPerson(server, connector, who) for who in (HANNA, ANNA, BO)}
        for person in people.values():
            await person.type("status")
        await announce_pair(sqlite_db, clock, ANNA, BO)

        connector.fail_next(403, conversation=ANNA.chat)
        before = len(people["Hanna"].inbox())
        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
        await run_until(dispatcher, clock, clock.now() + timedelta(days=20))

    refused = [c for c in connector.calls if c.conversation == ANNA.chat and c.status == 403]
    assert len(refused) == 1  # permanent: never retried
    async with sqlite_db.read() as s:
        anna = (await s.exec(select(Identity).where(Identity.user_id == ANNA.aad))).one()
        failed = (await s.exec(select(Reminder).where(Reminder.status == "failed"))).all()
    assert anna.unreachable and "403" in anna.unreachable_reason
    assert failed and "403" in (failed[0].last_error or "")
    told = people["Hanna"].inbox()[before:]
    assert told and any("Anna" in c.shown_text() for c in told), [c.shown_text() for c in told]
