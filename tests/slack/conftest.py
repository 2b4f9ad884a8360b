"""The loopback fake Slack Web API, started and stopped around a test; a
Slack server on a fresh SQLite database (`server`), and what of it reaches
bolt (`bolt_sees`)."""

from __future__ import annotations

import pytest

from tests.fakes.slack_api import FakeSlackAPI
from tests.slack.helpers import slack_server


@pytest.fixture
async def fake():
    api = FakeSlackAPI()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def server(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as s:
        yield s


@pytest.fixture
def bolt_sees(server, monkeypatch) -> list[dict]:
    """The bodies that reached bolt."""
    seen: list[dict] = []
    dispatch = server.adapter.app.async_dispatch

    async def recorded(request):
        seen.append(request.body)
        return await dispatch(request)

    monkeypatch.setattr(server.adapter.app, "async_dispatch", recorded)
    return seen
