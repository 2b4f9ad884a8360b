"""A signed slash command or click sent again as it was (the same body,
`X-Slack-Request-Timestamp` and `X-Slack-Signature`: Slack's check accepts
it for five minutes) is acknowledged and does nothing, as an Events API
retry: its signature is remembered with the processed events, in the
database every replica shares. The same command typed again is a new
request (another timestamp, another signature) and runs again."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from bot.store.models import ProcessedEvent
from tests.conftest import fresh_pg_database, migrated
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI
from tests.slack.helpers import ADEPT, command_form, counted_runs, sign, slack_people, slack_server

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def runs():
    with counted_runs("replaytest") as ran:
        yield ran


def command_body(server, text: str = "replaytest") -> str:
    return urlencode(command_form(text, server.fake.response_url("replayed"), "1.1.abc", user_name="adam"))


def click_body(server, ts: str = "1767000000.000100", value: str = "1") -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": ADEPT, "username": "adam", "name": "adam", "team_id": TEAM_ID},
        "team": {"id": TEAM_ID, "domain": "kommunerna"},
        "api_app_id": "A0MENTOR",
        "container": {"type": "message", "message_ts": ts, "channel_id": "D0ADEPT", "is_ephemeral": False},
        "channel": {"id": "D0ADEPT", "name": "directmessage"},
        "message": {"type": "message", "ts": ts, "text": "card", "blocks": []},
        "response_url": server.fake.response_url("clicked"),
        "actions": [
            {"action_id": "replaytest.go", "block_id": "b1", "type": "button", "value": value, "text": {"text": "Go"}}
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


async def send_twice(server, body: str, *, at_once: bool = False) -> list[tuple[int, str]]:
    """The same signed request twice: one after the other's turn, or both at once."""
    ts = int(time.time())
    signed = {"timestamp": ts, "signature": sign(body, ts)}
    if at_once:
        answers = await asyncio.gather(server.post(body, FORM, **signed), server.post(body, FORM, **signed))
        await server.settle()
        return list(answers)
    first = await server.post(body, FORM, **signed)
    await server.settle()
    second = await server.post(body, FORM, **signed)
    await server.settle()
    return [first, second]


async def test_a_replayed_slash_command_runs_once_and_says_nothing_again(any_db, clock, runs):
    async with slack_server(any_db, clock) as server:
        answers = await send_twice(server, command_body(server))
        assert answers == [(200, ""), (200, "")]
        assert runs == ["command"]
        working = server.runtime.core.translator.render("sv", "core/working")
        assert [c.params["text"] for c in server.fake.calls_to("response_url")] == [working, "done"]
        async with server.runtime.db.read() as session:
            keys = (await session.exec(select(ProcessedEvent.key))).all()
        assert [k for k in keys if k.startswith("slack:sig:")] != []


async def test_a_replay_that_arrives_while_the_first_runs_runs_once(any_db, clock, runs):
    async with slack_server(any_db, clock) as server:
        answers = await send_twice(server, command_body(server), at_once=True)
        assert answers == [(200, ""), (200, "")]
        assert runs == ["command"]
        assert [c.params["text"] for c in server.fake.calls_to("response_url")][-1:] == ["done"]
        assert len([c for c in server.fake.calls_to("response_url") if c.params["text"] == "done"]) == 1


async def test_the_same_command_typed_again_runs_again(sqlite_db, clock, runs):
    async with slack_server(sqlite_db, clock) as server:
        body = command_body(server)
        for ts in (int(time.time()) - 1, int(time.time())):
            assert await server.post(body, FORM, timestamp=ts) == (200, "")
            await server.settle()
        assert runs == ["command", "command"]


async def test_a_replayed_click_runs_once_even_after_another_turn(sqlite_db, clock, runs):
    """A double click is caught only until the person does something else;
    a replay is caught whenever it comes."""
    async with slack_server(sqlite_db, clock) as server:
        body = click_body(server)
        ts = int(time.time())
        signed = {"timestamp": ts, "signature": sign(body, ts)}
        assert await server.post(body, FORM, **signed) == (200, "")
        await server.settle()
        assert await server.post(click_body(server, ts="1767000000.000200", value="2"), FORM) == (200, "")
        await server.settle()
        assert await server.post(body, FORM, **signed) == (200, "")
        await server.settle()
        assert runs == ["press", "press"]  # the first click and the other one, not the replay


@pytest.mark.postgres
async def test_a_replay_sent_to_another_replica_runs_once(clock, runs):
    """Two replicas on one PostgreSQL database behind a load balancer: the
    replay reaches the one that did not see the original."""
    async with fresh_pg_database() as url, migrated(url) as one, migrated(url) as other, FakeSlackAPI() as fake:
        slack_people(fake)
        async with slack_server(one, clock, fake) as first, slack_server(other, clock, fake) as second:
            body = command_body(first)
            ts = int(time.time())
            signed = {"timestamp": ts, "signature": sign(body, ts)}
            assert await first.post(body, FORM, **signed) == (200, "")
            await first.settle()
            assert await second.post(body, FORM, **signed) == (200, "")
            await second.settle()
            assert runs == ["command"]
            assert len([c for c in fake.calls_to("response_url") if c.params["text"] == "done"]) == 1
