"""Until an organisation names a Slack workspace, only the bot's own one gets
in: the workspace its bot token belongs to, which the adapter learns from
`auth.test` once, when the server starts (here the fake answers TEAM_ID). A
signed request from another workspace (another workspace's install of the
same app, or someone from another organisation in a Slack Connect channel)
gets the one polite refusal and leaves nothing behind. Once an organisation
names workspaces, those get in too, and the own one still does. Requests go
through the slack-bolt app `serve` builds, signed as Slack signs them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import func, select

from adapters.server import build_app, make_runtime
from bot.config import ConfigError, SlackConfig
from bot.i18n import render
from bot.store.models import Identity, Person
from tests.fakes.loopback import serve_on_loopback
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID
from tests.slack.helpers import ADEPT, COORDINATOR, SECRET, slack_config, slack_people, slack_server

OTHER, STRANGER = "T0OTHER", "U0STRANGER"  # a workspace nobody named, and someone from there
SHARED = "C0SHARED"  # a Slack Connect channel of the own workspace with OTHER


async def _from_elsewhere(server, how: str, team: str = OTHER) -> int:
    """STRANGER from `team` writes to the bot, `how` Slack would deliver it."""
    if how == "slash command":
        status, _ = await server.command("join", user=STRANGER, channel="D0STRANGER", team=team)
    elif how == "DM to another workspace's install":
        event = {
            "type": "message",
            "channel": "D0STRANGER",
            "channel_type": "im",
            "user": STRANGER,
            "team": team,
            "text": "join",
            "ts": "1767000010.000100",
        }
        authorization = {"team_id": team, "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
        status, _ = await server.event(event, envelope={"team_id": team, "authorizations": [authorization]})
    else:  # a mention in a channel shared with the own workspace
        event = {
            "type": "app_mention",
            "channel": SHARED,
            "user": STRANGER,
            "user_team": team,
            "text": f"<@{BOT_USER_ID}> join",
            "ts": "1767000011.000100",
        }
        status, _ = await server.event(event, envelope={"is_ext_shared_channel": True})
    await server.settle()
    return status


async def _people(server) -> int:
    async with server.runtime.db.read() as s:
        return (await s.exec(select(func.count()).select_from(Person))).one()


async def _identities_of(server, user: str) -> list[tuple[str, str]]:
    async with server.runtime.db.read() as s:
        return [(i.platform, i.tenant) for i in (await s.exec(select(Identity).where(Identity.user_id == user))).all()]


def _refused(server) -> bool:
    text = render("sv", "errors/tenant_not_allowed")
    said = server.fake.calls_to("response_url") + server.fake.calls_to("chat.postEphemeral")
    return any(c.params.get("text") == text for c in said + server.fake.calls_to("chat.postMessage"))


async def _answered_in_own_workspace(server) -> None:
    """A command from the own workspace (TEAM_ID) gets its answer, not the refusal."""
    before = len(server.fake.calls_to("response_url"))
    status, _ = await server.command("hjälp")
    await server.settle()
    answers = server.fake.calls_to("response_url")[before:]
    assert status == 200 and answers
    assert all(a.params.get("text") and a.params["text"] != render("sv", "errors/tenant_not_allowed") for a in answers)
    assert await _identities_of(server, COORDINATOR) == [("slack", TEAM_ID)]


HOW = ["slash command", "DM to another workspace's install", "Slack Connect mention"]


@pytest.mark.parametrize("how", HOW)
async def test_with_no_workspace_named_another_workspace_is_refused_and_leaves_nothing(sqlite_db, clock, how):
    async with slack_server(sqlite_db, clock) as server:
        server.fake.add_user(STRANGER, "Eve", real_name="Eve Evil", email="eve@other.example")
        people = await _people(server)
        assert await _from_elsewhere(server, how) == 200
        assert _refused(server)
        assert await _identities_of(server, STRANGER) == [] and await _people(server) == people
        assert [c for c in server.fake.calls_to("users.info") if c.params.get("user") == STRANGER] == []
        # ... while the own workspace is let in, with nobody named either.
        await _answered_in_own_workspace(server)


@pytest.mark.parametrize("how", HOW)
async def test_once_an_organisation_names_a_workspace_it_gets_in_and_the_own_one_still_does(sqlite_db, clock, how):
    async with slack_server(sqlite_db, clock) as server:
        server.fake.add_user(STRANGER, "Per", real_name="Per Ek", email="per.ek@ljungby.se")
        for line in ("program create P start=2027-01-19 end=2027-12-31", f"org add Ljungby kommun slack={OTHER}"):
            status, _ = await server.command(line)
            await server.settle()
            assert status == 200
        assert await _from_elsewhere(server, how) == 200
        assert await _identities_of(server, STRANGER) == [("slack", OTHER)]
        assert not _refused(server)
        # The own workspace is not named by any organisation, and still gets in.
        status, _ = await server.dm("hjälp", user=ADEPT)
        await server.settle()
        assert status == 200 and await _identities_of(server, ADEPT) == [("slack", TEAM_ID)]
        # A third workspace, named by nobody, still does not.
        assert await _from_elsewhere(server, how, team="T0THIRD") == 200
        assert _refused(server) and await _identities_of(server, STRANGER) == [("slack", OTHER)]


async def test_the_workspace_is_asked_once_at_start_and_never_on_the_ack_path(sqlite_db, clock):
    """Bolt gets the start's `auth.test` answer instead of asking on the first request."""
    async with slack_server(sqlite_db, clock) as server:
        (asked,) = server.fake.calls_to("auth.test")
        assert asked.seq == 1 and asked.token == "xoxb-test-token"  # before any request
        for text in ("hjälp", "status"):
            status, _ = await server.command(text)
            assert status == 200
        await server.dm("hjälp", user=ADEPT)
        await server.settle()
        assert len(server.fake.calls_to("auth.test")) == 1


async def test_slack_team_id_that_matches_the_token_s_workspace_starts(sqlite_db, clock):
    async with slack_server(sqlite_db, clock, team_id=TEAM_ID) as server:
        await _answered_in_own_workspace(server)


async def test_a_bot_token_of_another_workspace_than_slack_team_id_does_not_start(sqlite_db, clock, fake):
    slack_people(fake)
    with pytest.raises(ConfigError) as refused:
        async with slack_server(sqlite_db, clock, fake, team_id="T0SOMEONE"):
            raise AssertionError("started with another workspace's token")
    message = str(refused.value)
    assert message.startswith("slack.team_id: T0SOMEONE") and TEAM_ID in message and "\n" not in message


@pytest.mark.parametrize("socket_mode", [False, True], ids=["HTTP", "Socket Mode"])
async def test_when_slack_will_not_say_the_workspace_the_server_does_not_start(sqlite_db, clock, fake, socket_mode):
    """Fail closed: without its own workspace it would have to let anyone in."""
    fake.configure(method_errors={"auth.test": "invalid_auth"})
    config = slack_config(fake.base_url)
    if socket_mode:
        config = replace(
            config, slack=SlackConfig(bot_token="xoxb-test-token", app_token="xapp-1-A-1-x", api_url=fake.base_url)
        )
    else:
        config = replace(config, slack=replace(config.slack, signing_secret=SECRET))
    with pytest.raises(ConfigError) as refused:
        runner, _ = await serve_on_loopback(build_app(make_runtime(config, sqlite_db, clock)))
        await runner.cleanup()
    message = str(refused.value)
    assert message.startswith("slack.bot_token:") and "invalid_auth" in message and "\n" not in message
    assert fake.calls_to("apps.connections.open") == []  # Socket Mode never connected
