"""Slack Connect: people from other organisations' workspaces in a shared
channel or DM. Each is known and allow-listed by their own workspace
(`event.user_team`, `user.team_id` of a click), not by the workspace the app
is installed in (the envelope's `team_id`). Someone from a workspace no
organisation names gets one refusal, and nothing about them is looked up
(`users.info`) or stored; a payload that does not say where the person
belongs lets nobody in. Payloads are shaped as Slack sends them in shared
channels (bolt-python's tests/slack_bolt/request/test_internals.py)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from sqlmodel import select

from bot.i18n import render
from bot.store.models import Enrollment, Identity, Person
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID
from tests.slack.helpers import slack_server

SHARED = "C0SHARED"
EVE, EVIL = "U0EVE", "T0EVIL"  # from a workspace no organisation names
PER, PARTNER = "U0PER", "T0PARTNER"  # from Ljungby's own workspace, also in the shared channel


@pytest.fixture
async def server(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as s:
        s.fake.add_user(EVE, "Eve", real_name="Eve Evil", email="eve@evil.example")
        s.fake.add_user(PER, "Per", real_name="Per Ek", email="per.ek@ljungby.se")
        s.fake.add_channel(SHARED, "mentorprogram-delat", is_member=True)
        for line in (
            "program create P start=2027-01-19 end=2027-12-31",
            f"org add Växjö kommun slack={TEAM_ID}",
            f"org add Ljungby kommun slack={PARTNER}",
        ):
            await s.command(line)
            await s.settle()
        s.fake.calls.clear()
        yield s


def mention(user: str, text: str = "join", **team) -> dict:
    """An @mention in the shared channel; `team` is how Slack says whose the person is."""
    return {
        "type": "app_mention",
        "channel": SHARED,
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": "1767000009.000100",
        "event_ts": "1767000009.000100",
        **team,
    }


async def click_in_channel(server, user: str, user_team: str | None) -> int:
    """A button in the shared channel clicked by `user`; `user.team_id` only when given."""
    who = {"id": user, "username": user.lower(), "name": user.lower()}
    if user_team is not None:
        who["team_id"] = user_team
    payload = {
        "type": "block_actions",
        "user": who,
        "team": {"id": TEAM_ID, "domain": "kommunerna"},  # where the click happened: the installing side
        "container": {"type": "message", "message_ts": "1.2", "channel_id": SHARED, "is_ephemeral": False},
        "channel": {"id": SHARED, "name": "mentorprogram-delat"},
        "message": {"ts": "1.2", "text": "Kickoff", "blocks": []},
        "response_url": server.fake.response_url("shared"),
        "actions": [{"action_id": "rsvp.yes", "type": "button", "value": "1", "text": {"text": "Jag kommer"}}],
    }
    status, _ = await server.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
    await server.settle()
    return status


async def known(server, user: str) -> tuple[list[tuple[str, str, str]], int, list[str]]:
    """(identity keys, enrollments, person names) of `user`."""
    async with server.runtime.db.read() as s:
        ids = (await s.exec(select(Identity).where(Identity.user_id == user))).all()
        people = [i.person_id for i in ids]
        enrolled = (await s.exec(select(Enrollment).where(Enrollment.person_id.in_(people)))).all()  # type: ignore[union-attr]
        names = (await s.exec(select(Person.name).where(Person.id.in_(people)))).all()  # type: ignore[union-attr]
    return [(i.platform, i.tenant, i.user_id) for i in ids], len(enrolled), list(names)


def asked_about(server, user: str) -> list:
    return [c for c in server.fake.calls_to("users.info") if c.params.get("user") == user]


def refused(server, user: str) -> bool:
    said = server.fake.calls_to("chat.postEphemeral") + server.fake.calls_to("chat.postMessage")
    text = render("sv", "errors/tenant_not_allowed")
    return any(c.params.get("text") == text and user in (c.params.get("user"), c.params.get("channel")) for c in said)


@pytest.mark.parametrize("shared_flag", [False, True], ids=["flag absent", "is_ext_shared_channel"])
async def test_someone_from_another_workspace_in_a_shared_channel_is_refused(server, shared_flag):
    envelope = {"is_ext_shared_channel": True} if shared_flag else None
    status, _ = await server.event(mention(EVE, user_team=EVIL, source_team=EVIL), envelope=envelope)
    await server.settle()
    assert status == 200
    assert refused(server, EVE)
    assert await known(server, EVE) == ([], 0, [])  # no identity under T0FAKE, no enrollment
    assert asked_about(server, EVE) == []  # Slack was not asked who they are


async def test_someone_from_a_named_partner_workspace_is_known_by_their_own_workspace(server):
    await server.event(mention(PER, user_team=PARTNER, source_team=PARTNER, team=TEAM_ID))
    await server.settle()
    identities, _, names = await known(server, PER)
    assert identities == [("slack", PARTNER, PER)]
    assert names == ["Per"] and len(asked_about(server, PER)) == 1  # the profile of an allowed person is read
    assert not refused(server, PER)


async def test_without_user_team_the_event_s_team_names_the_person_s_workspace(server):
    """As in a message event from a shared channel: the person's workspace in `event.team`."""
    await server.event(mention(EVE, team=EVIL), envelope={"is_ext_shared_channel": True})
    await server.settle()
    assert refused(server, EVE) and await known(server, EVE) == ([], 0, [])


async def test_a_shared_channel_event_that_does_not_say_whose_the_person_is_lets_nobody_in(server):
    await server.event(mention(EVE), envelope={"is_ext_shared_channel": True})
    await server.settle()
    assert refused(server, EVE)
    assert await known(server, EVE) == ([], 0, []) and asked_about(server, EVE) == []


async def test_an_event_outside_shared_channels_without_a_team_is_the_installing_workspace_s(server):
    """Nobody from elsewhere can be in a conversation that is not shared."""
    await server.event(mention(PER, text="hjälp"))
    await server.settle()
    assert (await known(server, PER))[0] == [("slack", TEAM_ID, PER)]


@pytest.mark.parametrize("user_team", [EVIL, None], ids=["another workspace", "no user.team_id"])
async def test_a_click_is_judged_by_the_clicker_s_workspace_not_the_channel_s(server, user_team):
    assert await click_in_channel(server, EVE, user_team) == 200
    assert refused(server, EVE)
    assert await known(server, EVE) == ([], 0, []) and asked_about(server, EVE) == []


async def test_a_click_from_a_partner_workspace_is_keyed_by_it(server):
    await click_in_channel(server, PER, PARTNER)
    assert (await known(server, PER))[0] == [("slack", PARTNER, PER)]


async def test_a_home_tab_opened_from_another_workspace_shows_and_stores_nothing(server):
    home = {"type": "app_home_opened", "user": EVE, "channel": "D0EVE", "tab": "home", "event_ts": "1.3"}
    await server.event({**home, "team": EVIL}, envelope={"is_ext_shared_channel": True})
    await server.settle()
    assert server.fake.calls_to("views.publish") == [] and asked_about(server, EVE) == []
    assert await known(server, EVE) == ([], 0, [])


async def test_without_any_allow_list_a_person_whose_workspace_is_not_said_is_still_refused(sqlite_db, clock):
    """A single-workspace install needs no setup: its own workspace is let in,
    but never someone Slack did not say the workspace of."""
    async with slack_server(sqlite_db, clock) as server:
        await server.event(mention(EVE, text="hjälp"), envelope={"is_ext_shared_channel": True})
        await server.settle()
        assert refused(server, EVE)
        assert await known(server, EVE) == ([], 0, []) and asked_about(server, EVE) == []
        await click_in_channel(server, EVE, None)
        assert await known(server, EVE) == ([], 0, [])
