"""`mentorbot serve`: one aiohttp application for Slack and Teams, plus the
scheduler.

    POST /slack/events   Slack events, slash commands and interactivity
    POST /api/messages   Teams (Bot Framework)
    GET  /healthz        liveness; /readyz readiness; /metrics Prometheus
                         (adapters/observability.py)
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot import collector
from bot.clock import Clock, SystemClock
from bot.config import Config, ConfigError
from bot.core import Core
from bot.ports import Delivery
from bot.store.db import Database

log = logging.getLogger(__name__)

# A connection is closed when it has not sent a whole request within this
# many seconds of opening, or of its last answer: aiohttp's keep-alive timer,
# which also runs while the first request's headers trickle in (its default
# is about an hour, so a client that never finished its headers held a file
# descriptor that long). Longer than the reverse proxy keeps an idle
# connection to mentorbot (60 s in deploy/proxy/), so the proxy closes first.
# The proxy, not this, is what stands up to many slow clients (README).
CONNECTION_IDLE = 75.0


@dataclass
class Runtime:
    """What every adapter needs: config, database, core, delivery, clock."""

    config: Config
    db: Database
    core: Core
    delivery: Delivery
    clock: Clock
    extras: dict[str, Any] = field(default_factory=dict)  # adapter-owned objects (bolt app, bot adapter)
    # Sends what the fast path left and records every outcome; the adapters
    # record their own sends right after a turn with it (scheduler.fastpath).
    dispatcher: Any = None

    async def send_turn(self, messages, send) -> list[str]:
        """Send a turn's messages now (`send` answers in place) and record each."""
        from scheduler.fastpath import send_turn

        return await send_turn(self.dispatcher, messages, send)


RUNTIME = web.AppKey("runtime", Runtime)


def make_runtime(config: Config, db: Database, clock: Clock | None = None, **dispatcher_options) -> Runtime:
    from scheduler.dispatcher import Dispatcher

    clock = clock or SystemClock()
    core, delivery = Core(db, config, clock), Delivery()
    dispatcher = Dispatcher(db, delivery, clock, config, worker=core.worker, **dispatcher_options)
    return Runtime(config, db, core, delivery, clock, dispatcher=dispatcher)


def served_platforms(config: Config) -> frozenset[str]:
    """The platforms `serve` delivers to: those configured on. The outbox
    rows of another (the console's, on a database a console session used)
    stay pending, unclaimed, instead of failing for want of an adapter."""
    on = {"slack": config.slack.enabled, "teams": config.teams.enabled}
    return frozenset(platform for platform, enabled in on.items() if enabled)


async def warn_waiting(dispatcher) -> int:
    """Said once at start: how many pending rows wait for a platform this process does not run."""
    waiting = await dispatcher.waiting_elsewhere()
    if waiting:
        log.warning(
            "%d outbox messages wait for a platform this process does not run (it sends to: %s); "
            "they stay pending until a process that runs their platform sends them",
            waiting,
            ", ".join(sorted(dispatcher.platforms)) or "none",
        )
    return waiting


def build_app(runtime: Runtime) -> web.Application:
    """The aiohttp application with every configured platform mounted and
    no route for a platform that is off (404).
    Raises ConfigError when a platform's configuration cannot run safely."""
    from adapters import downloads, observability
    from adapters.slack import http as slack_http

    app = web.Application()
    app[RUNTIME] = runtime
    observability.mount(app)  # /healthz, /readyz, /metrics
    downloads.mount(app, runtime)
    if runtime.config.slack.enabled and not runtime.config.slack.socket_mode:
        slack_http.mount(app, runtime)
    elif runtime.config.slack.enabled:
        from adapters.slack import socket_mode

        socket_mode.attach(app, runtime)
    if runtime.config.teams.enabled:
        from adapters.teams import http as teams_http  # botbuilder: only when Teams is on

        teams_http.mount(app, runtime)
    return app


def runner_for(app: web.Application) -> web.AppRunner:
    """The runner `serve` starts: bearer links masked in the access log, and
    connections without a request closed after `CONNECTION_IDLE` seconds."""
    from adapters.logs import AccessLog

    return web.AppRunner(app, access_log_class=AccessLog, keepalive_timeout=CONNECTION_IDLE)


async def serve(config: Config, *, ready: asyncio.Event | None = None) -> int:
    from adapters.cli import open_checked

    collector.configure()
    db = await open_checked(config)
    if db is None:
        return 2
    runtime = make_runtime(config, db)
    runtime.dispatcher.platforms = served_platforms(config)  # the console's rows are not this process's to send
    try:
        app = build_app(runtime)
    except ConfigError as err:
        print(f"mentorbot: config: {err}", file=sys.stderr)
        await db.dispose()
        return 2
    from adapters import observability
    from scheduler.service import SchedulerService

    scheduler = SchedulerService(
        runtime.db, runtime.delivery, runtime.clock, runtime.config, dispatcher=runtime.dispatcher
    )
    runtime.extras[observability.SCHEDULER] = scheduler  # for /readyz
    runner = runner_for(app)
    try:
        await runner.setup()  # the platforms' start-up: Slack learns its workspace
    except ConfigError as err:
        print(f"mentorbot: config: {err}", file=sys.stderr)
        await runner.cleanup()
        await db.dispose()
        return 2
    site = web.TCPSite(runner, config.server.host, config.server.port)
    await site.start()
    await warn_waiting(runtime.dispatcher)
    scheduler.start()
    # What start-up built lives as long as the process: frozen, it is out of
    # the collector's sight, so a full collection (a big turn, e.g. `match`,
    # sets one off) scans only what turns made and stalls the loop less.
    gc.freeze()
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
