"""`POST /api/messages`: Teams on the shared aiohttp application.

Requests go through botbuilder's `CloudAdapter` with
`ConfigurationBotFrameworkAuthentication`: with `teams.app_id` set, every
request must carry a valid Bot Framework token (single-tenant when
`teams.tenant_id` is set or `teams.app_type = "SingleTenant"`, else
multi-tenant). Without an app id Teams runs in local mode, with no
authentication: allowed only on a loopback address, and said loudly.
"""

from __future__ import annotations

import logging
import sys
from types import SimpleNamespace

import jwt
from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import ServiceClientCredentialsFactory

from adapters.teams.bot_handler import TeamsBot
from adapters.teams.files import FileLinks
from adapters.teams.outbound import TeamsPort
from bot.config import ConfigError, TeamsConfig

log = logging.getLogger(__name__)

LOCAL_MODE_WARNING = (
    "\n"
    "***********************************************************************\n"
    "*  TEAMS LOCAL MODE: teams.app_id is not set, so /api/messages accepts *\n"
    "*  requests WITHOUT authentication. Only for trying mentorbot on this  *\n"
    "*  machine (server.host is a loopback address). Set teams.app_id and   *\n"
    "*  teams.app_password before anyone else can reach the server.        *\n"
    "***********************************************************************"
)


def auth_settings(teams: TeamsConfig) -> SimpleNamespace:
    """The configuration object botbuilder's authentication reads."""
    app_type = teams.app_type or ("SingleTenant" if teams.tenant_id else "MultiTenant")
    settings = SimpleNamespace(APP_ID=teams.app_id or None, APP_PASSWORD=teams.app_password or None, APP_TYPE=app_type)
    if teams.tenant_id:
        settings.APP_TENANTID = teams.tenant_id
    return settings


def check_safe(config) -> None:
    """Refuse to run Teams unauthenticated on a public address."""
    if config.teams.local_mode and not config.server.loopback:
        raise ConfigError(
            f"teams.app_id: missing while server.host is {config.server.host!r}; set teams.app_id and "
            "teams.app_password (env MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD), or bind server.host to "
            "127.0.0.1 to try Teams in local mode"
        )
    if config.teams.app_type == "SingleTenant" and not config.teams.tenant_id:
        raise ConfigError("teams.tenant_id: missing; a SingleTenant bot needs its tenant id (env MICROSOFT_APP_TENANT_ID)")


def mount(
    app: web.Application,
    runtime,
    *,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
) -> TeamsBot:
    """Add `POST /api/messages` and register the Teams outbound port.

    `credentials_factory` replaces how outbound calls get their token (tests
    use one that never reaches Microsoft's login service)."""
    config = runtime.config
    check_safe(config)
    if config.teams.local_mode:
        log.warning(LOCAL_MODE_WARNING)
        if not logging.getLogger().handlers:  # nobody would see the log line
            print(LOCAL_MODE_WARNING, file=sys.stderr)
    authentication = ConfigurationBotFrameworkAuthentication(
        auth_settings(config.teams), credentials_factory=credentials_factory
    )
    adapter = CloudAdapter(authentication)
    port = TeamsPort(adapter, config.teams.app_id, runtime.db, locale=config.bot.locale)
    port.files = FileLinks(runtime)
    runtime.delivery.register(port)
    bot = TeamsBot(runtime, port)

    async def on_error(context, error: Exception) -> None:
        log.error("teams: unhandled error in a turn", exc_info=error)

    adapter.on_turn_error = on_error

    async def messages(request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected a Bot Framework activity as application/json"}, status=415)
        try:
            response = await adapter.process(request, bot)
        except jwt.PyJWTError:  # a token that is not even a JWT: refused like a missing one
            raise web.HTTPUnauthorized() from None
        except ValueError:
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        return response or web.Response(status=201)

    async def finish_slow_commands(_app: web.Application) -> None:
        await bot.drain()

    app.router.add_post("/api/messages", messages)
    app.on_shutdown.append(finish_slow_commands)
    runtime.extras.update(teams_adapter=adapter, teams_bot=bot, teams_port=port)
    return bot
