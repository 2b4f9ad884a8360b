"""Tenants are allow-listed per organisation: once an organisation names its
Slack workspaces and Teams tenants, people from anywhere else get one polite
refusal and nothing about them is stored. With no setup, the install's own
workspace (the one its bot token belongs to) is the only one that gets in."""

from __future__ import annotations

from sqlmodel import select

from bot.i18n import render
from bot.messages import Actor, Address, Inbound, Kind, Platform, Where
from bot.store.models import Identity, Person
from tests.core.harness import World, make_core
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.helpers import TENANT, in_tenant, personal_message, teams_server, user

OTHER_TENANT = "0f0e0d0c-0b0a-4909-8807-060504030201"
STRANGER_TENANT = "deadbeef-0000-4000-8000-000000000066"  # neither the bot's own (TENANT) nor named


def slack(user_id: str, team: str) -> Actor:
    return Actor(Platform.SLACK, team, user_id, display_name=user_id)


async def say_as(core, actor: Actor, text: str):
    where = Address(actor.platform, actor.tenant, f"D{actor.user_id}", actor.user_id, Where.DM)
    return await core.handle(Inbound(actor, where, Kind.TEXT, text=text))


async def _identities(db) -> set[str]:
    async with db.read() as session:
        return {f"{i.platform}:{i.tenant}:{i.user_id}" for i in (await session.exec(select(Identity))).all()}


async def test_without_setup_only_the_installs_own_workspace_gets_in(sqlite_db, clock):
    core = make_core(sqlite_db, clock, locale="en")
    assert (await say_as(core, slack("U1", "T0OWN"), "help"))[0].kind == "errors/tenant_not_allowed"  # not known yet
    core.own_tenants.learn("slack", "T0OWN", "E0GRID")  # what the adapter learns from auth.test at start
    for who in (slack("U2", "T0OWN"), slack("U3", "E0GRID")):
        answer = await say_as(core, who, "help")
        assert answer and answer[0].kind != "errors/tenant_not_allowed"
    assert (await say_as(core, slack("U4", "T0ANY"), "help"))[0].kind == "errors/tenant_not_allowed"
    assert "slack:T0ANY:U4" not in await _identities(sqlite_db)


async def test_only_named_workspaces_get_in_and_a_stranger_leaves_no_trace(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    anna = world["Anna"]
    await anna.say("program create P start=2027-01-19 end=2027-12-31")
    added = await anna.say(f"org add Täby kommun slack=T0TABY teams={TENANT}")
    assert added[0].kind == "commands/org_added"
    assert (await say_as(world.core, slack("U1", "T0TABY"), "help"))[0].kind != "errors/tenant_not_allowed"
    before = await _identities(sqlite_db)
    first = await say_as(world.core, slack("U666", "T0EVIL"), "join")
    second = await say_as(world.core, slack("U666", "T0EVIL"), "join")
    assert [m.text for m in first] == [render("en", "errors/tenant_not_allowed")]
    assert second == []  # one refusal, not one per message
    assert await _identities(sqlite_db) == before
    async with sqlite_db.read() as session:
        assert "U666" not in (await session.exec(select(Person.name))).all()


async def test_org_set_replaces_the_workspaces_and_bad_ids_are_explained(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    anna = world["Anna"]
    await anna.say("program create P start=2027-01-19 end=2027-12-31")
    await anna.say("org add Täby kommun slack=T0TABY")
    changed = await anna.say("org set Täby kommun slack=T0NEW")
    assert changed[0].kind == "commands/org_tenants" and "slack=T0NEW" in changed[0].text
    assert (await say_as(world.core, slack("U1", "T0TABY"), "help"))[0].kind == "errors/tenant_not_allowed"
    assert (await say_as(world.core, slack("U2", "T0NEW"), "help"))[0].kind != "errors/tenant_not_allowed"
    bad = await anna.say("org add Solna stad teams=not-a-tenant")
    assert bad[0].kind == "errors/bad_tenant"


async def test_a_teams_tenant_no_organisation_names_is_refused_over_http(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="sv"))
    await world["Anna"].say("program create P start=2027-01-19 end=2027-12-31")
    await world["Anna"].say(f"org add Knivsta kommun teams={OTHER_TENANT}")
    stranger = user("Eve", 66)
    async with FakeBotConnector() as connector, teams_server(sqlite_db, clock) as server:
        for _ in range(2):
            await server.post(in_tenant(personal_message(connector.url, stranger, "join"), STRANGER_TENANT))
    (refusal,) = connector.delivered(stranger.chat)
    assert refusal.shown_text() == render("sv", "errors/tenant_not_allowed")
    assert not any(key.startswith("teams:") for key in await _identities(sqlite_db))
    assert connector.of("member") == []  # not even their profile was asked for


async def test_org_set_with_an_empty_value_says_how_to_clear_and_changes_nothing(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    anna = world["Anna"]
    await anna.say("program create P start=2027-01-19 end=2027-12-31")
    await anna.say("org add Täby kommun slack=T0TABY")
    (answer,) = await anna.say("org set Täby kommun slack=")
    assert answer.kind == "errors/org_set_nothing" and "slack=-" in answer.text, answer.text
    assert (await say_as(world.core, slack("U1", "T0TABY"), "help"))[0].kind != "errors/tenant_not_allowed"
    cleared = await anna.say("org set Täby kommun slack=-")
    assert cleared[0].kind == "commands/org_tenants"
    assert (await say_as(world.core, slack("U2", "T0TABY"), "help"))[0].kind == "errors/tenant_not_allowed"


async def test_the_own_workspace_and_the_console_are_let_in_without_a_read(sqlite_db, clock, monkeypatch):
    """The check every turn makes first reads the organisations only when
    they must tell: the install's own workspace and the console are known
    in memory (a read unit per turn was a tenth of an ordinary turn's work)."""
    core = make_core(sqlite_db, clock, locale="en")
    core.own_tenants.learn("slack", "T0OWN")
    reads = []
    real_read = type(sqlite_db).read

    def counted(db):
        reads.append(1)
        return real_read(db)

    monkeypatch.setattr(type(sqlite_db), "read", counted)
    for actor in (slack("U2", "T0OWN"), Actor(Platform.CONSOLE, "console", "eva", display_name="Eva")):
        await core._allowed(
            Inbound(actor, Address(actor.platform, actor.tenant, "D1", actor.user_id, Where.DM), Kind.TEXT, text="help")
        )
    assert reads == []
    assert not await core._allowed(
        Inbound(slack("U3", "T0ELSE"), Address(Platform.SLACK, "T0ELSE", "D3", "U3", Where.DM), Kind.TEXT, text="help")
    )
    assert reads == [1], "a workspace only the organisations can vouch for is looked up"
