"""Teams shows what the person reads the way they read it: line breaks and
lists kept, their chosen language (not the client's) for the words the adapter
adds, and the program's time zone named when theirs differs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.teams.render import message_activity
from bot.i18n import render
from bot.messages import Button, Buttons, Card, Outbound, Text
from tests.teams.helpers import card_submit, personal_message, takes_part, teams_server, user
from tests.teams.people import actions_of

EMMA = user("Emma", 31, locale="en-US")  # an English Teams client; she chose Swedish
COORDINATOR = user("Hanna", 30)


def test_each_line_of_a_card_is_its_own_text_block_and_a_list_one_block():
    card = Card(
        (
            Text("Dina uppgifter:\n• Namn: Emma\n• Språk: svenska\n\nSkriv `glöm mig` för att radera."),
            Buttons((Button("x", "OK"),)),
        )
    )
    body = message_activity(Outbound(text="Dina uppgifter", card=card), "sv")["attachments"][0]["content"]["body"]
    blocks = [b for b in body if b["type"] == "TextBlock"]
    assert [b["text"] for b in blocks] == [
        "Dina uppgifter:",
        "- Namn: Emma\r- Språk: svenska",
        "Skriv **glöm mig** för att radera.",
    ]
    assert [b.get("spacing") for b in blocks] == [None, "None", "Default"]


def test_a_plain_message_keeps_its_line_breaks():
    activity = message_activity(Outbound(text="Par:\n• Anna → Bo\n• Cecilia → Dan"), "sv")
    assert activity["text"] == "Par:\n\n• Anna → Bo\n\n• Cecilia → Dan"


async def test_working_on_it_and_the_answered_mark_follow_the_persons_language(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock, coordinators=(EMMA.key,)) as server:
        await server.post(personal_message(connector.url, EMMA, "language sv"))
        await server.post(personal_message(connector.url, EMMA, "program create P start=2027-01-15 end=2027-12-31"))
        await server.post(personal_message(connector.url, EMMA, "match"))  # a slow command: acknowledged first
        texts = [c.shown_text() for c in connector.delivered(EMMA.chat)]
        assert render("sv", "core/working") in texts and render("en", "core/working") not in texts
        await server.post(
            personal_message(connector.url, EMMA, 'event add kickoff 2027-01-19 09:00 place="Stadshuset"')
        )
        await takes_part(server.runtime.db, EMMA)  # the RSVP buttons are a participant's
        await server.post(personal_message(connector.url, EMMA, "program show"))
        card = next(c for c in reversed(connector.delivered(EMMA.chat)) if c.card is not None)
        yes = next(a for a in actions_of(card.card) if a["data"]["mentorbot"]["a"] == "rsvp.yes")
        await server.post(card_submit(connector.url, EMMA, card.result_id, yes["data"]))
    (update,) = connector.of("update")
    assert [b["text"] for b in update.card["body"]][-1] == render("sv", "teams/answered", label="Jag kommer")


@pytest.mark.parametrize(
    "locale,zone", [("sv", "(centraleuropeisk normaltid)"), ("en", "(Central European Standard Time)")]
)
def test_a_time_names_the_programs_zone_when_the_reader_lives_in_another(locale, zone):
    from types import SimpleNamespace

    event = SimpleNamespace(
        id=1,
        title="Uppstart",
        kind="kickoff",
        place="",
        audience="all",
        starts_at=datetime(2027, 1, 19, 12, 0, tzinfo=UTC),
    )
    away = render(locale, "events/line", event=event, tz="Europe/Stockholm", reader_tz="Europe/London")
    home = render(locale, "events/line", event=event, tz="Europe/Stockholm", reader_tz="Europe/Stockholm")
    assert "13:00" in away and zone in away
    assert "13:00" in home and zone not in home
