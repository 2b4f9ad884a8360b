"""Socket Mode: with `slack.app_token` set, the same app runs over a WebSocket
that the server opens to Slack (here the fake), with no /slack/events URL."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import replace

import aiohttp
import pytest
from sqlmodel import select

from adapters.server import build_app, make_runtime
from bot.config import ConfigError, SlackConfig
from bot.store.models import Person, ProcessedEvent
from tests.fakes.loopback import serve_on_loopback
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI
from tests.slack.helpers import ADEPT, command_form, counted_runs, slack_config, slack_people


@pytest.fixture
async def fake():
    api = FakeSlackAPI()
    await api.start()
    slack_people(api)
    yield api
    await api.stop()


def socket_config(api_url: str, app_token: str = "xapp-1-A0MENTOR-1-abc"):
    config = slack_config(api_url)
    return replace(config, slack=SlackConfig(bot_token="xoxb-test-token", app_token=app_token, api_url=api_url))


async def test_slash_command_over_socket_mode_is_acked_and_answered(sqlite_db, clock, fake):
    runtime = make_runtime(socket_config(fake.base_url), sqlite_db, clock)
    app = build_app(runtime)
    runner, port = await serve_on_loopback(app)  # on_startup opens the WebSocket
    try:
        await fake.wait_for_socket()
        assert fake.calls_to("apps.connections.open")[0].token.startswith("xapp-")
        envelope = await fake.socket_send(
            "slash_commands", command_form("status", fake.response_url("sock1"), "1.2.3", user_name="adam")
        )
        assert (await fake.socket_ack(envelope))["envelope_id"] == envelope
        await runtime.extras["slack"].drain()
        (answer,) = fake.calls_to("response_url")
        assert answer.params["response_type"] == "ephemeral" and answer.params["text"]
        # No public endpoint in Socket Mode.
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data=b"{}") as resp:
                assert resp.status in (404, 405)
    finally:
        await runner.cleanup()
    assert fake.sockets == []  # closed on shutdown


async def test_http_endpoint_without_signing_secret_is_refused(sqlite_db, clock, fake):
    config = slack_config(fake.base_url)
    config = replace(config, slack=replace(config.slack, signing_secret=""))
    with pytest.raises(ConfigError, match=r"slack\.signing_secret"):
        build_app(make_runtime(config, sqlite_db, clock))


async def test_wrong_app_token_is_refused_with_what_it_should_look_like(sqlite_db, clock, fake):
    with pytest.raises(ConfigError, match="xapp-"):
        build_app(make_runtime(socket_config(fake.base_url, app_token="xoxb-not-an-app-token"), sqlite_db, clock))


# ------------------------------------------- re-deliveries and malformed payloads
# Over HTTP a slash command or click is deduplicated by its signature and its
# body checked before bolt reads it (tests/slack/test_replay.py,
# test_malformed.py). Over Socket Mode there is no signature: Slack sends an
# envelope that was not acknowledged in time again (the same envelope and
# payload, `retry_attempt` 1), and it must run once; two presses are two
# interactions (each its own `trigger_id`) and each runs.


@pytest.fixture
def runs():
    with counted_runs("sockettest") as ran:
        yield ran


@asynccontextmanager
async def socket_server(db, clock, fake):
    runtime = make_runtime(socket_config(fake.base_url), db, clock)
    runner, _port = await serve_on_loopback(build_app(runtime))
    try:
        await fake.wait_for_socket()
        yield runtime
    finally:
        await runner.cleanup()


def command_payload(fake, n: int) -> dict:
    url = fake.response_url(f"sock{n}") if fake else "https://hooks.slack.com/commands/T0/1/x"
    return command_form("sockettest", url, f"{n}.1.cmd", user_name="adam")


def press_payload(n: int) -> dict:
    """The same button on the Home tab, pressed by the same person: press `n`
    (no message, so no double-click rule applies between two presses)."""
    return {
        "type": "block_actions",
        "user": {"id": ADEPT, "username": "adam", "name": "adam", "team_id": TEAM_ID},
        "api_app_id": "A0MENTOR",
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "V0ADEPT"},
        "trigger_id": f"{n}.1.press",
        "team": {"id": TEAM_ID, "domain": "kommunerna"},
        "view": {"id": "V0ADEPT", "type": "home", "blocks": [], "state": {"values": {}}},
        "actions": [
            {
                "action_id": "sockettest.go",
                "block_id": "h1",
                "text": {"type": "plain_text", "text": "Go"},
                "value": "1",
                "type": "button",
                "action_ts": f"1767000002.{n:06d}",
            }
        ],
    }


ENVELOPES = {
    "slash command": ("slash_commands", command_payload, "command"),
    "click": ("interactive", lambda fake, n: press_payload(n), "press"),
}


@pytest.mark.parametrize("what", ENVELOPES, ids=list(ENVELOPES))
async def test_an_envelope_sent_again_runs_once(any_db, clock, fake, runs, what):
    kind, payload, ran = ENVELOPES[what]
    async with socket_server(any_db, clock, fake) as runtime:
        body = payload(fake, 7)
        envelope = await fake.socket_send(kind, body)
        await fake.socket_ack(envelope)
        await runtime.extras["slack"].drain()
        fake.socket_acks.pop(envelope)
        await fake.socket_send(kind, body, retry_attempt=1, envelope_id=envelope)
        await fake.socket_ack(envelope)  # acknowledged again, so Slack stops sending it
        await runtime.extras["slack"].drain()
        assert runs == [ran]
        if kind == "slash_commands":  # the slow command's note and its answer, once each
            working = runtime.core.translator.render("sv", "core/working")
            assert [c.params["text"] for c in fake.calls_to("response_url")] == [working, "done"]


async def test_an_envelope_sent_again_while_the_first_runs_runs_once(sqlite_db, clock, fake, runs):
    async with socket_server(sqlite_db, clock, fake) as runtime:
        body = command_payload(fake, 8)
        envelope = await fake.socket_send("slash_commands", body)
        await fake.socket_send("slash_commands", body, retry_attempt=1, envelope_id=envelope)
        await fake.socket_ack(envelope)
        await runtime.extras["slack"].drain()
        assert runs == ["command"]
        assert [c.params["text"] for c in fake.calls_to("response_url")].count("done") == 1


@pytest.mark.parametrize("what", ENVELOPES, ids=list(ENVELOPES))
async def test_two_presses_are_two_envelopes_and_each_runs(sqlite_db, clock, fake, runs, what):
    """The same command or button, by the same person, twice: two
    interactions, not one delivered twice."""
    kind, payload, ran = ENVELOPES[what]
    async with socket_server(sqlite_db, clock, fake) as runtime:
        for n in (11, 12):
            await fake.socket_ack(await fake.socket_send(kind, payload(fake, n)))
            await runtime.extras["slack"].drain()
        assert runs == [ran, ran]


def _bad_click(**over) -> dict:
    return {**press_payload(21), **over}


def _bad_mention(**over) -> dict:
    event = {"type": "app_mention", "channel": "C0PROGRAM", "user": ADEPT, "text": "<@U0BOT> status", "ts": "1.1"}
    return {"type": "event_callback", "team_id": TEAM_ID, "event_id": "Ev0BAD", "event": {**event, **over}}


@pytest.mark.parametrize(
    ("kind", "payload", "where"),
    [
        ("interactive", _bad_click(actions=["x"]), "body.actions[0]"),
        ("interactive", _bad_click(actions=[]), "body.actions"),
        ("interactive", _bad_click(user=ADEPT), "body.user"),
        ("interactive", _bad_click(team=7), "body.team"),
        ("interactive", _bad_click(state={"values": {"b1": ["x"]}}), "body.state.values"),
        ("interactive", {"type": "view_submission", "user": {"id": ADEPT}, "view": {"id": "V1"}}, "not a request"),
        ("events_api", _bad_mention(text=42), "body.event.text"),
        ("events_api", _bad_mention(user={"id": ADEPT}), "body.event.user"),
        ("events_api", {"type": "event_callback", "team_id": TEAM_ID, "event": "x"}, "body.event"),
        ("slash_commands", {**command_payload(None, 22), "user_id": ["U0ADEPT"]}, "body.user_id"),
        ("slash_commands", "status", "not a request"),
    ],
    ids=[
        "actions of strings",
        "no actions",
        "user a string",
        "team a number",
        "form values not objects",
        "a kind the app does not handle",
        "text a number",
        "event user an object",
        "event a string",
        "command user a list",
        "payload a string",
    ],
)
async def test_a_malformed_payload_is_refused_as_over_http(sqlite_db, clock, fake, caplog, kind, payload, where):
    """As over HTTP: one warning naming what is wrong, no traceback, nothing
    looked up, sent or stored; the envelope is acknowledged (it would be no
    better sent again)."""
    async with socket_server(sqlite_db, clock, fake) as runtime:
        before = [c.method for c in fake.calls]
        caplog.clear()
        caplog.set_level(logging.DEBUG)
        await fake.socket_ack(await fake.socket_send(kind, payload))
        await runtime.extras["slack"].drain()
        assert not [r for r in caplog.records if r.exc_info], "no traceback"
        (line,) = [r for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith(("adapters", "bot"))]
        assert line.levelno == logging.WARNING and where in line.getMessage()
        assert [c.method for c in fake.calls] == before  # nothing looked up or sent
        async with runtime.db.read() as session:
            assert (await session.exec(select(Person))).all() == []
            assert (await session.exec(select(ProcessedEvent))).all() == []
