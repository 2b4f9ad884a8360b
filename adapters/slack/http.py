"""`POST /slack/events` on the shared aiohttp application.

Events API callbacks, the slash command and interactivity all arrive on this
one URL. Each request's signature is checked over the raw bytes before
anything in it is read (`adapters.slack.payload`): one with an `X-Slack-*`
header twice gets a 400 and an unsigned or stale one a 401, unlogged. A
signed one whose body is not what Slack sends (or not UTF-8 text, as signed)
gets a 400, and one the app does not handle (a payload type or an event it
never asked for) a 404, each with one log line. Only then does bolt see it
(and verify it again, as it always does: whatever passes here passes there,
so bolt never logs a body it refused) and hand it to the listeners in
`adapters.slack.app`. Without a signing secret there is no HTTP endpoint.
The adapter learns its workspace when the application starts, before the
server takes a request.
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_sdk.signature import SignatureVerifier

from adapters import bodies
from adapters.slack.app import SlackAdapter
from adapters.slack.payload import Refusal, payload_problem, repeated_slack_header, signed_by_slack
from bot.config import ConfigError

log = logging.getLogger(__name__)

PATH = "/slack/events"
# Slack wants the answer within 3 s: a body that has not arrived in this
# many seconds never will in time (adapters.bodies).
BODY_SECONDS = bodies.BODY_SECONDS


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
    verifier = SignatureVerifier(runtime.config.slack.signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        repeated = repeated_slack_header(request.headers)
        if repeated is not None:  # before the body is read, like a missing signature (and no log line either)
            return web.json_response({"error": f"the {repeated} header more than once"}, status=400)
        raw = await bodies.body_within(request, BODY_SECONDS)
        if isinstance(raw, web.Response):  # unlogged, like a missing signature
            return raw
        if not signed_by_slack(verifier, raw, request.headers):
            return web.json_response({"error": "missing, stale or wrong Slack signature"}, status=401)
        try:
            text = await request.text()  # what to_bolt_request hands bolt, and verifies again
        except (LookupError, UnicodeDecodeError):  # an unknown charset, or bytes not in it
            refused: Refusal | None = Refusal(400, "the body is not text in the charset its Content-Type names")
        else:
            refused = payload_problem(text, request.headers)
            if text != raw.decode("utf-8"):  # another charset: bolt's check would fail and log the body
                refused = Refusal(400, "the body is not UTF-8 text as signed (its Content-Type names another charset)")
        if refused is not None:
            log.warning("signed Slack request refused, %s: %s", refused.why, refused.reason)
            return web.json_response({"error": refused.reason}, status=refused.status)
        bolt_response = await adapter.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_response)

    async def finish_turns(_app: web.Application) -> None:
        await adapter.close()

    app.router.add_post(PATH, slack_events)
    app.on_startup.append(adapter.start)
    app.on_shutdown.append(finish_turns)
    return adapter
