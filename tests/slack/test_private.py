"""Private things stay private: a `join` started by @mention in a channel is
answered there with "I'll continue in a DM", and every question, answer and
summary of the dialogue goes to the person's DM."""

from __future__ import annotations

import json

from bot.i18n import render
from tests.fakes.slack_api import BOT_USER_ID
from tests.slack.helpers import ADEPT, slack_server

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
