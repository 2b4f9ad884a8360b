"""`POST /slack/events` on the shared aiohttp application.

Events API callbacks, the slash command and interactivity all arrive on this
one URL and go through bolt's request verification (signature and a
timestamp no older than five minutes), then to the listeners in
`adapters.slack.app`. Without a signing secret there is no HTTP endpoint.
"""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

from adapters.slack.app import SlackAdapter
from bot.config import ConfigError
from bot.inputs import parse_int

PATH = "/slack/events"


def mount(app: web.Application, runtime) -> SlackAdapter:
    """Add `POST /slack/events` to `app`; the adapter is kept in
    `runtime.extras["slack"]`. Raises `ConfigError` without a signing secret."""
    if not runtime.config.slack.signing_secret:
        raise ConfigError(
            "slack.signing_secret: missing; the HTTP endpoint /slack/events verifies every request with it "
            "(env SLACK_SIGNING_SECRET, from the Slack app's Basic Information page), "
            "or set slack.app_token to use Socket Mode instead"
        )
    adapter = SlackAdapter(runtime)
    runtime.extras["slack"] = adapter

    async def slack_events(request: web.Request) -> web.Response:
        # bolt reads the timestamp with int() and compares the signature as ASCII:
        # anything else would be a 500, so it is refused here like any bad signature.
        if (
            parse_int(request.headers.get("X-Slack-Request-Timestamp", ""), high=10**12) is None
            or not request.headers.get("X-Slack-Signature", "").isascii()
        ):
            return web.json_response({"error": "missing or malformed Slack signature headers"}, status=401)
        bolt_response = await adapter.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def finish_turns(_app: web.Application) -> None:
        await adapter.close()

    app.router.add_post(PATH, slack_events)
    app.on_shutdown.append(finish_turns)
    return adapter
