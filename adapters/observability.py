"""The operator's endpoints of `serve`:

    GET /healthz   liveness: the process answers (no database call), and which
                   platforms are on
    GET /readyz    readiness: the database answers, its migrations are current,
                   and the scheduler ticked within two intervals; 503 otherwise
                   (not whether Teams has its signing keys: they are fetched in
                   the background, adapters/teams/signing_keys.py)
    GET /metrics   Prometheus text format (see `bot.telemetry`)

None of them shows an error's text (it could carry a host name or a user);
the reasons go to the log.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot import telemetry
from bot.store.db import DatabaseUnreachable
from bot.store.migrate import SchemaOutdated, check_current

log = logging.getLogger(__name__)

SCHEDULER = "scheduler"  # key of the running SchedulerService in Runtime.extras
DB_CHECK_SECONDS = 5.0


def _runtime(request: web.Request):
    from adapters.server import RUNTIME

    return request.app[RUNTIME]


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers, and which platforms are on. Never
    whether Teams runs without authentication (that would invite a visit);
    the database's state is /readyz's."""
    config = _runtime(request).config
    return web.json_response(
        {
            "ok": True,
            "slack": "socket" if config.slack.socket_mode else ("http" if config.slack.enabled else "off"),
            "teams": "on" if config.teams.enabled else "off",
        }
    )


async def _database_state(runtime) -> tuple[str, str]:
    try:
        await asyncio.wait_for(runtime.db.ping(), DB_CHECK_SECONDS)
        await asyncio.wait_for(check_current(runtime.db), DB_CHECK_SECONDS)
    except SchemaOutdated:
        return "ok", "outdated"
    except (TimeoutError, DatabaseUnreachable) as err:
        log.warning("readyz: database not ready: %s", err or "timed out")
        return "unreachable", "unknown"
    except Exception:
        log.exception("readyz: database check failed")
        return "unreachable", "unknown"
    return "ok", "current"


async def readyz(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    database, migrations = await _database_state(runtime)
    scheduler = runtime.extras.get(SCHEDULER)
    ticking = "ok" if scheduler is not None and scheduler.healthy() else "late"
    ready = (database, migrations, ticking) == ("ok", "current", "ok")
    body = {"ready": ready, "database": database, "migrations": migrations, "scheduler": ticking}
    return web.json_response(body, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    runtime = _runtime(request)
    try:
        await asyncio.wait_for(telemetry.refresh_outbox(runtime.db, runtime.clock.now()), DB_CHECK_SECONDS)
    except Exception as err:  # the counters still answer; the backlog gauges keep their last value
        log.warning("metrics: could not read the outbox backlog: %s", type(err).__name__)
    body = generate_latest(telemetry.REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def mount(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
