"""The loopback fake Slack Web API, started and stopped around a test."""

from __future__ import annotations

import pytest

from tests.fakes.slack_api import FakeSlackAPI


@pytest.fixture
async def fake():
    api = FakeSlackAPI()
    await api.start()
    yield api
    await api.stop()
