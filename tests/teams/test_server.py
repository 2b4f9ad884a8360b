"""Teams through the real aiohttp server on loopback, with Bot Framework
activities posted to /api/messages and the fake Bot Connector as Teams."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from adapters.teams.render import teams_markdown
from bot.i18n import render
from bot.store.models import AuditLog, Identity, Person, ProcessedEvent, Program, Reminder
from tests.teams.helpers import (
    APP_ID,
    TEAM_CHANNEL,
    card_submit,
    channel_mention,
    personal_install,
    personal_message,
    teams_server,
    user,
)
from tests.teams.people import TeamsPerson

ANNA = user("Anna", 1)
BO = user("Bo", 2, locale="en-GB")


async def _identity(db, who) -> Identity:
    async with db.read() as session:
        return (await session.exec(select(Identity).where(Identity.user_id == who.aad))).one()


async def test_a_typed_command_in_a_personal_chat_is_answered_there(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        status = await server.post(personal_message(connector.url, ANNA, "status"))
    assert status in (200, 201)
    (reply,) = connector.delivered(ANNA.chat)
    assert reply.op == "reply"
    assert reply.shown_text() == teams_markdown(
        render("sv", "commands/status", rows=[], left=False, coordinator=False, joinable="none", tz="Europe/Stockholm")
    )


async def test_mentor_prefix_and_english_locale_are_understood(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        await server.post(personal_message(connector.url, BO, "mentor status"))
    (reply,) = connector.delivered(BO.chat)
    assert reply.shown_text() == teams_markdown(
        render("en", "commands/status", rows=[], left=False, coordinator=False, joinable="none", tz="Europe/Stockholm")
    )


async def test_the_personal_chat_reference_is_stored_for_later_sends(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        await server.post(personal_message(connector.url, ANNA, "status"))
    identity = await _identity(sqlite_db, ANNA)
    ref = json.loads(identity.ref)
    assert identity.conversation == ANNA.chat
    assert ref["serviceUrl"] == connector.url
    assert ref["conversation"]["tenantId"] and ref["user"]["id"] == ANNA.teams_id
    assert ref["bot"]["id"].startswith("28:")


async def test_a_redelivered_activity_is_processed_once(sqlite_db, clock, connector):
    activity = personal_message(connector.url, ANNA, "status")
    async with teams_server(sqlite_db, clock) as server:
        assert await server.post(activity) in (200, 201)
        assert await server.post(activity) in (200, 201)
    assert len(connector.delivered(ANNA.chat)) == 1
    async with sqlite_db.read() as session:
        keys = (await session.exec(select(ProcessedEvent.key))).all()
    assert keys == [f"teams:{ANNA.chat}|{activity['id']}"]


async def test_a_coordinator_makes_a_team_channel_the_program_channel(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock, coordinators=(ANNA.key,)) as server:
        await server.post(
            personal_message(connector.url, ANNA, "program create Chefsmentor 2027 start=2027-01-18 end=2027-12-10")
        )
        await server.post(channel_mention(connector.url, ANNA, "channel"))
    async with sqlite_db.read() as session:
        program = (await session.exec(select(Program))).one()
    assert (program.channel_platform, program.channel_conversation) == ("teams", TEAM_CHANNEL)
    assert json.loads(program.channel_ref)["serviceUrl"] == connector.url
    (answer,) = connector.delivered(f"{TEAM_CHANNEL};messageid=1481567603816")
    assert answer.op == "reply"  # in the thread of the @mention
    assert answer.shown_text() == render("sv", "commands/channel_set", program=program)


async def test_a_coordinators_answer_in_a_channel_goes_to_their_private_chat(sqlite_db, clock, connector):
    """Teams has no "only you can see this" in a channel: `participants`
    asked there (it names people) is answered in the asker's personal chat."""
    async with teams_server(sqlite_db, clock, coordinators=(ANNA.key,)) as server:
        await server.post(
            personal_message(connector.url, ANNA, "program create Chefsmentor 2027 start=2027-01-18 end=2027-12-10")
        )
        await server.post(channel_mention(connector.url, ANNA, "participants", thread="1481567603999"))
    in_channel = [c for c in connector.delivered() if (c.conversation or "").startswith(TEAM_CHANNEL)]
    private = [c.shown_text() for c in connector.delivered(ANNA.chat)]
    assert in_channel == []
    assert any(text.startswith("Deltagare i Chefsmentor 2027") for text in private), private


async def test_a_mention_by_a_non_coordinator_is_refused_and_audited(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        await server.post(channel_mention(connector.url, BO, "channel"))
    (answer,) = connector.delivered()
    assert answer.shown_text() == teams_markdown(render("en", "errors/not_coordinator", command="channel"))
    async with sqlite_db.read() as session:
        assert (await session.exec(select(AuditLog.action))).all() == ["refused"]


async def test_a_clicked_card_is_replaced_so_it_cannot_be_clicked_twice(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        await server.post(personal_message(connector.url, ANNA, "forget"))
        (card_call,) = connector.delivered(ANNA.chat)
        card = card_call.card
        buttons = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
        no = next(b for b in buttons if b["data"]["mentorbot"]["a"] == "forget.cancel")
        await server.post(card_submit(connector.url, ANNA, "act-1", no["data"]))
    (update,) = connector.of("update")
    assert update.activity_id == "act-1"
    assert update.text == render("sv", "commands/forget_kept")
    assert update.card is None  # no buttons left
    identity = await _identity(sqlite_db, ANNA)
    assert identity is not None  # cancelled: nothing was forgotten


async def test_after_forget_no_outbox_key_names_the_personal_chat(sqlite_db, clock, connector, keys):
    """A reply's outbox key holds the Teams event id, and that holds the id
    of the person's personal chat: `forget` leaves no key that names it,
    the key of its own answer (sent after the erasure) included."""
    async with teams_server(sqlite_db, clock, keys=keys) as server:
        anna = TeamsPerson(server, connector, ANNA)
        await anna.type("status")
        await anna.type("forget")
        await anna.click_button("forget.confirm")
    assert connector.of("update")[-1].text == render("sv", "commands/forgotten")
    async with sqlite_db.read() as session:
        keys_kept = (await session.exec(select(Reminder.key))).all()
    assert len(keys_kept) >= 3, keys_kept  # status, the question and the answer: each a row
    assert [k for k in keys_kept if ANNA.chat in k] == []


async def test_a_new_personal_install_is_welcomed_once(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        for activity in personal_install(connector.url, ANNA):
            assert await server.post(activity) in (200, 201)
    welcomes = connector.delivered(ANNA.chat)
    assert len(welcomes) == 1
    assert render("sv", "home/summary") in welcomes[0].shown_text().splitlines()[0]  # the home view greets her
    assert (await _identity(sqlite_db, ANNA)).conversation == ANNA.chat


async def test_removing_the_app_makes_the_person_unreachable_until_they_write_again(sqlite_db, clock, connector):
    install, _ = personal_install(connector.url, ANNA)
    removal = {**install, "type": "installationUpdate", "action": "remove", "id": "remove-1"}
    removal.pop("membersAdded")
    async with teams_server(sqlite_db, clock) as server:
        await server.post(install)
        assert await server.post(removal) in (200, 201)
        identity = await _identity(sqlite_db, ANNA)
        assert identity.unreachable and "removed" in identity.unreachable_reason
        await server.post(personal_message(connector.url, ANNA, "status"))
    assert not (await _identity(sqlite_db, ANNA)).unreachable


async def test_without_a_token_an_authenticated_bot_refuses_and_processes_nothing(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock, app_id=APP_ID) as server:
        status = await server.post(personal_message(connector.url, ANNA, "status"))
        forged = await server.post(personal_message(connector.url, ANNA, "status"), headers={"Authorization": ""})
    assert (status, forged) == (401, 401)
    assert connector.calls == []
    async with sqlite_db.read() as session:
        assert (await session.exec(select(ProcessedEvent))).all() == []
        assert (await session.exec(select(Identity))).all() == []


@pytest.mark.parametrize(
    "token",
    [
        "Bearer not-a-jwt",
        # An unsigned token from an issuer Bot Framework does not use: refused before any key is fetched.
        "Bearer " + __import__("jwt").encode({"iss": "https://evil.example", "aud": APP_ID}, key="", algorithm="none"),
        "Basic dXNlcjpwYXNz",
    ],
)
async def test_a_forged_token_is_refused_without_reaching_any_other_host(sqlite_db, clock, connector, token):
    async with teams_server(sqlite_db, clock, app_id=APP_ID) as server:
        status = await server.post(personal_message(connector.url, ANNA, "status"), headers={"Authorization": token})
    assert status == 401
    assert connector.calls == []
    async with sqlite_db.read() as session:
        assert (await session.exec(select(ProcessedEvent))).all() == []


async def test_a_request_that_is_not_json_is_refused(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        async with server.session.post(f"{server.url}/api/messages", data="hello") as response:
            assert response.status == 415


async def test_a_private_answer_to_a_channel_mention_goes_to_the_personal_chat(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        await server.post(personal_message(connector.url, ANNA, "hej"))  # she has a personal chat with the bot
        before = len(connector.calls)
        await server.post(channel_mention(connector.url, ANNA, "status"))  # status is shown to her only
    (answer,) = connector.delivered()[-1:]
    assert connector.calls[before:] == [answer]
    assert (answer.op, answer.conversation) == ("send", ANNA.chat)
    assert answer.shown_text() == teams_markdown(
        render("sv", "commands/status", rows=[], left=False, coordinator=False, joinable="none", tz="Europe/Stockholm")
    )


async def test_on_first_contact_the_teams_profile_gives_the_email_a_coordinator_key_can_name(
    sqlite_db, clock, connector
):
    connector.profiles[ANNA.teams_id] = {
        "id": ANNA.teams_id,
        "name": "Anna",
        "aadObjectId": ANNA.aad,
        "email": "anna.adeptsson@knivsta.se",
        "userPrincipalName": "anna.adeptsson@knivsta.se",
    }
    async with teams_server(sqlite_db, clock, coordinators=("anna.adeptsson@knivsta.se",)) as server:
        await server.post(
            personal_message(connector.url, ANNA, "program create Mentorprogram 2027 start=2027-01-15 end=2027-12-31")
        )
        await server.post(personal_message(connector.url, ANNA, "status"))
    assert len(connector.of("member")) == 1  # asked once, on first contact
    async with sqlite_db.read() as session:
        assert (await session.exec(select(Program.name))).all() == ["Mentorprogram 2027"]
        person = await session.get(Person, (await _identity(sqlite_db, ANNA)).person_id)
    assert person.email == "anna.adeptsson@knivsta.se"


async def test_without_a_profile_the_person_is_still_served(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        await server.post(personal_message(connector.url, ANNA, "status"))
    assert [c.status for c in connector.of("member", ok=False)] == [404]
    assert len(connector.delivered(ANNA.chat)) == 1
