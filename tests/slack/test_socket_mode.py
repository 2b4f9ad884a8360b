"""Socket Mode: with `slack.app_token` set, the same app runs over a WebSocket
that the server opens to Slack (here the fake), with no /slack/events URL."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest

from adapters.server import build_app, make_runtime
from bot.config import ConfigError, SlackConfig
from tests.fakes.loopback import serve_on_loopback
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI
from tests.slack.helpers import ADEPT, slack_config, slack_people


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
            "slash_commands",
            {
                "team_id": TEAM_ID,
                "channel_id": "D0ADEPT",
                "channel_name": "directmessage",
                "user_id": ADEPT,
                "user_name": "adam",
                "command": "/mentor",
                "text": "status",
                "api_app_id": "A0MENTOR",
                "response_url": fake.response_url("sock1"),
                "trigger_id": "1.2.3",
            },
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
