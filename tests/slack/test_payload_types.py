"""Signed requests of a kind the app does not handle (a modal's
view_submission, a shortcut, a workflow step, an event it does not subscribe
to) get a 404 at the edge, and a handled kind missing what it cannot do
without a 400: bolt never sees either (some crashed it: a 500 and a
traceback), and each leaves one log line. What the app handles still gets through."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from tests.fakes.slack_api import TEAM_ID
from tests.slack.helpers import ADEPT, COORDINATOR

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
USER = {"id": COORDINATOR, "team_id": TEAM_ID}


def form(payload: dict) -> tuple[str, str]:
    return urlencode({"payload": json.dumps(payload)}), FORM


def event(inner: dict) -> tuple[str, str]:
    return json.dumps({"type": "event_callback", "team_id": TEAM_ID, "event_id": "Ev1", "event": inner}), JSON


async def refused(server, caplog, body: str, content_type: str) -> tuple[int, str]:
    caplog.set_level(logging.DEBUG)
    status, text = await server.post(body, content_type)
    await server.settle()
    assert not [r for r in caplog.records if r.exc_info], "no traceback"
    (line,) = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert line.levelno == logging.WARNING and line.name == "adapters.slack.http"
    assert [c.method for c in server.fake.calls] == ["auth.test"]  # nothing sent, nothing looked up
    return status, json.loads(text)["error"]


@pytest.mark.parametrize(
    "body",
    [
        # bolt failed on these two (KeyError 'workflow_step', KeyError 'type'): a 500 and a traceback
        form({"type": "workflow_step_edit", "user": USER, "callback_id": "x"}),
        form({"type": "view_submission", "user": USER, "view": {"id": "V1", "callback_id": "x"}}),
        form({"type": "view_submission", "user": USER, "view": {"id": "V1", "type": "modal", "callback_id": "x"}}),
        form({"type": "view_closed", "user": USER, "view": {"id": "V1", "callback_id": "x"}}),
        form({"type": "shortcut", "user": USER, "callback_id": "x"}),
        form({"type": "message_action", "user": USER, "callback_id": "x"}),
        form({"type": "block_suggestion", "user": USER, "action_id": "x", "value": "a"}),
        form({"type": "dialog_submission", "user": USER, "callback_id": "x"}),
        form({"type": "interactive_message", "user": USER, "callback_id": "x"}),
        form({"user": USER}),
        event({"type": "workflow_step_execute", "callback_id": "x", "workflow_step": {}}),
        event({"type": "function_executed", "function": {"callback_id": "x"}, "inputs": {}}),
        event({"type": "reaction_added", "user": ADEPT, "item": {"channel": "C1"}}),
        (json.dumps({"type": "app_rate_limited", "team_id": TEAM_ID, "minute_rate_limited": 1}), JSON),
        (json.dumps({"team_id": TEAM_ID}), JSON),
        ("token=x&team_id=T0&user_id=U0&text=status", FORM),  # no command, no payload
    ],
    ids=[
        "workflow_step_edit",
        "view_submission, its view without a type",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "block_suggestion",
        "dialog_submission",
        "interactive_message",
        "a payload without a type",
        "event workflow_step_execute",
        "event function_executed",
        "event reaction_added",
        "app_rate_limited",
        "JSON without a type",
        "a form that is no slash command",
    ],
)
async def test_a_kind_the_app_does_not_handle_gets_a_404_before_bolt(server, bolt_sees, caplog, body):
    status, error = await refused(server, caplog, *body)
    assert status == 404 and "not a request this app handles" in error
    assert bolt_sees == []


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ((json.dumps({"type": "event_callback", "team_id": TEAM_ID}), JSON), "body.event: missing"),
        (event({}), "body.event.type: missing"),
        (event({"type": 7}), "body.event.type"),
        ((json.dumps({"type": "url_verification", "token": "x"}), JSON), "body.challenge: missing"),
        (form({"type": "block_actions", "user": USER}), "body.actions: missing"),
        (form({"type": "block_actions", "user": USER, "command": "/mentor", "actions": [{"action_id": "a"}]}), "type"),
    ],
    ids=[
        "event_callback without an event",
        "an event without a type",
        "an event type not text",
        "url_verification without a challenge",
        "block_actions without actions",
        "a payload that says it is a slash command",
    ],
)
async def test_a_handled_kind_without_what_it_needs_gets_a_400_before_bolt(server, bolt_sees, caplog, body, where):
    status, error = await refused(server, caplog, *body)
    assert status == 400 and where in error
    assert bolt_sees == []


async def test_what_the_app_handles_still_reaches_bolt(server, bolt_sees):
    assert await server.post(json.dumps({"type": "url_verification", "challenge": "c1", "token": "x"}), JSON) == (
        200,
        '{"challenge": "c1"}',
    )
    assert (await server.post("ssl_check=1&token=x", FORM))[0] == 200
    assert (await server.command("hjälp"))[0] == 200
    assert (await server.dm("status"))[0] == 200
    await server.settle()
    assert [body.get("type") or body.get("command") or "ssl_check" for body in bolt_sees] == [
        "url_verification",
        "ssl_check",
        "/mentor",
        "event_callback",
    ]
