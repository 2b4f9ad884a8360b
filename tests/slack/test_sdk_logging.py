"""At DEBUG slack_sdk logs every Web API call with its body (what the bot
wrote to a person, their name, their e-mail address). `-v` and
`log.level = "DEBUG"` keep it at INFO; only `log.sdk_bodies` lets those
lines through. Through a real SlackPort call to the loopback fake."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

import pytest

from adapters import logs
from adapters.slack.outbound import SlackPort
from bot.config import LogSettings
from bot.messages import Address, Outbound, Platform, Where

WORDS = "Hej Adam, din mentor är Maria Holm (maria.holm@ljungby.se)"


@pytest.fixture
def restored():
    yield
    logs.configure("INFO", "text")


async def logged_while_sending(fake, **configure) -> str:
    stream = io.StringIO()
    logs.configure("DEBUG", "text", stream=stream, **configure)
    port = SlackPort("xoxb-test-token", fake.base_url)
    try:
        await port.send(Address(Platform.SLACK, "T0FAKE", user="U0ADEPT", where=Where.DM), Outbound(text=WORDS))
    finally:
        await port.close()
    return stream.getvalue()


async def test_at_debug_no_message_body_reaches_the_log(fake, restored):
    assert fake.calls_to("chat.postMessage") == []
    log = await logged_while_sending(fake)
    assert fake.calls_to("chat.postMessage")[0].params["text"] == WORDS
    assert "maria.holm@ljungby.se" not in log and "Maria Holm" not in log
    assert " DEBUG slack_sdk" not in log


async def test_only_sdk_bodies_lets_them_through(fake, restored):
    log = await logged_while_sending(fake, sdk_bodies=True)
    assert "maria.holm@ljungby.se" in log  # what the setting warns about


@pytest.mark.parametrize(
    ("verbose", "settings", "env", "level"),
    [
        (True, None, {}, logging.INFO),  # `mentorbot -v`, before the config is read
        (True, LogSettings(), {}, logging.INFO),  # `-v`, the config read
        (False, LogSettings(level="DEBUG"), {}, logging.INFO),
        (True, None, {"MENTORBOT_LOG_SDK_BODIES": "true"}, logging.DEBUG),
        (True, replace(LogSettings(), sdk_bodies=True), {}, logging.DEBUG),
        (False, replace(LogSettings(level="WARNING"), sdk_bodies=True), {}, logging.WARNING),
        (False, LogSettings(), {}, logging.INFO),
    ],
)
def test_slack_sdk_stays_at_info_at_debug_unless_asked(restored, verbose, settings, env, level):
    logs.configure_from(env, verbose=verbose, settings=settings)
    assert logging.getLogger("slack_sdk.web.async_base_client").getEffectiveLevel() == level
