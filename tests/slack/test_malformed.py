"""What reaches `/slack/events` that is not a request Slack sent: an
unsigned one is refused with a 401 before its body is read; a signed one
whose body is not what Slack sends gets a 400 and one log line. Neither is
ever a 500 or a traceback in the log, and nothing runs."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import quote, urlencode

import pytest

from tests.slack.helpers import ADEPT

FORM = "application/x-www-form-urlencoded"


def _logged(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.INFO]


def _click(**over) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": ADEPT, "name": "adam", "team_id": "T0FAKE"},
        "team": {"id": "T0FAKE", "domain": "kommunerna"},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "D0ADEPT", "is_ephemeral": False},
        "channel": {"id": "D0ADEPT", "name": "directmessage"},
        "actions": [{"action_id": "status", "type": "button", "value": "1", "text": {"text": "Status"}}],
    }
    payload.update(over)
    return urlencode({"payload": json.dumps(payload)})


_DEEP = "[" * 100_000 + "]" * 100_000
# JSON to aiohttp's lowercased content type, a form to bolt's raw one (it starts with a space, not "{").
_SMUGGLED = ' {"k": "&payload=' + quote(json.dumps({"type": "block_actions", "user": ADEPT, "actions": ["x"]}), safe="")
_SMUGGLED += '&z="}'


def _mention(**over) -> dict:
    return {"type": "app_mention", "channel": "C0PROGRAM", "user": ADEPT, "text": "<@U0BOT> hjälp", "ts": "1.1", **over}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("[1]", "application/json"), ("payload=%7Bnot", FORM), ('{"type": "event_callback", "event": "x"}', "text/plain")],
    ids=["json array", "form with a broken payload", "event not an object"],
)
async def test_an_unsigned_request_is_refused_before_its_body_is_read(server, caplog, body, content_type):
    caplog.set_level(logging.DEBUG)
    status, text = await server.post(
        body, content_type, headers={"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=forged"}, signed=False
    )
    await server.settle()
    assert status == 401 and "signature" in text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert [c.method for c in server.fake.calls] == ["auth.test"]  # only the one at start


async def test_a_body_that_is_not_utf8_is_refused_as_unsigned(server):
    raw = b'{"type": "event_callback", "event": {"text": "\xff"}}'
    ts = int(time.time())
    async with server.http.post(
        server.url + "/slack/events",
        data=raw,
        headers={"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": "v0=0"},
    ) as response:
        assert response.status == 401


@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda s: ("[1]", "application/json"), "not a JSON object"),
        (lambda s: ("payload=%7Bnot", FORM), "neither JSON"),
        (lambda s: (json.dumps({"type": "event_callback", "event": "x"}), "application/json"), "body.event"),
        (lambda s: (json.dumps({"type": "event_callback", "event": "type"}), "application/json"), "body.event"),
        (lambda s: (s.event_body(_mention(text=42)), "application/json"), "body.event.text"),
        (lambda s: (s.event_body(_mention(user={"id": ADEPT})), "application/json"), "body.event.user"),
        (lambda s: (_click(actions=["x"]), FORM), "body.actions[0]"),
        (lambda s: (_click(actions=[]), FORM), "body.actions"),
        (lambda s: (_click(actions=[{"type": "button"}]), FORM), "body.actions[0].action_id"),
        (lambda s: (_click(user=ADEPT), FORM), "body.user"),
        (lambda s: (_click(state={"values": {"b1": ["x"]}}), FORM), "body.state.values"),
        (lambda s: (_click(team=7), FORM), "body.team"),
        (lambda s: ('{"type":"event_callback","x":' + _DEEP + "}", "application/json"), "neither JSON"),
        (lambda s: (urlencode({"payload": '{"type":"block_actions","x":' + _DEEP + "}"}), FORM), "neither JSON"),
        (lambda s: (_SMUGGLED, "Application/JSON"), "body.user"),
        (lambda s: (s.event_body(_mention()), "application/json; charset=no-such"), "charset"),
    ],
    ids=[
        "json array",
        "form with a broken payload",
        "event a string",
        "event the string 'type'",
        "text a number",
        "event user an object",
        "actions of strings",
        "no actions",
        "action without an id",
        "user a string",
        "form values not objects",
        "team a number",
        "JSON nested too deep",
        "form payload nested too deep",
        "a form bolt reads under a JSON type aiohttp reads",
        "an unknown charset",
    ],
)
async def test_a_signed_but_malformed_body_gets_a_400_and_one_log_line(server, caplog, make, where):
    caplog.set_level(logging.DEBUG)
    body, content_type = make(server)
    status, text = await server.post(body, content_type)
    await server.settle()
    assert status == 400 and where in json.loads(text)["error"]
    (line,) = _logged(caplog)
    assert line.levelno == logging.WARNING and line.exc_info is None and where in line.getMessage()
    assert [c.method for c in server.fake.calls] == ["auth.test"]  # only the one at start


async def test_a_signed_well_formed_request_still_gets_through(server, caplog):
    caplog.set_level(logging.DEBUG)
    status, _ = await server.event(_mention())
    await server.settle()
    assert status == 200
    assert server.fake.calls_to("chat.postEphemeral") or server.fake.calls_to("chat.postMessage")
    assert not [r for r in caplog.records if r.exc_info]
