"""A loopback fake of the Slack Web API, for tests and benches.

It answers the methods mentorbot uses (`auth.test`, `chat.postMessage`,
`chat.update`, `chat.postEphemeral`, `conversations.open`,
`conversations.info`, `users.info`, `views.publish`, `apps.connections.open`
with a Socket Mode WebSocket at `/socket`) and `response_url`
posts (`fake.response_url(name)`), records every call, and
can misbehave on purpose:

* `throttle_every=N`: every N-th throttled-method call answers HTTP 429 with
  `Retry-After: retry_after` (N=2: every other call);
* `channel_rate=1.0`: at most that many messages per second per channel, and
  `workspace_per_minute=M`: at most M messages per rolling minute in the
  workspace; beyond either it answers 429 with the `Retry-After` Slack would;
* `server_error_every=N`: every N-th call answers `server_error_status` (5xx);
* `channel_throttles={"D0ADAM": 5}`: the next post to that channel answers
  429 with that `Retry-After` (once);
* `post_delay=2.0`: a post is stored at once but answered that many seconds
  later (a slow Slack: the message is there before the sender knows it);
* `clock_offset=3600`: the fake's clock runs that many seconds ahead of the
  machine's (negative: behind). A message's `ts` is, as on Slack, the fake's
  epoch time when it accepted the message;
* `method_errors={"chat.postMessage": "channel_not_found"}` and
  `channel_errors={"U0BLOCKED": "cannot_dm_bot"}`: `{"ok": false, "error": ...}`.

A call that comes back for a channel before the `Retry-After` it was given is
recorded with `early=True` (and throttled again), so a test can assert that no
client retried too soon.

In-process::

    fake = FakeSlackAPI(throttle_every=2)
    base_url = await fake.start()          # "http://127.0.0.1:PORT/api/"
    ...
    fake.calls_to("chat.postMessage")      # recorded Call objects
    await fake.stop()

From another process (the scheduler's SIGKILL test)::

    python -m tests.fakes.slack_api --port-file /tmp/url --channel-rate 1

prints and writes the base URL; `GET /_calls` returns the recorded calls as
JSON, `POST /_configure` changes the behaviour, `POST /_reset` clears the
record, and `--calls-log FILE` also appends each call as a JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import signal
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.fakes.loopback import serve_on_loopback
from tests.fakes.slack_methods import SlackMethods
from tests.fakes.slack_records import BOT_ID, BOT_USER_ID, MESSAGE_METHODS, TEAM_ID, Call, Channel, User
from tests.fakes.slack_socket import SocketModeMixin

__all__ = ["BOT_ID", "BOT_USER_ID", "TEAM_ID", "Call", "Channel", "FakeSlackAPI", "User", "main"]


class FakeSlackAPI(SlackMethods, SocketModeMixin):
    SETTINGS = (
        "throttle_every",
        "throttle_methods",
        "retry_after",
        "channel_rate",
        "workspace_per_minute",
        "server_error_every",
        "server_error_status",
        "method_errors",
        "channel_errors",
        "channel_throttles",
        "post_delay",
        "response_url_errors",
        "clock_offset",
    )

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        throttle_every: int = 0,
        throttle_methods: tuple[str, ...] | None = MESSAGE_METHODS,
        retry_after: int = 1,
        channel_rate: float | None = None,
        workspace_per_minute: int | None = None,
        server_error_every: int = 0,
        server_error_status: int = 503,
        method_errors: dict[str, str] | None = None,
        channel_errors: dict[str, str] | None = None,
        channel_throttles: dict[str, int] | None = None,
        post_delay: float = 0.0,
        clock_offset: float = 0.0,
        calls_log: str | os.PathLike | None = None,
        record_params: bool = True,
    ):
        self.host, self.port = host, port
        self.throttle_every = throttle_every
        self.throttle_methods = tuple(throttle_methods) if throttle_methods else None
        self.retry_after = retry_after
        self.channel_rate = channel_rate
        self.workspace_per_minute = workspace_per_minute
        self.server_error_every = server_error_every
        self.server_error_status = server_error_status
        self.method_errors: dict[str, str] = dict(method_errors or {})
        self.channel_errors: dict[str, str] = dict(channel_errors or {})
        self.channel_throttles: dict[str, int] = dict(channel_throttles or {})
        self.post_delay = post_delay
        self.clock_offset = clock_offset  # seconds the fake's clock (a message's `ts`) is ahead of the machine's
        # response_url name ("*": every one) -> the error it answers with (HTTP 404), e.g. "expired_url"
        self.response_url_errors: dict[str, str] = {}
        self._response_url_uses: dict[str, int] = {}
        # chat.postMessage to these channels waits (unrecorded, unanswered) until
        # `release_held()`; a post whose sender is gone by then never arrived.
        self.hold_posts_to: set[str] = set()
        self.held: list[dict[str, Any]] = []
        self._release = asyncio.Event()
        self.record_params = record_params
        self.calls: list[Call] = []
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}  # (channel, ts) -> last version
        self.views: dict[str, dict[str, Any]] = {}  # user id -> last published Home view
        self.dm_user: dict[str, str] = {}  # DM channel id -> user id
        # files.getUploadURLExternal tickets: file id -> name, length, the bytes posted, where shared.
        self.files: dict[str, dict[str, Any]] = {}
        self._calls_log = Path(calls_log) if calls_log else None
        self._seq = itertools.count(1)
        self._last_ts: dict[str, int] = {}  # channel -> its last message's `ts`, in microseconds
        self._counted: dict[str, int] = {}  # per-method counters for throttle/5xx
        self._last_post: dict[str, float] = {}  # channel -> monotonic time of last accepted post
        self._window: deque[float] = deque()  # accepted posts in the last minute (monotonic)
        self._not_before: dict[str, float] = {}  # channel -> monotonic time a retry is allowed
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Socket Mode: the app's WebSocket connections and the acks it sent back.
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_acks: dict[str, dict[str, Any]] = {}
        self._socket_event = asyncio.Event()

    # ----------------------------------------------------------- lifecycle

    async def start(self) -> str:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_get("/_calls", self._get_calls)
        app.router.add_post("/_configure", self._configure)
        app.router.add_post("/_reset", self._reset)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner, port = await serve_on_loopback(app, self.host, self.port)
        self.port = port
        self.base_url = f"http://{self.host}:{port}/api/"
        return self.base_url

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlackAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    # ------------------------------------------------------------- fixtures

    def add_user(self, user_id: str, name: str, **kw: Any) -> User:
        user = User(user_id, name, **kw)
        self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str, *, is_member: bool = True, **kw: Any) -> Channel:
        channel = Channel(channel_id, name, is_member=is_member, **kw)
        self.channels[channel_id] = channel
        return channel

    def configure(self, **settings: Any) -> None:
        for key, value in settings.items():
            if key not in self.SETTINGS:
                raise ValueError(f"unknown fake setting {key!r}; known: {', '.join(self.SETTINGS)}")
            if key == "throttle_methods" and value:
                value = tuple(value)
            setattr(self, key, value)

    def release_held(self) -> None:
        """Let held posts go on (those whose sender is still there arrive)."""
        self.hold_posts_to = set()
        self._release.set()

    def reset(self) -> None:
        self.calls.clear()
        self._counted.clear()
        self._last_post.clear()
        self._window.clear()
        self._not_before.clear()

    # -------------------------------------------------------------- queries

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def delivered(self) -> list[Call]:
        """Messages that were accepted (chat.postMessage answered ok)."""
        return self.calls_to("chat.postMessage", ok=True)

    def user_of(self, channel: str) -> str | None:
        """The user a DM channel (or a user id used as channel) belongs to."""
        if channel.startswith(("U", "W")):
            return channel
        return self.dm_user.get(channel)

    # ------------------------------------------------------------ handlers

    async def _get_calls(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        since = int(request.query.get("since", "0"))
        data = [c.to_json() for c in self.calls if c.seq > since and (method is None or c.method == method)]
        return web.json_response(data)

    async def _configure(self, request: web.Request) -> web.Response:
        body = await request.json()
        users = body.pop("users", [])
        channels = body.pop("channels", [])
        try:
            self.configure(**body)
        except ValueError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        for u in users:
            self.add_user(**u)
        for c in channels:
            self.add_channel(**c)
        return web.json_response({"ok": True})

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        if method == "chat.postMessage" and str(params.get("channel") or "") in self.hold_posts_to:
            self.held.append(params)
            await self._release.wait()
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499)  # the sender died meanwhile: it never arrived
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else params.pop("token", None)
        call = Call(
            seq=next(self._seq),
            method=method,
            params=params if self.record_params else {},
            at=time.time(),
            token=token,
        )
        body, headers = self._answer(call, params)
        self.calls.append(call)
        if self._calls_log is not None:
            with self._calls_log.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(call.to_json()) + "\n")
        if self.post_delay and method == "chat.postMessage":
            await asyncio.sleep(self.post_delay)  # stored already; the answer is late
        return web.json_response(body, status=call.status, headers=headers)

    def response_url(self, name: str = "r1") -> str:
        """A `response_url` for a slash command or an action payload; what is
        posted to it is recorded as a call to the method `response_url`."""
        return f"http://{self.host}:{self.port}/response/{name}"

    async def _response_url(self, request: web.Request) -> web.Response:
        params = await _params(request)
        name = request.match_info["name"]
        call = Call(seq=next(self._seq), method="response_url", params=params, at=time.time(), result={"name": name})
        self.calls.append(call)
        if self._calls_log is not None:
            with self._calls_log.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(call.to_json()) + "\n")
        # Like Slack: at most five answers per response_url, and none once it expired.
        uses = self._response_url_uses[name] = self._response_url_uses.get(name, 0) + 1
        error = (
            self.response_url_errors.get(name)
            or self.response_url_errors.get("*")
            or ("used_url" if uses > 5 else None)
        )
        if error:
            call.ok, call.error, call.status = False, error, 404
            return web.Response(status=404, text=error)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL handed out by `files.getUploadURLExternal`: takes the
        file's bytes (raw body or a multipart `file` field), recorded as `upload`."""
        file_id = request.match_info["file_id"]
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            field = form.get("file") or form.get("filename")
            data = field.file.read() if hasattr(field, "file") else str(field or "").encode()
        else:
            data = await request.read()
        call = Call(
            seq=next(self._seq), method="upload", params={"file_id": file_id, "length": len(data)}, at=time.time()
        )
        self.calls.append(call)
        if file_id not in self.files:
            call.ok, call.error = False, "invalid_file_id"
            return web.Response(status=404, text="unknown upload")
        self.files[file_id]["data"] = data
        return web.Response(text=f"OK - {len(data)}")

    # -------------------------------------------------------------- answers

    def _answer(self, call: Call, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        method = call.method
        n = self._counted[method] = self._counted.get(method, 0) + 1
        channel = str(params.get("channel") or "")
        now = time.monotonic()

        if not call.token:
            return self._fail(call, "not_authed"), {}
        if self.server_error_every and n % self.server_error_every == 0:
            call.status, call.ok, call.error = self.server_error_status, False, "server_error"
            return {"ok": False, "error": "server_error"}, {}
        if channel and channel in self._not_before and now < self._not_before[channel]:
            call.early = True
            return self._throttle(call, channel, self._not_before[channel] - now)
        if channel and method in MESSAGE_METHODS and channel in self.channel_throttles:
            return self._throttle(call, channel, self.channel_throttles.pop(channel))
        if self.throttle_every and (self.throttle_methods is None or method in self.throttle_methods):
            if n % self.throttle_every == 0:
                return self._throttle(call, channel, self.retry_after)
        if method in MESSAGE_METHODS:
            wait = self._limit_wait(channel, now)
            if wait > 0:
                return self._throttle(call, channel, wait)
        if method in self.method_errors:
            return self._fail(call, self.method_errors[method]), {}
        if channel and channel in self.channel_errors:
            return self._fail(call, self.channel_errors[channel]), {}

        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return self._fail(call, "unknown_method"), {}
        body = handler(call, params)
        if body.get("ok") and method in MESSAGE_METHODS:
            self._record_post(channel, body.get("channel", channel), now)
        return body, {}

    def _limit_wait(self, channel: str, now: float) -> float:
        wait = 0.0
        if self.channel_rate and channel:
            last = self._last_post.get(self._channel_key(channel))
            if last is not None:
                wait = max(wait, last + 1.0 / self.channel_rate - now)
        if self.workspace_per_minute:
            while self._window and self._window[0] <= now - 60.0:
                self._window.popleft()
            if len(self._window) >= self.workspace_per_minute:
                wait = max(wait, self._window[0] + 60.0 - now)
        return wait

    def _channel_key(self, channel: str) -> str:
        if channel.startswith(("U", "W")):
            return "D" + channel[1:]
        return channel

    def _record_post(self, asked: str, resolved: str, now: float) -> None:
        self._last_post[self._channel_key(asked)] = now
        self._last_post[resolved] = now
        self._window.append(now)

    def _throttle(self, call: Call, channel: str, wait: float) -> tuple[dict[str, Any], dict[str, str]]:
        seconds = max(1, math.ceil(wait))
        call.status, call.ok, call.error, call.retry_after = 429, False, "ratelimited", seconds
        if channel:
            self._not_before[channel] = max(self._not_before.get(channel, 0.0), time.monotonic() + seconds)
        return {"ok": False, "error": "ratelimited"}, {"Retry-After": str(seconds)}


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        raw = await request.read()
        if request.content_type == "application/json":
            if raw:
                params.update(json.loads(raw))
        else:
            params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return params


# ------------------------------------------------------------------ process


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.fakes.slack_api", description="Loopback fake of the Slack Web API"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the base URL here once listening")
    p.add_argument("--calls-log", help="append every call as a JSON line to this file")
    p.add_argument("--throttle-every", type=int, default=0)
    p.add_argument("--retry-after", type=int, default=1)
    p.add_argument("--channel-rate", type=float)
    p.add_argument("--workspace-per-minute", type=int)
    p.add_argument("--server-error-every", type=int, default=0)
    p.add_argument("--no-params", action="store_true", help="record calls without their parameters")
    return p.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeSlackAPI(
        host=args.host,
        port=args.port,
        throttle_every=args.throttle_every,
        retry_after=args.retry_after,
        channel_rate=args.channel_rate,
        workspace_per_minute=args.workspace_per_minute,
        server_error_every=args.server_error_every,
        calls_log=args.calls_log,
        record_params=not args.no_params,
    )
    url = await fake.start()
    if args.port_file:
        tmp = Path(args.port_file + ".tmp")
        tmp.write_text(url, encoding="utf-8")
        tmp.replace(args.port_file)
    print(url, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await fake.stop()


def main(argv: list[str] | None = None) -> int:
    asyncio.run(_serve(_parse(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
