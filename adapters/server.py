"""`mentorbot serve`: one aiohttp application for Slack and Teams, plus the
scheduler.

    POST /slack/events   Slack events, slash commands and interactivity
    POST /api/messages   Teams (Bot Framework)
    GET  /healthz        liveness and database check
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.clock import Clock, SystemClock
from bot.config import Config, ConfigError
from bot.core import Core
from bot.ports import Delivery
from bot.store.db import Database

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What every adapter needs: config, database, core, delivery, clock."""

    config: Config
    db: Database
    core: Core
    delivery: Delivery
    clock: Clock
    extras: dict[str, Any] = field(default_factory=dict)  # adapter-owned objects (bolt app, bot adapter)


RUNTIME = web.AppKey("runtime", Runtime)


def make_runtime(config: Config, db: Database, clock: Clock | None = None) -> Runtime:
    clock = clock or SystemClock()
    return Runtime(config, db, Core(db, config, clock), Delivery(), clock)


async def healthz(request: web.Request) -> web.Response:
    runtime: Runtime = request.app[RUNTIME]
    try:
        async with runtime.db.read() as session:
            await session.connection()
    except Exception as exc:  # the database is down: say so, with 503
        return web.json_response({"ok": False, "database": str(exc)[:200]}, status=503)
    return web.json_response({
        "ok": True,
        "slack": "socket" if runtime.config.slack.socket_mode else ("http" if runtime.config.slack.enabled else "off"),
        "teams": "local" if runtime.config.teams.local_mode else "on",
    })


def build_app(runtime: Runtime) -> web.Application:
    """The aiohttp application with every configured platform mounted.
    Raises ConfigError when a platform's configuration cannot run safely."""
    from adapters import downloads
    from adapters.slack import http as slack_http
    from adapters.teams import http as teams_http

    app = web.Application()
    app[RUNTIME] = runtime
    app.router.add_get("/healthz", healthz)
    downloads.mount(app, runtime)
    if runtime.config.slack.enabled and not runtime.config.slack.socket_mode:
        slack_http.mount(app, runtime)
    elif runtime.config.slack.enabled:
        from adapters.slack import socket_mode

        socket_mode.attach(app, runtime)
    teams_http.mount(app, runtime)
    return app


async def serve(config: Config, *, ready: asyncio.Event | None = None) -> int:
    from adapters.cli import open_checked

    db = await open_checked(config)
    if db is None:
        return 2
    runtime = make_runtime(config, db)
    try:
        app = build_app(runtime)
    except ConfigError as err:
        print(f"mentorbot: config: {err}", file=sys.stderr)
        await db.dispose()
        return 2
    from scheduler.service import SchedulerService

    scheduler = SchedulerService(runtime.db, runtime.delivery, runtime.clock, runtime.config)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, config.server.host, config.server.port)
    await site.start()
    scheduler.start()
    log.info("mentorbot listening on http://%s:%s", config.server.host, config.server.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:  # pragma: no cover
            pass
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        await scheduler.shutdown()
        await runner.cleanup()
        await db.dispose()
    return 0
