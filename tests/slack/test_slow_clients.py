"""Slow clients do not hold a connection (and its file descriptor) for long:
one that never finishes its request headers is closed by the server `serve`
runs (`runner_for`) after `CONNECTION_IDLE` seconds, and a body to
`/slack/events` (or Teams' `/api/messages`, tests/teams/test_slow_body.py)
that has not arrived in `BODY_SECONDS` gets a 408. Both are
shortened here; the reverse proxy in front (deploy/proxy/) is what stands
up to many of them at once."""

from __future__ import annotations

import asyncio

from aiohttp import web

import adapters.server as server_module
import adapters.slack.http as slack_http
from adapters.server import build_app, make_runtime, runner_for
from tests.slack.helpers import slack_config, slack_server

HEADERS_BEGUN = b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"  # and never finished


async def answered_within(port: int, sent: bytes, seconds: float, *, until_closed: bool) -> bytes:
    """What the server answers on a connection that sent only `sent`: its
    first line, or all of it up to its closing the connection; fails when
    nothing (or no close) came within `seconds`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(sent)
        await writer.drain()
        return await asyncio.wait_for(reader.read() if until_closed else reader.readline(), seconds)
    finally:
        writer.close()
        await writer.wait_closed()


async def test_a_connection_that_never_finishes_its_headers_is_closed(sqlite_db, clock, fake, monkeypatch):
    monkeypatch.setattr(server_module, "CONNECTION_IDLE", 0.5)
    runtime = make_runtime(slack_config(fake.base_url), sqlite_db, clock)
    runner = runner_for(build_app(runtime))
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        assert await answered_within(port, HEADERS_BEGUN, 5, until_closed=True) == b""  # closed, unanswered
    finally:
        await runner.cleanup()


async def test_a_slack_body_that_does_not_arrive_gets_a_408(sqlite_db, clock, monkeypatch):
    monkeypatch.setattr(slack_http, "BODY_SECONDS", 0.3)
    async with slack_server(sqlite_db, clock) as server:
        port = int(server.url.rsplit(":", 1)[1])
        head = HEADERS_BEGUN + b"Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
        answer = await answered_within(port, head + b'{"type": "event', 5, until_closed=False)
        assert answer.startswith(b"HTTP/1.1 408")
        assert [c.method for c in server.fake.calls] == ["auth.test"]
