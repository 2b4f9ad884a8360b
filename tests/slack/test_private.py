"""Private things stay private: a `join` started by @mention in a channel is
answered there with "I'll continue in a DM", and every question, answer and
summary of the dialogue goes to the person's DM."""

from __future__ import annotations

import json

from bot.i18n import render
from tests.fakes.slack_api import BOT_USER_ID
from tests.slack.helpers import ADEPT, COORDINATOR, slack_server

CHANNEL = "C0PROGRAM"


async def test_join_in_a_channel_continues_in_the_dm(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        await server.command("program create P start=2027-01-19 end=2027-12-31")
        await server.settle()
        server.fake.calls.clear()
        await server.event(
            {
                "type": "app_mention",
                "channel": CHANNEL,
                "user": ADEPT,
                "text": f"<@{BOT_USER_ID}> join",
                "ts": "1767000000.000200",
                "event_ts": "1767000000.000200",
            }
        )
        await server.settle()
        in_channel = [c for c in server.fake.calls if c.params.get("channel") == CHANNEL]
        in_dm = [
            c for c in server.fake.calls_to("chat.postMessage") if c.params.get("channel") in (ADEPT, "D" + ADEPT[1:])
        ]
        # A private answer typed in the channel is not taken as an answer to the dialogue.
        await server.event(
            {
                "type": "app_mention",
                "channel": CHANNEL,
                "user": ADEPT,
                "text": f"<@{BOT_USER_ID}> ja",
                "ts": "1767000000.000300",
                "event_ts": "1767000000.000300",
            }
        )
        await server.settle()
        after = [c for c in server.fake.calls if c.params.get("channel") == CHANNEL][len(in_channel) :]
    assert [c.params["text"] for c in in_channel] == [render("sv", "core/continue_in_dm")]
    assert len(in_dm) == 1 and "vad jag sparar" in json.dumps(in_dm[0].params, ensure_ascii=False).lower()
    assert all("vad jag sparar" not in json.dumps(c.params, ensure_ascii=False).lower() for c in after)


def _mention(user: str, text: str, ts: str) -> dict:
    return {"type": "app_mention", "channel": CHANNEL, "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts}


async def test_a_coordinators_answer_in_a_channel_is_for_them_alone(sqlite_db, clock):
    """`participants` asked by @mention in a channel names people: only the
    coordinator sees it (an ephemeral post), the channel gets nothing; the
    one answer meant for the room, `channel`'s, is posted there."""
    async with slack_server(sqlite_db, clock) as server:
        await server.command("program create P start=2027-01-19 end=2027-12-31")
        await server.command("org add Växjö kommun")
        await server.settle()
        await server.event(_mention(ADEPT, "join", "1767000000.000100"))  # Adept now takes part
        await server.settle()
        server.fake.calls.clear()
        await server.event(_mention(COORDINATOR, "participants", "1767000000.000200"))
        await server.event(_mention(COORDINATOR, "program show", "1767000000.000300"))
        await server.settle()
        posted = [c for c in server.fake.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]
        private = [c for c in server.fake.calls_to("chat.postEphemeral") if c.params.get("channel") == CHANNEL]
        server.fake.calls.clear()
        await server.event(_mention(COORDINATOR, "channel", "1767000000.000400"))
        await server.settle()
        told = [c for c in server.fake.calls_to("chat.postMessage") if c.params.get("channel") == CHANNEL]
    assert posted == []
    assert len(private) == 2 and {c.params["user"] for c in private} == {COORDINATOR}
    assert "Adam – adept" in private[0].params["text"]
    assert len(told) == 1 and "programkanal" in told[0].params["text"]
