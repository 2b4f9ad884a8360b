"""Socket Mode: Slack connects out over a WebSocket, so no public URL is needed.

Used instead of `POST /slack/events` when `slack.app_token` (xapp-...) is set.
The same `SlackAdapter` listeners run; the connection opens when the aiohttp
application starts, once the adapter knows its workspace, and closes when it
stops.

Each envelope's payload gets the checks a signed HTTP body gets
(`adapters.slack.payload.body_problem`) before bolt reads it: one that is
not what Slack sends, or nothing the app handles, is acknowledged (sent
again it would be no better) with one log line, and nothing runs. A slash
command or click carries the id it is deduplicated by, as over HTTP
(`adapters.slack.inbound.socket_delivery_id`): an envelope Slack sends again
because its ack came too late runs once.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from adapters.slack.app import SlackAdapter
from adapters.slack.inbound import SOCKET_DELIVERY, socket_delivery_id
from adapters.slack.payload import body_problem
from bot.config import ConfigError

log = logging.getLogger(__name__)


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    """bolt's handler, with the payload checked first and the delivery's id
    handed to the listeners (in bolt's context, `SOCKET_DELIVERY`)."""

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        start = time.time()
        refused = body_problem(req.payload)
        if refused is not None:
            log.warning("Slack Socket Mode envelope (%.20s) refused, %s: %s", req.type, refused.why, refused.reason)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        request = AsyncBoltRequest(
            mode="socket_mode",
            body=req.payload,
            headers=build_headers(req),  # x-slack-retry-num / -reason, as over HTTP
            context={SOCKET_DELIVERY: socket_delivery_id(req.payload, req.envelope_id)},
        )
        await send_async_response(client, req, await self.app.async_dispatch(request), start)


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
    handler = CheckedSocketModeHandler(adapter.app, app_token=token, web_client=adapter.port.client)
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
