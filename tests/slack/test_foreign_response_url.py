"""A `response_url` comes in the request body: only Slack's is answered
through (https on hooks.slack.com or hooks.slack-gov.com, or the origin of
`slack.api_url`, here the loopback fake). Any other host gets nothing, not
even from an outbox row that kept one: the answer goes to the person as it
would without a response_url.

The "other host" is a sink on loopback beside the fake, on its own port,
that records every request it gets; the requests are signed as Slack signs."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from aiohttp import web

from adapters.slack.response_url import response_url_handle, trusted_response_url
from bot.messages import Actor, Address, Inbound, Kind, Outbound, Platform, Where
from bot.outbox import FAST_LEASE, stage
from scheduler.dispatcher import Dispatcher
from tests.fakes.loopback import serve_on_loopback
from tests.fakes.slack_api import TEAM_ID
from tests.slack.helpers import ADEPT, COORDINATOR, slack_server
from tests.slack.test_server import slow_command  # noqa: F401 (fixture)

API = "http://127.0.0.1:4711/api/"


@asynccontextmanager
async def sink():
    """A loopback server that is not Slack: yields (its base URL, what it received)."""
    received: list[str] = []

    async def record(request: web.Request) -> web.Response:
        received.append(f"{request.method} {request.path} {await request.text()}")
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner, port = await serve_on_loopback(app)
    try:
        yield f"http://127.0.0.1:{port}", received
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("url", "taken"),
    [
        ("https://hooks.slack.com/commands/T0/1/abc", True),
        ("https://HOOKS.slack.com/actions/T0/1/abc", True),
        ("https://hooks.slack.com:443/commands/T0/1/abc", True),
        ("https://hooks.slack-gov.com/commands/T0/1/abc", True),
        ("http://127.0.0.1:4711/response/r1", True),  # the origin of slack.api_url
        ("http://hooks.slack.com/commands/T0/1/abc", False),  # not https
        ("https://hooks.slack.com:8443/commands/T0/1/abc", False),
        ("https://hooks.slack.com.evil.example/commands/T0/1/abc", False),
        ("https://evil.example/hooks.slack.com/commands", False),
        ("https://hooks.slack.com@evil.example/commands", False),
        ("https://user@hooks.slack.com/commands", False),  # no user names in Slack's
        ("https://evil.example\\@hooks.slack.com/commands", False),
        ("https://slack.com/api/", False),  # Slack's, but not where response_urls live
        ("http://127.0.0.1:4712/response/r1", False),  # the API's host, another port
        ("https://127.0.0.1:4711/response/r1", False),  # the API's host and port, another scheme
        ("http://localhost:4711/response/r1", False),
        ("//hooks.slack.com/commands", False),
        ("https://hooks.slack.com/commands\n", False),
        ("", False),
        (["https://hooks.slack.com/commands"], False),
    ],
)
def test_only_slack_s_response_urls_are_taken(url, taken):
    assert (trusted_response_url(url, API) == url) is taken


async def test_a_slash_command_never_answers_to_another_host(sqlite_db, clock, slow_command):  # noqa: F811
    """A slow command's 'working on it' note and its answer both go the
    normal way (the DM), not to the URL the request named."""
    async with sink() as (evil, received), slack_server(sqlite_db, clock) as server:
        status, _ = await server.command("slowtest", user=ADEPT, channel="D0ADEPT", response_url=evil + "/cmd")
        assert status == 200
        await server.settle()
        assert received == []
        assert server.fake.calls_to("response_url") == []
        working = server.runtime.core.translator.render("sv", "core/working")
        posts = [c.params["text"] for c in server.fake.calls_to("chat.postMessage", ok=True)]
        assert posts == [working, "all done"]


async def test_a_command_in_a_channel_answers_only_the_person_not_another_host(sqlite_db, clock):
    async with sink() as (evil, received), slack_server(sqlite_db, clock) as server:
        status, _ = await server.command(
            "participants", channel="C0GENERAL", channel_name="general", response_url=evil + "/cmd"
        )
        assert status == 200
        await server.settle()
        assert received == []
        (answer,) = server.fake.calls_to("chat.postEphemeral", ok=True) or server.fake.calls_to(
            "chat.postMessage", ok=True
        )
        if answer.method == "chat.postMessage":  # the person's DM
            assert answer.params["channel"] == COORDINATOR
        else:
            assert answer.params["user"] == COORDINATOR


async def test_a_click_never_answers_to_another_host(sqlite_db, clock):
    async with sink() as (evil, received), slack_server(sqlite_db, clock) as server:
        await server.command("forget", user=ADEPT, channel="D0ADEPT")
        await server.settle()
        (card,) = server.fake.calls_to("response_url")
        status, _ = await server.click_ephemeral(
            card, "forget.cancel", user=ADEPT, channel="D0ADEPT", response_url=evil + "/act"
        )
        assert status == 200
        await server.settle()
        assert received == []
        assert server.fake.calls_to("response_url") == [card]  # nothing more through Slack's either
        (answer,) = server.fake.calls_to("chat.postMessage", ok=True)  # the words, as a new message in the DM
        assert answer.params["channel"] == "D0ADEPT" and answer.params["text"]


async def test_an_outbox_row_that_kept_another_host_s_url_is_sent_to_the_dm(sqlite_db, clock):
    """A row written before the adapter checked the URL (or by an older
    replica): the dispatcher sends its words to the person's DM."""
    async with sink() as (evil, received), slack_server(sqlite_db, clock) as server:
        inbound = Inbound(
            actor=Actor(Platform.SLACK, TEAM_ID, COORDINATOR),
            where=Address(Platform.SLACK, TEAM_ID, conversation="C0GENERAL", user=COORDINATOR, where=Where.CHANNEL),
            kind=Kind.COMMAND,
            text="participants",
            in_place=response_url_handle(evil + "/stored", clock.now()),
        )
        async with sqlite_db.write() as session:
            await stage(
                session,
                inbound,
                [Outbound(text="Deltagare: Adam Berg", ephemeral=True)],
                [],
                now=clock.now(),
                worker="dead",
            )
        clock.advance(FAST_LEASE + timedelta(seconds=1))
        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config, worker="restarted")
        assert (await dispatcher.tick()).sent == 1
        assert received == []
        (dm,) = server.fake.calls_to("chat.postMessage", ok=True)
        assert dm.params["channel"] == COORDINATOR and dm.params["text"] == "Deltagare: Adam Berg"
