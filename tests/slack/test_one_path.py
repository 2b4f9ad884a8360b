"""One way out: every message a turn decides is an outbox row written in the
turn's transaction, sent by the adapter right after the commit, and by the
dispatcher when that send does not happen or does not get through.

Through signed requests to the running server and the fake Slack Web API."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from bot.outbox import FAST_LEASE
from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher
from tests.slack.helpers import ADEPT, COORDINATOR, MENTOR, slack_server

PROGRAM = "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19"


def posts_to(fake, user: str, *, ok: bool | None = True):
    return [
        c
        for c in fake.calls_to("chat.postMessage", ok=ok)
        if fake.user_of(c.result.get("channel", "") or c.params.get("channel")) == user
        or c.params.get("channel") in (user, "D" + user[1:])
    ]


async def rows(db, **where) -> list[Reminder]:
    async with db.read() as s:
        query = select(Reminder).order_by(Reminder.id)
        for name, value in where.items():
            query = query.where(getattr(Reminder, name) == value)
        return list((await s.exec(query)).all())


async def test_a_crash_right_after_the_commit_loses_no_message(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        await server.command(PROGRAM)
        await server.settle()

        async def die(messages, send):  # the process is killed between the commit and the sends
            return []

        server.runtime.send_turn = die
        await server.command(f"invite <@{ADEPT}|adam>")
        await server.settle()
        assert posts_to(server.fake, ADEPT) == []
        kept = await rows(sqlite_db, kind="message")
        assert [(r.template, r.status) for r in kept] == [("commands/invitation", "claimed")]

        # Restarted: a new process's dispatcher waits for the dead one's lease, then sends.
        after = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config, worker="restarted")
        assert (await after.tick()).sent == 0
        clock.advance(FAST_LEASE + timedelta(seconds=1))
        result = await after.tick()
        assert result.sent == 2  # the invitation, and the coordinator's "Invitation sent"
        (invitation,) = posts_to(server.fake, ADEPT)
        assert "Mentorprogram 2027" in invitation.params["text"]
        assert invitation.params["metadata"]["event_payload"]["key"] == kept[0].key
        assert [r.status for r in await rows(sqlite_db, kind="message")] == ["sent"]


async def test_a_reply_that_meets_a_429_waits_its_turn_and_others_are_not_held(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        server.adapter.port.max_wait = 1  # an interactive sender waits out only short pauses
        fake = server.fake
        fake.configure(channel_throttles={"D" + ADEPT[1:]: 3})
        await server.dm("hjälp", user=ADEPT)
        await server.dm("hjälp", user=MENTOR)
        await server.settle()
        # Maria's answer went at once; Adam's met a 429 and is kept, due after the Retry-After.
        assert len(posts_to(fake, MENTOR)) == 1
        assert posts_to(fake, ADEPT) == []
        (held,) = await rows(sqlite_db, kind="reply", status="pending")
        assert held.due_at >= clock.now() + timedelta(seconds=3)

        dispatcher = server.runtime.dispatcher
        assert (await dispatcher.tick()).sent == 0  # not before Slack said
        await asyncio.sleep(3.1)
        clock.advance(timedelta(seconds=4))
        assert (await dispatcher.tick()).sent == 1
        (answer,) = posts_to(fake, ADEPT)
        assert answer.params["text"] and answer.params["metadata"]["event_payload"]["key"] == held.key
        assert not any(c.early for c in fake.calls), "nobody retried before the Retry-After"


async def test_the_rest_of_a_turn_stays_behind_its_held_message(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        server.adapter.port.max_wait = 0
        fake = server.fake
        await server.dm("gå med", user=ADEPT)  # the welcome and the first question: two messages
        await server.settle()
        first = len(posts_to(fake, ADEPT))
        fake.configure(channel_throttles={"D" + ADEPT[1:]: 2})
        await server.dm("avbryt", user=ADEPT)
        await server.settle()
        held = await rows(sqlite_db, kind="reply", status="pending")
        assert held, "the reply is kept, not dropped"
        assert sorted(held, key=lambda r: (r.due_at, r.id)) == held  # in the order they were said
        assert len(posts_to(fake, ADEPT)) == first


async def test_a_redelivered_event_whose_turn_failed_is_answered_once(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        await server.dm("met 2027-13-45", user=ADEPT, event_id="Ev0BAD")
        await server.settle()
        await server.dm("met 2027-13-45", user=ADEPT, event_id="Ev0BAD")  # Slack's retry
        await server.settle()
        (answer,) = posts_to(server.fake, ADEPT)
        assert answer.params["text"]


async def test_a_redelivered_home_tab_event_republishes_the_same_view(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        opened = {
            "type": "app_home_opened",
            "user": COORDINATOR,
            "channel": "D0COORD",
            "tab": "home",
            "event_ts": "1767000000.000001",
        }
        await server.event(opened, event_id="Ev0HOME")
        await server.settle()
        first = server.fake.views[COORDINATOR]
        await server.event(opened, event_id="Ev0HOME")
        await server.settle()
        assert len(server.fake.calls_to("views.publish", ok=True)) == 2
        assert server.fake.views[COORDINATOR] == first and len(first["blocks"]) > 1
        assert await rows(sqlite_db, kind="reply") == [], "a view is not a message: nothing for the dispatcher"
