"""A slow body to Teams' `/api/messages` gets a 408 (as `/slack/events`
does, tests/slack/test_slow_clients.py), shortened here."""

from __future__ import annotations

import adapters.teams.http as teams_http
from tests.slack.test_slow_clients import answered_within
from tests.teams.helpers import teams_server


async def test_a_teams_body_that_does_not_arrive_gets_a_408(sqlite_db, clock, keys, monkeypatch):
    """As `serve` runs Teams (authentication on): before the SDK reads the
    body (and would wait for it as long as the client likes), a body that has
    not arrived in `BODY_SECONDS` is a 408 and the connection is let go."""
    monkeypatch.setattr(teams_http, "BODY_SECONDS", 0.3)
    async with teams_server(sqlite_db, clock, keys=keys) as server:
        port = int(server.url.rsplit(":", 1)[1])
        head = (
            b"POST /api/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x.y.z\r\n"
            b"Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
        )
        answer = await answered_within(port, head + b'{"type": "mess', 5, until_closed=False)
        assert answer.startswith(b"HTTP/1.1 408")
