"""The bot's login token for the Bot Connector never holds the event loop
(adapters/teams/access_tokens.py). Behind a login endpoint that never
answers (an HTTPS proxy that takes the connection and says nothing), a send
to Teams through the app `serve` builds, with the SDK's own msal
credentials, ends as a retry within the timeout while /healthz keeps
answering; with a working endpoint, several sends, one after another and at
once, share one token."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import aiohttp
import pytest
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials

from adapters.server import build_app, make_runtime
from adapters.teams import access_tokens
from adapters.teams.access_tokens import AccessToken, IssuedCredentials, TokenTiming
from bot.messages import Address, Outbound, Platform
from bot.ports import DeliveryError
from tests.fakes.entra_token import FakeTokenEndpoint
from tests.fakes.loopback import serve_on_loopback
from tests.teams.helpers import APP_ID, TENANT, EndpointAppCredentials, teams_server, user
from tests.teams.test_authentication import authenticated_config
from tests.teams.test_outbound import reference

ANNA = user("Anna", 51)
TIMEOUT = 1.0


@pytest.fixture
def entra():
    with FakeTokenEndpoint() as fake:
        yield fake


@pytest.fixture
def short_timeout(monkeypatch):
    monkeypatch.setattr(access_tokens, "TIMING", replace(access_tokens.TIMING, timeout=TIMEOUT))


def _to(connector, who=ANNA) -> Address:
    return Address(Platform.TEAMS, TENANT, conversation=who.chat, ref=reference(connector.url, who, who.chat))


async def test_a_login_endpoint_that_never_answers_holds_neither_the_loop_nor_the_send(
    sqlite_db, clock, keys, connector, entra, short_timeout, monkeypatch
):
    # msal's requests to login.microsoftonline.com go through this "proxy": taken, never answered.
    entra.hang(seconds=15)
    monkeypatch.setenv("HTTPS_PROXY", entra.base)
    monkeypatch.delenv("NO_PROXY", raising=False)
    runtime = make_runtime(authenticated_config(sqlite_db.url), sqlite_db, clock)
    runner, port = await serve_on_loopback(build_app(runtime))
    try:
        async with aiohttp.ClientSession() as http:
            teams = runtime.extras["teams_port"]
            started = time.monotonic()
            send = asyncio.create_task(teams.send(_to(connector), Outbound(text="Hej")))
            deadline = time.monotonic() + 10
            while entra.hanging < 1:
                assert time.monotonic() < deadline, (
                    "the loop was held while msal asked the login endpoint (or it never did)"
                )
                await asyncio.sleep(0.01)
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                health = response.status
            # /healthz answered while the token request still hangs and the send still waits for it.
            assert (health, entra.hanging, send.done()) == (200, 1, False)
            with pytest.raises(DeliveryError) as failure:
                await send
            assert time.monotonic() - started < TIMEOUT + 2
            assert not failure.value.permanent  # the outbox tries again later
            assert "login token" in failure.value.reason
            # Backing off: the next send fails at once, without another request to the login service.
            with pytest.raises(DeliveryError):
                await asyncio.wait_for(teams.send(_to(connector), Outbound(text="Hej igen")), 0.5)
            assert runtime.extras["teams_tokens"].fetches == 1
            assert entra.connects <= 2  # that one fetch (msal retries a read once), no other
    finally:
        await runner.cleanup()
    assert connector.calls == []


async def test_sends_share_one_token_one_after_another_and_at_once(sqlite_db, clock, connector, entra):
    async with teams_server(sqlite_db, clock, app_id=APP_ID, token_url=entra.token_url) as server:
        for n in range(3):
            await server.port.send(_to(connector), Outbound(text=f"Hej {n}"))
        others = [user(f"Other{n}", 60 + n) for n in range(4)]
        await asyncio.gather(*(server.port.send(_to(connector, who), Outbound(text="Hej")) for who in others))
    delivered = connector.delivered()
    assert len(delivered) == 7
    assert entra.token_requests == 1
    assert {call.headers["Authorization"] for call in delivered} == {"Bearer " + entra.issued[0]}


async def test_a_token_is_renewed_shortly_before_it_expires_and_a_valid_one_outlives_a_failed_renewal(
    entra,
):
    now = [1000.0]
    timing = TokenTiming(timeout=TIMEOUT, retry_after=15.0, clock=lambda: now[0])
    token = AccessToken(EndpointAppCredentials(entra.token_url, APP_ID), timing)
    first = await token.get()
    # The token's `exp` is whole seconds of the fake's wall clock at issue, its
    # life counted from our wall clock after the answer: up to a second less
    # than 3600 (more on a busy machine), so two seconds of slack either way.
    now[0] += 3600 - timing.renew_before - 2
    assert await token.get() == first and entra.token_requests == 1  # kept
    now[0] += 4
    entra.hang(seconds=10)
    assert await token.get() == first  # renewal hangs: the old one still has minutes to live
    assert token.fetches == 2
    entra.release()
    deadline = time.monotonic() + 5
    while token._fetch is not None:  # the hung fetch ends (released: closed unanswered)
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    assert await token.get() == first and token.fetches == 2  # backing off, the old one still serves
    now[0] += timing.retry_after
    assert await token.get() != first and entra.token_requests == 3


# ------------------------------------------------ what we rely on in the SDK


def test_the_sdk_password_credentials_take_the_msal_application_we_give_them():
    """access_tokens._fetch_token makes msal's application itself (with a
    timeout) and sets it as `credentials.app`; the SDK's get_access_token must
    use it and not make its own."""

    class App:
        def acquire_token_silent(self, scopes, account=None):
            return {"access_token": "from-our-app"}

    credentials = MicrosoftAppCredentials(APP_ID, "secret")
    assert credentials.app is None
    credentials.app = App()
    assert credentials.get_access_token() == "from-our-app"
    assert hasattr(credentials, "microsoft_app_password")


def test_a_connector_client_signs_with_the_credentials_it_was_made_with():
    """`ready()` finds the turn's credentials as `client.config.credentials`;
    signing asks their `get_access_token`, nothing else."""

    class Held(AccessToken):
        def current(self) -> str:
            return "held-token"

    issued = IssuedCredentials(Held(MicrosoftAppCredentials(APP_ID, "secret"), TokenTiming()))
    client = ConnectorClient(issued, base_url="http://127.0.0.1:9")
    assert client.config.credentials is issued
    assert issued.signed_session().headers["Authorization"] == "Bearer held-token"
