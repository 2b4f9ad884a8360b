"""An invitation that Slack refuses at that moment is kept in the outbox and
delivered by the dispatcher later, not lost."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher
from tests.slack.helpers import ADEPT, slack_server


async def test_a_failed_invitation_is_retried_from_the_outbox(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        await server.command("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
        await server.settle()
        server.fake.channel_errors[ADEPT] = "fatal_error"  # Slack has a bad moment for this DM
        await server.command(f"invite <@{ADEPT}|adam>")
        await server.settle()
        (refused,) = [c for c in server.fake.calls_to("chat.postMessage") if c.params.get("channel") == ADEPT]
        assert refused.error == "fatal_error"
        async with sqlite_db.read() as s:
            (kept,) = (await s.exec(select(Reminder).where(Reminder.kind == "message"))).all()
        assert kept.template == "commands/invitation" and kept.status == "pending"

        server.fake.channel_errors.clear()
        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
        clock.advance(timedelta(minutes=1))
        assert (await dispatcher.tick()).sent == 1
        delivered = [c for c in server.fake.calls_to("chat.postMessage") if c.params.get("channel") == ADEPT and c.ok]
        assert len(delivered) == 1 and "Mentorprogram 2027" in delivered[-1].params["text"]
        assert delivered[-1].params.get("blocks"), "the invitation keeps its Join button"
