"""Ephemeral answers through a slash command's `response_url`: the outbox
row carries the URL's expiry (30 minutes, at most five answers), and whoever
sends the row answers in place while the URL is good and in the person's DM
once it is not (or once Slack says it expired).

Through signed requests to the running server and the fake Slack Web API, on
a virtual clock."""

from __future__ import annotations

from datetime import timedelta

from adapters.slack.response_url import RESPONSE_URL_LIFETIME, response_url_handle, response_url_of
from bot.messages import Actor, Address, Inbound, Kind, Outbound, Platform, Where
from bot.outbox import FAST_LEASE, stage
from scheduler.dispatcher import Dispatcher
from tests.fakes.slack_api import TEAM_ID
from tests.slack.helpers import COORDINATOR, slack_server
from tests.slack.test_one_path import rows

CHANNEL = "C0GENERAL"


async def die(messages, send):  # the process is killed between the commit and the sends
    return []


def dm_posts(fake, user: str = COORDINATOR):
    return [c for c in fake.calls_to("chat.postMessage", ok=True) if c.params.get("channel") == user]


async def command_in_channel(server, text: str) -> str:
    """Run a command in a public channel; returns its response_url's name."""
    status, _ = await server.command(text, channel=CHANNEL, channel_name="general")
    assert status == 200
    await server.settle()
    return (
        [c for c in server.fake.calls if c.method == "response_url"][-1].result["name"]
        if server.fake.calls_to("response_url")
        else ""
    )


async def test_the_reply_row_carries_the_response_url_and_its_expiry(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        received = clock.now()
        await command_in_channel(server, "hjälp")
        (answer,) = server.fake.calls_to("response_url")
        assert answer.ok and answer.params["response_type"] == "ephemeral"
        assert dm_posts(server.fake) == []
        (row,) = await rows(sqlite_db, kind="reply")
        assert row.status == "sent"
        assert row.context["in_place_until"] == (received + RESPONSE_URL_LIFETIME).isoformat()
        url, until = response_url_of(row.address["ref"])
        assert url.endswith("/response/" + answer.result["name"]) and until == received + RESPONSE_URL_LIFETIME
        # Its fallback is the person's DM, never the channel where the command was typed.
        assert (row.address["where"], row.address["user"], row.address["conversation"]) == ("dm", COORDINATOR, None)


async def test_a_reply_sent_later_while_the_url_is_good_still_answers_in_place(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        server.runtime.send_turn = die
        await command_in_channel(server, "hjälp")
        assert server.fake.calls_to("response_url") == []
        clock.advance(FAST_LEASE + timedelta(seconds=1))  # the dead process's lease ran out: 61 s later
        after = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config, worker="restarted")
        assert (await after.tick()).sent == 1
        (answer,) = server.fake.calls_to("response_url")
        assert answer.ok and answer.params["response_type"] == "ephemeral"
        assert dm_posts(server.fake) == []


async def test_a_reply_sent_after_the_url_expired_goes_to_the_dm(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        server.runtime.send_turn = die
        await command_in_channel(server, "hjälp")
        (row,) = await rows(sqlite_db, kind="reply")
        clock.advance(RESPONSE_URL_LIFETIME)  # the restart took half an hour
        after = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config, worker="restarted")
        assert (await after.tick()).sent == 1
        assert server.fake.calls_to("response_url") == [], "an expired response_url is not even tried"
        (dm,) = dm_posts(server.fake)
        assert dm.params["text"] == row.context["message"]["text"]
        assert dm.params["metadata"]["event_payload"]["key"] == row.key
        assert [r.status for r in await rows(sqlite_db, kind="reply")] == ["sent"]


async def test_a_url_that_answers_it_expired_sends_the_reply_to_the_dm_at_once(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        server.fake.response_url_errors = {"*": "expired_url"}
        await command_in_channel(server, "hjälp")
        (refused,) = server.fake.calls_to("response_url")
        assert refused.error == "expired_url"
        (dm,) = dm_posts(server.fake)
        (row,) = await rows(sqlite_db, kind="reply")
        assert dm.params["text"] == row.context["message"]["text"]
        assert row.status == "sent", "answered in the same turn, not left for the dispatcher"


async def test_only_as_many_replies_as_the_url_takes_carry_it(sqlite_db, clock):
    """Slack takes five answers per response_url; a sixth reply goes to the DM."""
    handle = response_url_handle("http://127.0.0.1:1/response/six", clock.now())
    inbound = Inbound(
        actor=Actor(Platform.SLACK, TEAM_ID, COORDINATOR),
        where=Address(Platform.SLACK, TEAM_ID, conversation=CHANNEL, user=COORDINATOR, where=Where.CHANNEL),
        kind=Kind.COMMAND,
        text="hjälp",
        in_place=handle,
    )
    replies = [Outbound(text=f"svar {i}", ephemeral=True) for i in range(6)]
    async with sqlite_db.write() as session:
        staged = await stage(session, inbound, replies, [], now=clock.now(), worker="w")
    refs = [m.outbox.address.ref for m in staged]
    assert refs == [handle.ref] * 5 + [None]
    assert {m.outbox.address.where for m in staged} == {Where.DM}
    in_rows = [r.context.get("in_place_until") for r in await rows(sqlite_db, kind="reply")]
    assert in_rows == [handle.expires_at.isoformat()] * 5 + [None]
