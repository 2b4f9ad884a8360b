"""`POST /api/messages`: Teams on the shared aiohttp application.

Mounted only when Teams is configured (`teams.app_id`, or `teams.local`);
otherwise the route does not exist and the server answers 404.

Requests go through botbuilder's `CloudAdapter` with
`ConfigurationBotFrameworkAuthentication`: with `teams.app_id` set, every
request must carry a valid Bot Framework token: single-tenant (the default,
Azure stopped new multi-tenant bot registrations on 31 July 2025), or
multi-tenant with `teams.app_type = "MultiTenant"` for an older
registration. Either way `teams.tenant_id`, the registration's home tenant,
is required: it is the tenant let in until an organisation names others. The SDK checks
that the token's `serviceurl` claim is the activity's `serviceUrl`, so
replies only go to a service URL the Bot Framework vouched for. Any failure
to authenticate is a 401, whatever exception the SDK raised. The SDK's
signing keys come through `signing_keys.SigningKeys`: fetched in a thread
with a timeout, never on the event loop, one download at a time, backing off
after each attempt; warmed in the background at start-up (not part of
/readyz, which never waited for Teams). Outbound calls get the bot's login
token through `access_tokens.AccessTokens`: in a thread with a timeout,
one fetch at a time, kept until shortly before it expires. Local mode
(`teams.local = true`, no app id) has no authentication: allowed only on a
loopback address, only with a loopback `serviceUrl`, and said loudly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from ipaddress import ip_address
from types import SimpleNamespace
from urllib.parse import urlsplit

import jwt
from aiohttp import web
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ServiceClientCredentialsFactory,
)

from adapters import bodies
from adapters.teams.access_tokens import AccessTokens
from adapters.teams.bot_handler import TeamsBot
from adapters.teams.files import FileLinks
from adapters.teams.outbound import TeamsPort
from adapters.teams.signing_keys import SigningKeys
from bot.config import ConfigError, TeamsConfig, check_teams_tenant

log = logging.getLogger(__name__)

PATH = "/api/messages"
# The Bot Connector sends an activity at once: a body that has not arrived in
# this many seconds is refused with a 408 (adapters.bodies).
BODY_SECONDS = bodies.BODY_SECONDS

LOCAL_MODE_WARNING = (
    "\n"
    "***********************************************************************\n"
    "*  TEAMS LOCAL MODE (teams.local = true): /api/messages accepts       *\n"
    "*  requests WITHOUT authentication. Only for trying mentorbot on this  *\n"
    "*  machine (server.host is a loopback address). Set teams.app_id and   *\n"
    "*  teams.app_password before anyone else can reach the server.        *\n"
    "***********************************************************************"
)


def auth_settings(teams: TeamsConfig) -> SimpleNamespace:
    """The configuration object botbuilder's authentication reads."""
    # SingleTenant by default: Azure stopped new multi-tenant bot registrations on
    # 31 July 2025. Local mode (no app id) has no registration at all.
    app_type = teams.app_type or ("SingleTenant" if teams.app_id else "MultiTenant")
    settings = SimpleNamespace(APP_ID=teams.app_id or None, APP_PASSWORD=teams.app_password or None, APP_TYPE=app_type)
    if teams.tenant_id and app_type == "SingleTenant":
        # Its token comes from its own tenant; a multi-tenant bot's from the Bot
        # Framework's (its `teams.tenant_id` only says whom to let in: bot.tenants).
        settings.APP_TENANTID = teams.tenant_id
    return settings


def check_safe(config) -> None:
    """Refuse to run Teams unauthenticated unless explicitly asked to, on loopback."""
    if not config.teams.app_id and not config.teams.local:
        raise ConfigError(
            "teams.app_id: missing; set teams.app_id and teams.app_password (env MICROSOFT_APP_ID, "
            "MICROSOFT_APP_PASSWORD), or teams.local = true on 127.0.0.1 to try Teams without authentication"
        )
    if config.teams.local_mode and not config.server.loopback:
        raise ConfigError(
            f"teams.local: true while server.host is {config.server.host!r}; set teams.app_id and "
            "teams.app_password (env MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD), or bind server.host to "
            "127.0.0.1 to try Teams in local mode"
        )
    check_teams_tenant(config.teams)


def is_loopback_url(url: str | None) -> bool:
    host = urlsplit(url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


class StrictAuthentication(BotFrameworkAuthentication):
    """The SDK's authentication, with every failure a `PermissionError`
    (so a 401): a token signed by an unknown key, a key set that cannot be
    fetched or a token that does not parse raise other exceptions there.
    Its key lookups are answered by `keys` (never a download on the loop)."""

    def __init__(self, inner: BotFrameworkAuthentication, keys: SigningKeys | None = None):
        self._inner = inner
        self.keys = keys or SigningKeys()

    async def authenticate_request(self, activity, auth_header: str) -> AuthenticateRequestResult:
        try:
            with self.keys.checking():
                return await self._inner.authenticate_request(activity, auth_header)
        except PermissionError:
            raise
        except Exception as exc:
            log.info("teams: refused a request whose token could not be verified (%s)", type(exc).__name__)
            raise PermissionError("token could not be verified") from exc

    async def authenticate_streaming_request(self, auth_header, channel_id_header):
        with self.keys.checking():
            return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity):
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity):
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str):
        with self.keys.checking():
            return await self._inner.authenticate_channel_request(auth_header)


def mount(
    app: web.Application,
    runtime,
    *,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
    warm_keys: bool = True,
) -> TeamsBot:
    """Add `POST /api/messages` and register the Teams outbound port.

    `credentials_factory` replaces how outbound calls get their token (tests
    use one that never reaches Microsoft's login service). With `warm_keys`
    (and authentication on), the signing keys are fetched in the background
    from start-up on, so the first request does not wait for them."""
    config = runtime.config
    check_safe(config)
    if config.teams.local_mode:
        log.warning(LOCAL_MODE_WARNING)
        if not logging.getLogger().handlers:  # nobody would see the log line
            print(LOCAL_MODE_WARNING, file=sys.stderr)
    settings = auth_settings(config.teams)
    # Outbound calls get their login token in a thread, with a timeout, cached (access_tokens.py).
    tokens = AccessTokens(credentials_factory or ConfigurationServiceClientCredentialFactory(settings))
    authentication = StrictAuthentication(ConfigurationBotFrameworkAuthentication(settings, credentials_factory=tokens))
    adapter = CloudAdapter(authentication)
    if warm_keys and not config.teams.local_mode:
        _keep_keys_fresh(app, authentication.keys)
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
        body = await bodies.body_within(request, BODY_SECONDS)  # the SDK reads it again, from aiohttp's copy
        if isinstance(body, web.Response):
            return body
        activity = await _json_object(request)
        if activity is None:  # the SDK parses before it authenticates, and fails on these with a 500
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        if config.teams.local_mode and not _loopback_service(activity):
            # Nobody vouched for this serviceUrl: never call it back.
            return web.json_response({"error": "local mode answers only a loopback serviceUrl"}, status=403)
        try:
            response = await adapter.process(request, bot)
        except jwt.PyJWTError:  # a token that is not even a JWT: refused like a missing one
            raise web.HTTPUnauthorized() from None
        except ValueError:
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        return response or web.Response(status=201)

    async def finish_slow_commands(_app: web.Application) -> None:
        await bot.drain()

    app.router.add_post(PATH, messages)

    async def stop_token_fetches(_app: web.Application) -> None:
        tokens.close()

    app.on_shutdown.append(finish_slow_commands)
    app.on_cleanup.append(stop_token_fetches)
    runtime.extras.update(
        teams_adapter=adapter, teams_bot=bot, teams_port=port, teams_keys=authentication.keys, teams_tokens=tokens
    )
    return bot


def _keep_keys_fresh(app: web.Application, keys: SigningKeys) -> None:
    """`keys.keep_fresh()` as a background task for as long as the server
    runs; start-up does not wait for it."""
    task: asyncio.Task | None = None

    async def start(_app: web.Application) -> None:
        nonlocal task
        task = asyncio.ensure_future(keys.keep_fresh())

    async def stop(_app: web.Application) -> None:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        keys.close()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


async def _json_object(request: web.Request) -> dict | None:
    """The body, read as aiohttp's `json()` reads it for the SDK (the
    charset its Content-Type names), as the JSON object an activity is; or
    None: a charset Python does not know, bytes not in it, not JSON, nested
    too deep for `json` (a RecursionError, not a ValueError), or JSON that is
    not an object (`null`, a list). The SDK parses the body before it
    authenticates, and on these failed with a 500 and a logged traceback."""
    try:
        parsed = json.loads(await request.text())
    except (LookupError, ValueError, RecursionError):  # UnicodeDecodeError, JSONDecodeError: ValueErrors
        return None
    return parsed if isinstance(parsed, dict) else None


def _loopback_service(activity: dict) -> bool:
    return not activity.get("serviceUrl") or is_loopback_url(str(activity["serviceUrl"]))
