"""A real mentorbot server on loopback with Slack mounted, a fake Slack Web
API behind it, and a client that signs requests exactly as Slack does."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import aiohttp

from adapters.server import build_app, make_runtime
from bot.config import BotSettings, Config, ServerConfig, SlackConfig
from tests.core.harness import LINK_SECRET
from tests.fakes.loopback import serve_on_loopback
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, FakeSlackAPI

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
COORDINATOR = "U0COORD"
ADEPT = "U0ADEPT"
MENTOR = "U0MENTOR"


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def slack_people(fake: FakeSlackAPI) -> None:
    fake.add_user(COORDINATOR, "Karin HR", real_name="Karin Lund", email="karin.lund@vaxjo.se", locale="sv-SE")
    fake.add_user(ADEPT, "Adam", real_name="Adam Berg", email="adam.berg@alvesta.se", locale="sv-SE")
    fake.add_user(
        MENTOR, "Maria", real_name="Maria Holm", email="maria.holm@ljungby.se", locale="en-GB", tz="Europe/London"
    )


@dataclass
class SlackServer:
    url: str
    runtime: Any
    fake: FakeSlackAPI
    http: aiohttp.ClientSession
    _ids = itertools.count(1)

    @property
    def adapter(self):
        return self.runtime.extras["slack"]

    async def settle(self) -> None:
        """Wait until every turn the server acknowledged has finished."""
        await self.adapter.drain()

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> tuple[int, str]:
        ts = int(time.time()) if timestamp is None else timestamp
        sent = {"Content-Type": content_type, **(headers or {})}
        if signed:
            sent["X-Slack-Request-Timestamp"] = str(ts)
            sent["X-Slack-Signature"] = signature or sign(body, ts)
        async with self.http.post(self.url + "/slack/events", data=body.encode(), headers=sent) as resp:
            return resp.status, await resp.text()

    # ------------------------------------------------------------ payloads

    async def command(
        self,
        text: str,
        *,
        user: str = COORDINATOR,
        channel: str = "D0COORD",
        channel_name: str = "directmessage",
        command: str = "/mentor",
        team: str = TEAM_ID,
        response_url: str | None = None,
        **kw,
    ) -> tuple[int, str]:
        """A slash command as Slack posts it; `team`: the workspace it was run
        in (another one's install of the app, or an outsider in a Slack Connect DM);
        `response_url`: another than the fake's."""
        n = next(self._ids)
        form = command_form(
            text,
            response_url or self.fake.response_url(f"cmd{n}"),
            f"{n}.1.abc",
            user=user,
            channel=channel,
            channel_name=channel_name,
            command=command,
            team=team,
        )
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def event_body(self, event: dict[str, Any], event_id: str | None = None, envelope: dict | None = None) -> str:
        """An Events API callback; `envelope` adds or replaces top-level fields
        (`is_ext_shared_channel`, another `team_id`)."""
        return json.dumps(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM_ID,
                "api_app_id": "A0MENTOR",
                "event": event,
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": TEAM_ID,
                        "user_id": BOT_USER_ID,
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                **(envelope or {}),
            }
        )

    async def event(
        self, event: dict[str, Any], event_id: str | None = None, *, envelope: dict | None = None, **kw
    ) -> tuple[int, str]:
        return await self.post(self.event_body(event, event_id, envelope), "application/json", **kw)

    async def dm(self, text: str, *, user: str = ADEPT, event_id: str | None = None, **extra) -> tuple[int, str]:
        n = next(self._ids)
        event = {
            "type": "message",
            "channel": "D" + user[1:],
            "user": user,
            "text": text,
            "ts": f"1767000000.{n:06d}",
            "event_ts": f"1767000000.{n:06d}",
            "channel_type": "im",
            "client_msg_id": f"msg-{n}",
            **extra,
        }
        return await self.event(event, event_id)

    async def click_ephemeral(
        self, response_call, action_prefix: str, *, user: str, channel: str, response_url: str | None = None
    ) -> tuple[int, str]:
        """Click a button on an ephemeral message (posted through a response_url):
        Slack then sends no `message`, only the container and a response_url
        (`response_url`: another than the fake's)."""
        button = next(
            e
            for b in response_call.params["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"].startswith(action_prefix)
        )
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": "1767000003.000001",
                "channel_id": channel,
                "is_ephemeral": True,
            },
            "trigger_id": "7.1.eph",
            "team": {"id": TEAM_ID, "domain": "kommunerna"},
            "channel": {"id": channel, "name": "directmessage"},
            "state": {"values": {}},
            "response_url": response_url or self.fake.response_url(f"eph{next(self._ids)}"),
            "actions": [
                {
                    "action_id": button["action_id"],
                    "block_id": "e1",
                    "text": button["text"],
                    "value": button.get("value", ""),
                    "type": "button",
                    "action_ts": "1767000003.000002",
                }
            ],
        }
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    async def click(
        self,
        message_call,
        action_id: str,
        *,
        user: str,
        value: str | None = None,
        label: str | None = None,
        state: dict[str, Any] | None = None,
        as_sent: bool = False,
    ) -> tuple[int, str]:
        """Click the button `action_id` on a message the fake received;
        `state` is what the person had ticked or typed (`state.values`);
        `as_sent` clicks the message as first posted (a client that has not
        yet shown the update: a double click). A click in a channel or group DM
        the fake knows carries that conversation's name, as Slack's does."""
        channel, ts = message_call.result["channel"], message_call.result["ts"]
        message = message_call.params if as_sent else self.fake.messages[(channel, ts)]
        known = self.fake.channels.get(channel)
        # Slack names a DM "directmessage"; a channel or group DM by its own name.
        channel_name = known.name if known is not None and not channel.startswith("D") else "directmessage"
        button = next(
            e
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == action_id and (value is None or e.get("value") == value)
        )
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": f"{next(self._ids)}.1.xyz",
            "team": {"id": TEAM_ID, "domain": "kommunerna"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": channel_name},
            "message": {
                "type": "message",
                "user": BOT_USER_ID,
                "ts": ts,
                "bot_id": "B0BOT",
                "text": message["text"],
                "blocks": message["blocks"],
            },
            "state": {"values": state or {}},
            "response_url": self.fake.response_url(f"act{next(self._ids)}"),
            "actions": [
                {
                    "action_id": button["action_id"],
                    "block_id": "b1",
                    "text": button["text"],
                    "value": button.get("value", ""),
                    "type": "button",
                    "action_ts": "1767000001.000001",
                }
            ],
        }
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


async def click_home(server: SlackServer, user: str, action_prefix: str) -> tuple[int, str]:
    """Click a button on the user's Home tab (the last view published for them)."""
    view = server.fake.views[user]
    button = next(
        e
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith(action_prefix)
    )
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0MENTOR",
        "token": "legacy-verification-token",
        "container": {"type": "view", "view_id": "V" + user},
        "trigger_id": "9.1.home",
        "team": {"id": TEAM_ID, "domain": "kommunerna"},
        "view": {"id": "V" + user, "type": "home", "blocks": view["blocks"], "state": {"values": {}}},
        "actions": [
            {
                "action_id": button["action_id"],
                "block_id": "h1",
                "text": button["text"],
                "value": button.get("value", ""),
                "type": "button",
                "action_ts": "1767000002.000001",
            }
        ],
    }
    return await server.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


def command_form(
    text: str,
    response_url: str,
    trigger_id: str,
    *,
    user: str = ADEPT,
    user_name: str | None = None,
    channel: str = "D0ADEPT",
    channel_name: str = "directmessage",
    command: str = "/mentor",
    team: str = TEAM_ID,
) -> dict[str, str]:
    """A slash command's fields as Slack sends them (a form over HTTP, the
    payload of a Socket Mode envelope)."""
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "team_domain": "kommunerna",
        "channel_id": channel,
        "channel_name": channel_name,
        "user_id": user,
        "user_name": user_name or user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0MENTOR",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def slack_config(
    api_url: str,
    *,
    coordinators: tuple[str, ...] = (f"slack:{TEAM_ID}:{COORDINATOR}",),
    command: str = "/mentor",
    team_id: str = "",
) -> Config:
    config = Config()
    return replace(
        config,
        server=ServerConfig(host="127.0.0.1", port=0, link_secret=LINK_SECRET),
        slack=SlackConfig(
            bot_token="xoxb-test-token", signing_secret=SECRET, api_url=api_url, command=command, team_id=team_id
        ),
        bot=replace(BotSettings(), coordinators=coordinators),
    )


@asynccontextmanager
async def slack_server(db, clock, fake: FakeSlackAPI | None = None, *, on_app=None, **config_kw):
    """`on_app(app)`: a test's own hooks on the aiohttp application before it
    starts. Starting asks the fake's `auth.test` which workspace the bot is in
    (TEAM_ID); a start-up that fails raises its `ConfigError`."""
    own_fake = fake is None
    fake = fake or FakeSlackAPI()
    if own_fake:
        await fake.start()
        slack_people(fake)
    try:
        runtime = make_runtime(slack_config(fake.base_url, **config_kw), db, clock)
        app = build_app(runtime)
        if on_app is not None:
            on_app(app)
        runner, port = await serve_on_loopback(app)
        try:
            async with aiohttp.ClientSession() as session:
                yield SlackServer(f"http://127.0.0.1:{port}", runtime, fake, session)
        finally:
            await runner.cleanup()
    finally:
        if own_fake:
            await fake.stop()


# ------------------------------------------------------- a person in a DM


def dms(fake, user: str):
    """The messages the fake delivered to `user`'s DM, in order."""
    return [c for c in fake.delivered() if fake.user_of(c.result["channel"]) == user]


def button(call, fake, *, label: str | None = None, action_prefix: str | None = None):
    message = fake.messages[(call.result["channel"], call.result["ts"])]
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("type") != "button":
                continue
            if label is not None and element["text"]["text"] == label:
                return element
            if action_prefix is not None and element["action_id"].startswith(action_prefix):
                return element
    raise AssertionError(f"no button {label or action_prefix} in {message['text']!r}")


async def click(server, call, element, user, *, as_sent: bool = False):
    """Press a button element (see `button`) and wait for the turn to finish."""
    status, _ = await server.click(call, element["action_id"], user=user, value=element.get("value"), as_sent=as_sent)
    assert status == 200
    await server.settle()


async def say(server, user: str, text: str):
    status, _ = await server.dm(text, user=user)
    assert status == 200
    await server.settle()


@contextmanager
def counted_runs(name: str) -> Iterator[list[str]]:
    """A slow command `name` (it says 'working on it' first) and a button
    `name.go` that count how often they ran, registered while the block runs."""
    from bot.commands.registry import ACTIONS, COMMANDS, PARTICIPANT, Command
    from bot.messages import Outbound

    ran: list[str] = []

    async def command(turn, args):
        ran.append("command")
        await asyncio.sleep(0.2)
        return [Outbound(text="done", kind=f"test/{name}")]

    async def pressed(turn):
        ran.append("press")
        return [Outbound(text="pressed", kind=f"test/{name}")]

    COMMANDS[(name,)] = Command((name,), PARTICIPANT, (), command, slow=True)
    ACTIONS[f"{name}."] = pressed
    try:
        yield ran
    finally:
        del COMMANDS[(name,)]
        del ACTIONS[f"{name}."]
