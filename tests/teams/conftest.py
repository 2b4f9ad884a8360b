"""Fixtures for the Teams tests."""

from __future__ import annotations

import pytest
from botframework.connector.auth import ChannelValidation
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor

from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.bot_framework_auth import FakeBotFrameworkKeys


@pytest.fixture
def keys(monkeypatch):
    """The SDK's channel validation pointed at the loopback key server (its
    metadata cache emptied, so no key of another test is used)."""
    with FakeBotFrameworkKeys() as fake:
        monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", fake.metadata_url)
        monkeypatch.setattr(JwtTokenExtractor, "metadataCache", {})
        yield fake


@pytest.fixture
async def connector():
    """A loopback Bot Connector the bot's replies and messages go to."""
    async with FakeBotConnector() as fake:
        yield fake
