"""Socket Mode: Slack connects out over a WebSocket, so no public URL is needed.

Used instead of `POST /slack/events` when `slack.app_token` (xapp-...) is set.
The same `SlackAdapter` listeners run; the connection opens when the aiohttp
application starts, once the adapter knows its workspace, and closes when it
stops.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.app import SlackAdapter
from bot.config import ConfigError

log = logging.getLogger(__name__)


def attach(app: web.Application, runtime) -> SlackAdapter:
    """Open the Socket Mode connection while `app` runs; the adapter is kept
    in `runtime.extras["slack"]`. Raises `ConfigError` for a wrong token."""
    token = runtime.config.slack.app_token
    if not token.startswith("xapp-"):
        raise ConfigError(
            "slack.app_token: expected an app-level token starting with xapp- "
            "(Basic Information > App-Level Tokens, scope connections:write)"
        )
    adapter = SlackAdapter(runtime)
    runtime.extras["slack"] = adapter
    # apps.connections.open goes through the adapter's client, so slack.api_url applies.
    handler = AsyncSocketModeHandler(adapter.app, app_token=token, web_client=adapter.port.client)
    runtime.extras["slack_socket"] = handler

    async def connect(_app: web.Application) -> None:
        await handler.connect_async()
        log.info("Slack Socket Mode connected")

    async def disconnect(_app: web.Application) -> None:
        await handler.close_async()
        await adapter.close()

    app.on_startup.append(adapter.start)  # its workspace first: events come once connected
    app.on_startup.append(connect)
    app.on_shutdown.append(disconnect)
    return adapter
