"""Reading a request's body with a deadline, for the platforms' endpoints.

Slack and the Bot Connector send a body of a few kilobytes at once and want
the answer within seconds: a body that has not arrived in `BODY_SECONDS`
never will in time, and its connection is not held open waiting for it
(a slow-body client). Such a request gets a 408 and no log line, like one
without a signature.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

BODY_SECONDS = 10.0


async def body_within(request: web.Request, seconds: float) -> bytes | web.Response:
    """The whole body (aiohttp keeps it: `text()` and `json()` read it again
    for free), or the 408 to answer when it did not arrive within `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            return await request.read()
    except TimeoutError:
        return web.json_response({"error": f"the body did not arrive within {seconds:g} s"}, status=408)
