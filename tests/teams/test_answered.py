"""A clicked card shown as answered, through the SDK's own token validation
(every activity signed as the Bot Framework signs it): only a card in the
clicker's own chat, only after the core took the click, and only in the
bot's own words, never in words the click carried."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from adapters.teams.render import teams_escape, teams_markdown
from bot import routing
from bot.i18n import render
from bot.store.models import EventRsvp, Identity, Person
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.fakes.bot_connector import Call, FakeBotConnector
from tests.teams.helpers import (
    TEAM_CHANNEL,
    TENANT,
    announce_pair,
    card_submit,
    channel_card_submit,
    channel_mention,
    in_tenant,
    takes_part,
    teams_server,
    user,
)
from tests.teams.people import TeamsPerson, actions_of

HANNA = user("Hanna", 70)  # coordinator
ANNA = user("Anna", 71)
BO = user("Bo", 72)
# What a channel member put into a click on someone else's message (the security report).
FORGED = {
    "t": "UPDATE from the coordinators: the kickoff has MOVED. Send your personal number to carol@example.com",
    "l": "nothing – see new venue below",
}
KICKOFF = 'event add kickoff 2027-01-19 09:00 place="Stadshuset"'


def button(call: Call, action_id: str) -> dict:
    return next(a["data"] for a in actions_of(call.card) if a["data"]["mentorbot"]["a"] == action_id)


def forged(data: dict) -> dict:
    return {"mentorbot": {**data["mentorbot"], **FORGED}}


def nothing_forged_shown(connector: FakeBotConnector) -> bool:
    sent = json.dumps([c.body for c in connector.calls], ensure_ascii=False)
    return "carol@example.com" not in sent and "new venue" not in sent


def answered_texts(update: Call) -> list[str]:
    return [b["text"] for b in update.card["body"]]


async def test_a_forged_click_on_a_channel_message_updates_nothing(sqlite_db, clock, connector, keys):
    """The report's repro: a stale action, replying to an announcement in the channel."""
    data = {"mentorbot": {"a": "nothing.here", "v": "1", **FORGED}}
    async with teams_server(sqlite_db, clock, keys=keys) as server:
        anna = TeamsPerson(server, connector, ANNA)
        await anna.type("hej")
        before = len(anna.inbox())
        assert await server.post(channel_card_submit(connector.url, ANNA, "act-ANNOUNCEMENT-123", data)) in (200, 201)
    assert connector.of("update") == []
    (stale,) = anna.inbox()[before:]  # she alone is told, in her own chat
    assert stale.shown_text() == teams_markdown(render("sv", "errors/stale_action"))
    assert connector.delivered(f"{TEAM_CHANNEL};messageid=act-ANNOUNCEMENT-123") == []
    assert nothing_forged_shown(connector)
    assert any(path.endswith("/v1/keys") for path in keys.requests)  # the SDK really checked the signature


async def _program_card(server, connector) -> tuple[TeamsPerson, Call]:
    """Hanna creates a program with a kickoff and takes part in it; `program
    show`'s card in her personal chat."""
    hanna = TeamsPerson(server, connector, HANNA)
    await hanna.type("program create Mentorprogram 2027 start=2027-01-15 end=2027-12-31")
    await hanna.type(KICKOFF)
    await takes_part(server.runtime.db, HANNA)  # the RSVP buttons are a participant's
    await hanna.type("program show")
    return hanna, hanna.last_card()


async def test_a_stale_click_on_a_card_in_the_personal_chat_leaves_the_card_as_it_is(sqlite_db, clock, connector, keys):
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        hanna, card = await _program_card(server, connector)
        await hanna.click(card, {"mentorbot": {**button(card, "rsvp.yes")["mentorbot"], "a": "nothing.here"}})
    assert hanna.inbox()[-1].shown_text() == teams_markdown(render("sv", "errors/stale_action"))
    assert connector.of("update") == []


async def test_a_click_in_the_personal_chat_shows_the_cards_own_words_not_the_clicks(sqlite_db, clock, connector, keys):
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        hanna, card = await _program_card(server, connector)
        await hanna.click(card, forged(button(card, "rsvp.yes")))
    (update,) = connector.of("update")
    assert update.activity_id == card.result_id
    assert "actions" not in update.card and not any(e["type"] == "ActionSet" for e in update.card["body"])
    first_line = teams_escape(card.body["summary"])  # the card's own first line, as the bot sent it
    assert answered_texts(update) == [first_line, render("sv", "teams/answered", label="Jag kommer")]
    assert nothing_forged_shown(connector)
    async with sqlite_db.read() as s:
        assert len((await s.exec(select(EventRsvp))).all()) == 1


@pytest.mark.parametrize("row", [2**31, 2**63 - 1])
async def test_a_card_row_beyond_any_id_is_only_answered(any_db, clock, connector, keys, caplog, row):
    """`r` is an int32 id: a larger one names no card (PostgreSQL would refuse the lookup)."""
    async with teams_server(any_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        hanna, card = await _program_card(server, connector)
        await hanna.click(card, {"mentorbot": {**button(card, "rsvp.yes")["mentorbot"], "r": row}})
    (update,) = connector.of("update")
    assert answered_texts(update) == [render("sv", "teams/answered", label="")]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    async with any_db.read() as s:
        assert len((await s.exec(select(EventRsvp))).all()) == 1


async def _event_reminders(server, connector, db, clock) -> tuple[TeamsPerson, TeamsPerson, TeamsPerson]:
    """Anna and Bo, an announced pair, and Hanna's program channel; the
    kickoff's first reminders sent (to each of them and to the channel)."""
    hanna, anna, bo = (TeamsPerson(server, connector, who) for who in (HANNA, ANNA, BO))
    for person in (hanna, anna, bo):
        await person.type("hej")
    await announce_pair(db, clock, ANNA, BO)
    await server.post(channel_mention(connector.url, HANNA, "channel"))
    await hanna.type(KICKOFF)
    dispatcher = Dispatcher(db, server.runtime.delivery, clock, server.runtime.config)
    await run_until(dispatcher, clock, datetime(2027, 1, 12, 12, 0, tzinfo=UTC))
    return hanna, anna, bo


async def test_a_reminder_card_in_the_personal_chat_is_shown_answered_in_its_own_words(
    sqlite_db, clock, connector, keys
):
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        _, anna, bo = await _event_reminders(server, connector, sqlite_db, clock)
        reminder, bos = anna.last_card(), bo.last_card()
        assert reminder.op == "send"  # sent by the scheduler, not as a reply
        await anna.click(reminder, forged(button(reminder, "rsvp.no")))
        # The same button on another card of hers, naming Bo's card: only that she answered.
        await anna.click(
            reminder,
            {
                "mentorbot": {
                    **button(reminder, "rsvp.yes")["mentorbot"],
                    "r": button(bos, "rsvp.yes")["mentorbot"]["r"],
                }
            },
        )
    first, second = connector.of("update")
    assert first.activity_id == second.activity_id == reminder.result_id
    assert answered_texts(first) == [
        teams_escape(reminder.body["summary"]),
        render("sv", "teams/answered", label="Jag kan inte"),
    ]
    assert answered_texts(second) == [render("sv", "teams/answered", label="")]
    assert nothing_forged_shown(connector)


async def test_a_reminder_card_clicked_days_later_keeps_the_words_it_was_sent_with(sqlite_db, clock, connector, keys):
    """A reminder's words count from the moment it was sent ("in 7 days"):
    clicked three days later, the card shown answered still says so."""
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        _, anna, _bo = await _event_reminders(server, connector, sqlite_db, clock)
        reminder = anna.last_card()
        assert "om 7 dagar" in reminder.body["summary"]
        clock.set(datetime(2027, 1, 15, 10, 0, tzinfo=UTC))
        await anna.click(reminder, button(reminder, "rsvp.yes"))
    (update,) = connector.of("update")
    assert answered_texts(update) == [
        teams_escape(reminder.body["summary"]),
        render("sv", "teams/answered", label="Jag kommer"),
    ]


async def test_an_rsvp_on_the_channel_post_answers_privately_and_leaves_the_post_for_everyone(
    sqlite_db, clock, connector, keys
):
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        _, anna, bo = await _event_reminders(server, connector, sqlite_db, clock)
        post = connector.of("send", TEAM_CHANNEL)[-1]
        before = {person.who.chat: len(person.inbox()) for person in (anna, bo)}
        for person, action in ((anna, "rsvp.yes"), (bo, "rsvp.no")):
            data = forged(button(post, action))
            await server.post(channel_card_submit(connector.url, person.who, post.result_id, data))
    assert connector.of("update") == []  # the post keeps its buttons, and says nobody's answer
    assert connector.delivered(f"{TEAM_CHANNEL};messageid={post.result_id}") == []
    for person in (anna, bo):
        (noted,) = person.inbox()[before[person.who.chat] :]  # each told in their own chat
        assert "Uppstartsmöte" in noted.shown_text()
    async with sqlite_db.read() as s:
        answers = (await s.exec(select(EventRsvp.coming))).all()
    assert sorted(answers) == [False, True]
    assert nothing_forged_shown(connector)


OUTSIDER_TENANT = "deadbeef-0000-4000-8000-000000000000"
XAVIER = user("Xavier", 99)


def _from_outside(activity: dict) -> dict:
    return in_tenant(activity, OUTSIDER_TENANT)


def _outsider(service_url: str, kind: str) -> dict:
    from tests.teams.helpers import personal_install, personal_message

    update, install = personal_install(service_url, XAVIER)
    removal = {**install, "action": "remove"}
    activities = {
        "app removed": removal,
        "app added": install,
        "added to a chat": update,
        "message": personal_message(service_url, XAVIER, "join"),
        "reaction": {
            **personal_message(service_url, XAVIER, ""),
            "type": "messageReaction",
            "reactionsAdded": [{"type": "like"}],
        },
    }
    return _from_outside(activities[kind])


@pytest.mark.parametrize("kind", ["app removed", "app added", "added to a chat", "message", "reaction"])
async def test_nothing_is_stored_for_a_tenant_that_is_not_allowed_whatever_it_sends(
    sqlite_db, clock, connector, keys, kind
):
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        hanna = TeamsPerson(server, connector, HANNA)
        await hanna.type("program create Mentorprogram 2027 start=2027-01-15 end=2027-12-31")
        await hanna.type(f"org add Knivsta kommun teams={TENANT}")
        before = len(connector.calls)
        assert await server.post(_outsider(connector.url, kind)) in (200, 201)
    async with sqlite_db.read() as s:
        assert "Xavier" not in (await s.exec(select(Person.name))).all()
        assert (await s.exec(select(Identity).where(Identity.tenant == OUTSIDER_TENANT))).all() == []
    assert all(c.op in ("reply", "send") for c in connector.calls[before:])  # at most the one refusal
    assert connector.of("member") == []  # not even their profile was asked for


def _without_tenant(activity: dict) -> dict:
    activity["conversation"].pop("tenantId", None)
    activity.pop("channelData", None)
    return activity


@pytest.mark.parametrize("kind", ["app added", "message"])
async def test_an_activity_that_names_no_tenant_is_refused_even_without_an_allow_list(
    sqlite_db, clock, connector, keys, kind
):
    """Nobody is let in under a tenant Teams did not name (as on Slack): with
    no organisation naming a tenant, only `teams.tenant_id` is known to be ours."""
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        assert await server.post(_without_tenant(_outsider(connector.url, kind))) in (200, 201)
    async with sqlite_db.read() as s:
        assert "Xavier" not in (await s.exec(select(Person.name))).all()
        assert (await s.exec(select(Identity).where(Identity.user_id.contains("99")))).all() == []


def _nothing_went_wrong(caplog) -> bool:
    return not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("listed", [5, [{"x": 1}], "langs"], ids=["a number", "objects", "text"])
async def test_card_data_no_card_of_ours_carries_is_answered_as_a_stale_click(
    sqlite_db, clock, connector, keys, caplog, listed
):
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        hanna, card = await _program_card(server, connector)
        await hanna.click(card, {"mentorbot": {**button(card, "rsvp.yes")["mentorbot"], "m": listed}})
    assert hanna.inbox()[-1].shown_text() == teams_markdown(render("sv", "errors/stale_action"))
    assert connector.of("update") == []
    assert _nothing_went_wrong(caplog)
    async with sqlite_db.read() as s:
        assert (await s.exec(select(EventRsvp))).all() == []


async def test_a_click_on_a_message_id_with_a_lone_surrogate_is_handled(sqlite_db, clock, connector, keys, caplog):
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        hanna, card = await _program_card(server, connector)
        submit = card_submit(connector.url, HANNA, "act-\udc80", button(card, "rsvp.yes"))
        assert await server.post(submit) in (200, 201)
    assert hanna.inbox()[-1].shown_text() != teams_markdown(render("sv", "errors/internal"))
    assert _nothing_went_wrong(caplog)
    async with sqlite_db.read() as s:
        assert len((await s.exec(select(EventRsvp))).all()) == 1


async def test_an_unexpected_error_is_logged_without_who_or_what_they_wrote(
    sqlite_db, clock, connector, keys, caplog, monkeypatch
):
    async def broken(turn):
        raise RuntimeError("a bug")

    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        hanna = TeamsPerson(server, connector, HANNA)
        await hanna.type("hej")
        monkeypatch.setattr(routing, "route", broken)
        await hanna.type("program show Mentorprogram")
    assert hanna.inbox()[-1].shown_text() == teams_markdown(render("sv", "errors/internal"))
    (line,) = [r for r in caplog.records if r.exc_info]
    said = line.getMessage()
    assert "unexpected error" in said and "text" in said and "teams" in said
    assert "Hanna" not in said and "Mentorprogram" not in said and HANNA.aad not in said


@pytest.mark.parametrize("app_type", ["SingleTenant", "MultiTenant"])
@pytest.mark.parametrize("kind", ["app added", "message"])
async def test_with_no_organisation_only_the_bots_own_tenant_is_let_in(
    sqlite_db, clock, connector, keys, kind, app_type
):
    """Until an organisation names a tenant, the bot's own tenant
    (`teams.tenant_id`, required for a multi-tenant registration too) is all
    there is: a message from another is refused, one from its own answered."""
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,), app_type=app_type) as server:
        assert server.runtime.config.teams.app_type == app_type
        assert await server.post(_outsider(connector.url, kind)) in (200, 201)
        hanna = TeamsPerson(server, connector, HANNA)
        assert await hanna.type("help")  # the own tenant is answered
    async with sqlite_db.read() as s:
        assert "Xavier" not in (await s.exec(select(Person.name))).all()
        assert (await s.exec(select(Identity).where(Identity.tenant == OUTSIDER_TENANT))).all() == []
    assert connector.of("member", XAVIER.chat, ok=False) == []  # not even their profile was asked for
