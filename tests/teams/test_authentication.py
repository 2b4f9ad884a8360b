"""The production wiring of Teams: the app built by the same factory `serve`
uses (`build_app`), a real app id, the SDK's own credentials and token
validation, and Bot Framework tokens signed by a key served from a loopback
OpenID/JWKS fake. Only a token signed by the served key, for this app id and
this serviceUrl, gets in; everything else is 401 and leaves no trace."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import replace

import aiohttp
import pytest
from sqlmodel import select

from adapters.server import build_app, make_runtime
from bot.config import ConfigError, TeamsConfig
from bot.store.models import Identity, ProcessedEvent
from tests.fakes.bot_framework_auth import new_key
from tests.fakes.loopback import serve_on_loopback
from tests.teams.helpers import APP_ID, TENANT, config_for, personal_message, user

ANNA = user("Anna", 41)


@asynccontextmanager
async def production_app(db, clock, config):
    """`build_app` exactly as `serve` calls it: no credentials factory."""
    runner, port = await serve_on_loopback(build_app(make_runtime(config, db, clock)))
    try:
        async with aiohttp.ClientSession() as http:
            yield http, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def authenticated_config(db_url: str, tenant_id: str = TENANT):
    return replace(
        config_for(db_url),
        teams=TeamsConfig(
            app_id=APP_ID, app_password="a-real-looking-secret", app_type="MultiTenant", tenant_id=tenant_id
        ),
    )


async def _post(http, url, activity, token: str | None) -> int:
    headers = {"Authorization": token} if token is not None else {}
    async with http.post(f"{url}/api/messages", json=activity, headers=headers) as response:
        await response.read()
        return response.status


async def _nothing_stored(db) -> None:
    async with db.read() as session:
        assert (await session.exec(select(ProcessedEvent))).all() == []
        assert (await session.exec(select(Identity))).all() == []


async def test_a_token_signed_by_the_bot_framework_key_gets_in(sqlite_db, clock, keys, connector):
    # A typing activity needs no reply, so nothing calls Microsoft's login service.
    activity = {**personal_message(connector.url, ANNA, ""), "type": "typing"}
    token = "Bearer " + keys.token(app_id=APP_ID, service_url=connector.url)
    async with production_app(sqlite_db, clock, authenticated_config(sqlite_db.url)) as (http, url):
        assert await _post(http, url, activity, token) in (200, 201)
    assert any(path.endswith("/v1/keys") for path in keys.requests)  # the SDK really checked the signature


def _forged(keys, connector):
    """Each way a request can fail to prove it comes from the Bot Framework for this bot."""
    good = dict(app_id=APP_ID, service_url=connector.url)
    return {
        "missing": None,
        "empty": "",
        "not a JWT": "Bearer not-a-jwt",
        "basic auth": "Basic dXNlcjpwYXNz",
        "three words": "Bearer a b",
        "foreign key, served kid": "Bearer " + keys.token(**good, key=new_key()),
        "foreign key, unknown kid": "Bearer " + keys.token(**good, key=new_key(), kid="somebody-else"),
        "another bot's app id": "Bearer "
        + keys.token(app_id="11111111-2222-3333-4444-555555555555", service_url=connector.url),
        "another issuer": "Bearer " + keys.token(**good, issuer="https://evil.example"),
        "expired": "Bearer " + keys.token(**good, lifetime=-3600),
        "another serviceUrl": "Bearer " + keys.token(app_id=APP_ID, service_url="http://127.0.0.1:9/elsewhere"),
    }


async def test_missing_malformed_or_foreign_tokens_are_401_and_leave_no_trace(sqlite_db, clock, keys, connector):
    statuses = {}
    async with production_app(sqlite_db, clock, authenticated_config(sqlite_db.url)) as (http, url):
        for name, token in _forged(keys, connector).items():
            statuses[name] = await _post(http, url, personal_message(connector.url, ANNA, "status"), token)
    assert statuses == {name: 401 for name in statuses}
    assert connector.calls == []
    await _nothing_stored(sqlite_db)


async def test_without_teams_configured_there_is_no_teams_route(sqlite_db, clock, connector):
    config = replace(config_for(sqlite_db.url), teams=TeamsConfig())
    async with production_app(sqlite_db, clock, config) as (http, url):
        status = await _post(http, url, personal_message(connector.url, ANNA, "status"), None)
        async with http.get(f"{url}/healthz") as response:
            health = await response.json()
    assert status == 404
    assert health["teams"] == "off"
    assert connector.calls == []
    await _nothing_stored(sqlite_db)


async def test_local_mode_never_calls_back_a_service_url_that_is_not_loopback(sqlite_db, clock, connector):
    activity = personal_message("https://attacker.example/", ANNA, "status")
    async with production_app(sqlite_db, clock, config_for(sqlite_db.url)) as (http, url):
        status = await _post(http, url, activity, None)
        async with http.get(f"{url}/healthz") as response:
            health = await response.json()
    assert status == 403
    await _nothing_stored(sqlite_db)
    assert health["teams"] == "on"  # healthz never tells a visitor that Teams is unauthenticated
    assert "local" not in str(health)


async def test_a_multi_tenant_bot_without_its_home_tenant_does_not_start(sqlite_db, clock):
    """It would let in anyone from any tenant until an organisation named one."""
    with pytest.raises(ConfigError, match=r"^teams\.tenant_id: missing") as refused:
        build_app(make_runtime(authenticated_config(sqlite_db.url, tenant_id=""), sqlite_db, clock))
    assert "MICROSOFT_APP_TENANT_ID" in str(refused.value) and "\n" not in str(refused.value)


# Bodies the SDK parses before it authenticates, and failed on with a 500 and
# a logged traceback: JSON nested deeper than `json` recurses, JSON that is
# no object, a charset nobody knows.
UNPARSED = {
    "nested lists": ("[" * 100_000 + "]" * 100_000, "application/json"),
    "nested objects": ('{"a":' * 50_000 + "1" + "}" * 50_000, "application/json"),
    "null": ("null", "application/json"),
    "unknown charset": ("{}", "application/json; charset=no-such-charset"),
}


@pytest.mark.parametrize("name", list(UNPARSED))
async def test_a_body_that_is_no_activity_is_400_before_any_token_is_read(sqlite_db, clock, keys, caplog, name):
    body, content_type = UNPARSED[name]
    async with production_app(sqlite_db, clock, authenticated_config(sqlite_db.url)) as (http, url):
        async with http.post(
            f"{url}/api/messages", data=body.encode(), headers={"Content-Type": content_type}
        ) as response:
            assert (response.status, await response.json()) == (400, {"error": "not a Bot Framework activity"})
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback for a stranger's body
    await _nothing_stored(sqlite_db)
