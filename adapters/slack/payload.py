"""The edge of `POST /slack/events` and of Socket Mode: is a request Slack's, and is it well formed?

The signature is checked first, over the raw bytes, with slack_sdk's
`SignatureVerifier` (what bolt's request verification uses: the HMAC and a
timestamp at most five minutes off), so nothing an unsigned sender wrote is
parsed. A signed body is then parsed the way bolt parses it and checked
against the shapes bolt and `adapters.slack.inbound` read (an object where
they call `.get`, text where they match text). Slack never sends anything
else, so a body that does not fit is refused with the first thing wrong, and
bolt never sees it. Over Socket Mode, where Slack's own connection vouches
for the sender, each envelope's payload gets the same check (`body_problem`,
in `adapters.slack.socket_mode`).

Unknown fields are fine (Slack adds them), and a field may be missing; only a
present field of the wrong kind is refused, and the few a kind of request
cannot do without. What the app handles is the slash command, `ssl_check`,
`url_verification`, `block_actions` and `event_callback` with the events it
subscribes to (`adapters.slack.manifest`); anything else (a modal's
`view_submission`, a shortcut, a workflow step, an event it never asked for)
is refused with a 404 before bolt reads it, as bolt would answer it, without
bolt's own handling of payload types the app never uses (some of which fail
on a body Slack would not send).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.request.internals import build_normalized_headers, extract_content_type, parse_body
from slack_sdk.signature import SignatureVerifier

from bot.inputs import parse_int

NULL = type(None)
MAX_PROBLEM = 200  # characters of a refusal's reason (it goes to the log)
SIGNATURE_LIFETIME = 5 * 60  # seconds: how old a timestamp slack_sdk's check (bolt's too) accepts
STALE_MARGIN = 10  # seconds: this check finds a signature stale that much earlier than bolt's


@dataclass(frozen=True)
class Each:
    """An object whose keys are ids (form blocks) and whose values all fit `shape`."""

    shape: Any


@dataclass(frozen=True)
class Required:
    """A field that must be present (and fit `shape`)."""

    shape: Any


@dataclass(frozen=True)
class Some:
    """A non-empty array of `shape` (bolt reads the first item unasked)."""

    shape: Any


_TEXT_OBJECT = {"text": str}
_OPTION = {"value": str, "text": _TEXT_OBJECT}
_ACTION = {
    "action_id": str,
    "block_id": str,
    "type": str,
    "value": str,
    "text": _TEXT_OBJECT,
    "selected_option": (_OPTION, NULL),
    "selected_options": [_OPTION],
}
_INPUT = {
    "type": str,
    "value": (str, NULL),
    "selected_option": (_OPTION, NULL),
    "selected_options": [_OPTION],
}
BODY: dict[str, Any] = {
    # envelope and slash command (form fields are always text)
    "type": str,
    "token": str,
    "team_id": str,
    "event_id": str,
    "api_app_id": str,
    "challenge": str,
    "is_ext_shared_channel": bool,
    "user_id": str,
    "user_name": str,
    "channel_id": str,
    "channel_name": str,
    "command": str,
    "text": str,
    "response_url": str,
    "trigger_id": str,
    "event": {"type": str},
    "authorizations": [{"team_id": (str, NULL), "user_id": (str, NULL), "enterprise_id": (str, NULL)}],
    # interactivity
    "enterprise": (str, {"id": str}, NULL),
    "team": (str, {"id": str}, NULL),
    "user": ({"id": str, "team_id": str, "name": str, "username": str}, NULL),
    "channel": ({"id": str, "name": str}, NULL),
    "container": ({"type": str, "channel_id": str, "message_ts": str, "is_ephemeral": bool}, NULL),
    "message": ({"ts": str, "text": str, "blocks": [dict]}, NULL),
    "view": (dict, NULL),
    "state": ({"values": (Each(Each(_INPUT)), NULL)}, NULL),
    "actions": [_ACTION],
    "response_urls": [{"response_url": str}],
}
_EVENT = {
    "type": str,
    "subtype": (str, NULL),
    "user": str,
    "user_team": str,
    "team": str,
    "text": str,
    "channel": str,
    "channel_type": str,
    "tab": str,
    "ts": str,
    "thread_ts": str,
    "event_ts": str,
    "bot_id": (str, NULL),
    "bot_profile": (dict, NULL),
}
EVENTS = {"message": _EVENT, "app_mention": _EVENT, "app_home_opened": _EVENT}
# The payload types the app handles, and what one needs on top of BODY.
TYPES: dict[str, Any] = {
    "block_actions": {"actions": Required(Some({**_ACTION, "action_id": Required(str)}))},
    "event_callback": {"event": Required({"type": Required(str)})},
    "url_verification": {"challenge": Required(str)},
}
_KINDS = {str: "text", bool: "true or false", dict: "an object", NULL: "null"}


def repeated_slack_header(headers: Mapping[str, str]) -> str | None:
    """The name of an `X-Slack-*` header sent more than once, if one was.
    This check takes the first of them and bolt the last: a request could
    pass here with one signature and fail bolt's check with the other, which
    logs the whole body. Slack sends each once, so a repeat is refused."""
    seen: set[str] = set()
    for name, _value in headers.items():  # every pair (a multidict's keys() names each once)
        key = name.lower()
        if key.startswith("x-slack-"):
            if key in seen:
                return key[:60]
            seen.add(key)
    return None


def signed_by_slack(verifier: SignatureVerifier, raw: bytes, headers: Mapping[str, str]) -> bool:
    """Whether `raw` carries a valid, fresh Slack signature. Headers bolt or
    slack_sdk would choke on (a timestamp that is not ASCII digits, a
    signature that is not ASCII) and a body that is not UTF-8 count as unsigned.

    A signature counts as stale `STALE_MARGIN` seconds before bolt's own
    check (the same five minutes, a moment later) would find it so: one
    that passed here and not there would have bolt log the whole body."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if parse_int(timestamp, high=10**12) is None or not signature or not signature.isascii():
        return False
    if verifier.clock.now() - int(timestamp) > SIGNATURE_LIFETIME - STALE_MARGIN:
        return False
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return verifier.is_valid(body, timestamp, signature)


@dataclass(frozen=True)
class Refusal:
    """Why a signed body is refused: 400, it is not what Slack sends; 404, it
    is nothing this app handles."""

    status: int
    reason: str

    @property
    def why(self) -> str:
        """For the log line: which of the two it is."""
        return "its body is not what Slack sends" if self.status == 400 else "the app does not handle it"


def payload_problem(text: str, headers: Mapping[str, str]) -> Refusal | None:
    """Why a signed body is refused, read as bolt will read it; None if it is not.

    `text` is the body as bolt gets it (aiohttp's `request.text()`) and the
    content type is taken from `headers` with bolt's own helpers (the raw
    header, case kept, cut at `;`), not aiohttp's normalized one: a body the
    two would read differently (JSON to one, a form to the other) must be
    checked as bolt reads it. Nesting too deep for `json` is refused here too."""
    try:
        # As AsyncBoltRequest does, from the same multidict (its last Content-Type wins there too).
        content_type = extract_content_type(build_normalized_headers(headers))  # type: ignore[arg-type]
        body = parse_body(text, content_type)
    except (ValueError, RecursionError):  # json.JSONDecodeError is a ValueError
        return Refusal(400, "the body is neither JSON nor a form with a JSON payload")
    return body_problem(body)


def body_problem(body: Any) -> Refusal | None:
    """Why a parsed request body is refused (400: not what Slack sends; 404:
    nothing this app handles); None if it is not. Over HTTP the body of a
    signed request (`payload_problem`), over Socket Mode an envelope's payload."""
    if not isinstance(body, dict):
        return Refusal(400, "the payload is not a JSON object")
    # BODY first: it makes `type` and `event.type` text (or absent), so they can pick the rest.
    wrong = problem(body, BODY, "body")
    if wrong:
        return Refusal(400, wrong[:MAX_PROBLEM])
    if "ssl_check" in body:  # Slack checking the certificate: bolt answers it
        return None
    if "command" in body:  # a slash command: a form, never a payload with a type
        return Refusal(400, "body.type: a slash command has none") if "type" in body else None
    kind = body.get("type")
    if kind is None:
        return Refusal(404, "not a request this app handles (neither a slash command nor a payload type)")
    if kind not in TYPES:
        return Refusal(404, f"not a request this app handles (payload type {kind!r:.40})")
    wrong = problem(body, TYPES[kind], "body")
    if wrong:
        return Refusal(400, wrong[:MAX_PROBLEM])
    if kind == "event_callback":
        event = body["event"]
        if event["type"] not in EVENTS:
            return Refusal(
                404, f"not a request this app handles (an event it does not subscribe to, {event['type']!r:.40})"
            )
        wrong = problem(event, EVENTS[event["type"]], "body.event")
    return Refusal(400, wrong[:MAX_PROBLEM]) if wrong else None


def problem(value: Any, shape: Any, path: str) -> str | None:
    """The first place where `value` does not fit `shape`, or None.

    A shape is a type, a tuple of alternatives, an object (`{key: shape}`;
    a key may be missing unless its shape is `Required(...)`), a list of one
    shape (an array of it), `Some(shape)` (a non-empty one) or `Each(shape)`."""
    if isinstance(shape, tuple):
        found = [problem(value, alternative, path) for alternative in shape]
        return None if None in found else found[0]
    if isinstance(shape, type):
        return None if isinstance(value, shape) else f"{path}: expected {_KINDS.get(shape, shape.__name__)}"
    if isinstance(shape, (list, Some)):
        if not isinstance(value, list) or (isinstance(shape, Some) and not value):
            return f"{path}: expected {'a non-empty array' if isinstance(shape, Some) else 'an array'}"
        inner = shape.shape if isinstance(shape, Some) else shape[0]
        return next((p for i, item in enumerate(value) if (p := problem(item, inner, f"{path}[{i}]"))), None)
    if not isinstance(value, dict):
        return f"{path}: expected an object"
    if isinstance(shape, Each):
        return next(
            (p for key, item in value.items() if (p := problem(item, shape.shape, f"{path}.{json.dumps(key)[:40]}"))),
            None,
        )
    for key, inner in shape.items():
        if isinstance(inner, Required) and key not in value:
            return f"{path}.{key}: missing"
        if isinstance(inner, Required):
            inner = inner.shape
        if key in value and (p := problem(value[key], inner, f"{path}.{key}")):
            return p
    return None
