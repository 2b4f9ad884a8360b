"""The program channel in Teams: a coordinator @mentions the bot in a team
channel, and the program's event reminders are posted there proactively."""

from __future__ import annotations

from datetime import UTC, datetime

from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.helpers import TEAM_CHANNEL, channel_mention, teams_server, user
from tests.teams.people import TeamsPerson

HANNA = user("Hanna", 61)


async def test_event_reminders_are_posted_in_the_program_channel(sqlite_db, clock):
    async with FakeBotConnector() as connector, teams_server(sqlite_db, clock, coordinators=(HANNA.key,)) as server:
        hanna = TeamsPerson(server, connector, HANNA)
        await hanna.type("program create Mentorprogram 2027 start=2027-01-15 end=2027-12-31")
        await server.post(channel_mention(connector.url, HANNA, "channel"))
        await hanna.type('event add kickoff 2027-01-19 09:00 place="Stadshuset"')
        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
        await run_until(dispatcher, clock, datetime(2027, 1, 19, 12, 0, tzinfo=UTC))
    posts = connector.of("send", TEAM_CHANNEL)
    # The new event as it was added, then a week before, the day before and the morning of the event.
    assert len(posts) == 4, [c.shown_text() for c in connector.calls]
    assert posts[0].shown_text().startswith("Ny träff i Mentorprogram 2027")
    assert all("Stadshuset" in p.shown_text() and "**Uppstartsmöte**" in p.shown_text() for p in posts)
