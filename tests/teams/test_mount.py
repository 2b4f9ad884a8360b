"""How Teams is switched on in the shared server: authenticated with an app
id, local mode only on loopback, refused otherwise; slow commands acked first."""

from __future__ import annotations

import logging
from dataclasses import replace

import aiohttp
import pytest

from adapters.server import build_app, make_runtime
from adapters.teams.http import auth_settings, check_safe
from bot.commands.registry import COMMANDS, Command
from bot.config import ConfigError, ServerConfig, TeamsConfig
from bot.i18n import render
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.loopback import serve_on_loopback
from tests.teams.helpers import TENANT, config_for, personal_message, teams_server, user

ANNA = user("Anna", 31)


def test_local_mode_on_a_public_address_is_refused_with_one_clear_line(tmp_path):
    config = replace(config_for("sqlite://"), server=ServerConfig(host="0.0.0.0", port=3978))
    with pytest.raises(ConfigError) as refused:
        check_safe(config)
    message = str(refused.value)
    assert message.startswith("teams.local: true") and "127.0.0.1" in message and "\n" not in message


def test_mounting_teams_without_an_app_id_or_local_mode_is_refused():
    config = replace(config_for("sqlite://"), teams=TeamsConfig())
    with pytest.raises(ConfigError, match=r"^teams\.app_id: missing"):
        check_safe(config)


@pytest.mark.parametrize(
    "teams",
    [
        TeamsConfig(app_id="x", app_password="y"),
        TeamsConfig(app_id="x", app_password="y", app_type="SingleTenant"),
        TeamsConfig(app_id="x", app_password="y", app_type="MultiTenant"),
        TeamsConfig(local=True),
    ],
    ids=["default", "single-tenant", "multi-tenant", "local"],
)
def test_every_teams_bot_needs_its_home_tenant_and_is_told_where_to_find_it(teams):
    """Without it a multi-tenant (or local) bot let anyone in until an
    organisation named a tenant; now it does not start."""
    config = replace(config_for("sqlite://"), teams=teams)
    with pytest.raises(ConfigError) as refused:
        check_safe(config)
    message = str(refused.value)
    assert message.startswith("teams.tenant_id: missing") and "\n" not in message
    assert "MICROSOFT_APP_TENANT_ID" in message
    assert ("Tenant ID" in message) == bool(teams.app_id)  # where Azure shows it; local mode has no registration


def test_a_tenant_id_that_is_not_a_directory_id_is_refused():
    teams = TeamsConfig(app_id="x", app_password="y", tenant_id="contoso.onmicrosoft.com")
    with pytest.raises(ConfigError, match=r"^teams\.tenant_id: expected the Directory \(tenant\) ID, a GUID"):
        check_safe(replace(config_for("sqlite://"), teams=teams))


def test_single_tenant_is_the_default_and_multi_tenant_must_be_asked_for():
    single = auth_settings(TeamsConfig(app_id="a", app_password="p", tenant_id=TENANT))
    assert (single.APP_TYPE, single.APP_TENANTID) == ("SingleTenant", TENANT)
    multi_config = TeamsConfig(app_id="a", app_password="p", tenant_id=TENANT, app_type="MultiTenant")
    check_safe(replace(config_for("sqlite://"), teams=multi_config))  # an older registration still runs
    multi = auth_settings(multi_config)
    assert multi.APP_TYPE == "MultiTenant" and not hasattr(multi, "APP_TENANTID")


async def test_local_mode_on_loopback_warns_loudly_and_serves_through_the_app_factory(sqlite_db, clock, caplog):
    runtime = make_runtime(config_for(sqlite_db.url), sqlite_db, clock)
    with caplog.at_level(logging.WARNING, logger="adapters.teams.http"):
        app = build_app(runtime)
    assert "TEAMS LOCAL MODE" in caplog.text
    runner, port = await serve_on_loopback(app)
    try:
        async with FakeBotConnector() as connector, aiohttp.ClientSession() as http:
            async with http.post(
                f"http://127.0.0.1:{port}/api/messages", json=personal_message(connector.url, ANNA, "status")
            ) as response:
                assert response.status in (200, 201)
            assert len(connector.delivered(ANNA.chat)) == 1
    finally:
        await runner.cleanup()


@pytest.fixture
def slow_command():
    """A slow command for this test only (none of the real ones is slow yet)."""

    async def handler(turn, args):
        return [turn.say("home/summary")]

    COMMANDS[("slowtest",)] = Command(("slowtest",), "participant", (), handler, slow=True)
    yield
    del COMMANDS[("slowtest",)]


async def test_a_slow_command_is_acknowledged_first_and_answered_proactively(sqlite_db, clock, slow_command):
    async with FakeBotConnector() as connector, teams_server(sqlite_db, clock) as server:
        await server.post(personal_message(connector.url, ANNA, "slowtest"))
        ack, answer = connector.delivered(ANNA.chat)
    assert ack.op == "reply" and answer.op == "send"  # the answer came after the request was answered
    assert ack.text == render("sv", "core/working")
    assert answer.text == render("sv", "home/summary")
