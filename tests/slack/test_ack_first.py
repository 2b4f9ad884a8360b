"""Slack gets its acknowledgement before any database work (issue 17,
point 7): a slash command, slow or not, from a known person or a stranger,
is answered by the listener's `ack()` before the first SQL statement of its
turn. Counted with an SQLAlchemy statement listener between the request's
arrival at the server and the moment its HTTP answer is prepared."""

from __future__ import annotations

import pytest
from aiohttp import web
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.slack.helpers import ADEPT, slack_server
from tests.slack.test_server import slow_command  # noqa: F401 (fixture)


class BeforeAck:
    """Statements run while a request to /slack/events waits for its answer."""

    def __init__(self) -> None:
        self.statements = 0
        self.open = 0  # requests arrived and not yet answered
        self.counts: list[int] = []

    def seen(self, *_args) -> None:
        if self.open:
            self.statements += 1

    def hook(self, app: web.Application) -> None:
        @web.middleware
        async def arrived(request, handler):
            if request.path == "/slack/events":
                self.open += 1
                self.statements = 0
            return await handler(request)

        async def answered(request, response) -> None:
            if request.path == "/slack/events" and self.open:
                self.open -= 1
                self.counts.append(self.statements)

        app.middlewares.append(arrived)
        app.on_response_prepare.append(answered)


@pytest.fixture
async def watched(sqlite_db, clock):
    before = BeforeAck()
    event.listen(Engine, "before_cursor_execute", before.seen)
    try:
        async with slack_server(sqlite_db, clock, on_app=before.hook) as server:
            yield server, before
    finally:
        event.remove(Engine, "before_cursor_execute", before.seen)


@pytest.mark.parametrize("text", ["status", "slowtest", "hjälp"])
async def test_a_slash_command_is_acked_before_any_statement(watched, slow_command, text):  # noqa: F811
    server, before = watched
    for user in (ADEPT, ADEPT, "U0STRANGER"):  # first contact, known, someone new
        status, _ = await server.command(text, user=user, channel="D" + user[1:])
        assert status == 200
        await server.settle()
    assert len(before.counts) == 3 and before.counts == [0, 0, 0]
    # ...and the turns themselves did run: every command was answered.
    assert len(server.fake.calls_to("response_url")) >= 3


async def test_a_slow_command_says_it_is_coming_before_the_answer(watched, slow_command):  # noqa: F811
    server, _ = watched
    status, body = await server.command("slowtest", user=ADEPT, channel="D0ADEPT")
    assert status == 200 and not body  # the ack itself carries nothing
    await server.settle()
    working = server.runtime.core.translator.render("sv", "core/working")
    assert [c.params["text"] for c in server.fake.calls_to("response_url")] == [working, "all done"]
