"""Sentences that must say what the reader can actually do, in both
languages: rendered from their templates and read as a person reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace as NS

import pytest

from bot.i18n import render

STARTS = datetime(2027, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_an_event_reminder_points_at_its_own_cant_come_button(locale):
    """The reminder comes with "I'm coming / I can't come" buttons: it says to
    press the second, not to go and tell the coordinator."""
    event = NS(id=3, title=None, kind="inspiration", starts_at=STARTS, place="Stadshuset", audience="all")
    text = render(
        locale,
        "scheduler/event_reminder",
        event=event,
        offset=7,
        program=NS(name="Mentorprogram 2027"),
        to_channel=False,
        tz="Europe/Stockholm",
    )
    button = render(locale, "events/button_not_coming")
    assert {
        "sv": f"Kan du inte komma? Tryck på ”{button}”",
        "en": f'Can\'t make it? Press "{button}"',
    }[locale] in text
    assert "Säg till samordnaren" not in text and "Let the coordinator know" not in text


def test_a_moved_event_reads_as_a_sentence_whatever_its_name():
    """Swedish "*Uppstartsmöte* är flyttad" is wrong (the name's gender and
    form vary: a kind's label, a coordinator's title): "har flyttats" fits any."""
    for title, kind in ((None, "kickoff"), ("Lunch & learn", "custom")):
        event = NS(id=3, title=title, kind=kind, starts_at=STARTS, place="Stadshuset", audience="all")
        text = render(
            "sv",
            "events/changed",
            event=event,
            program=NS(name="Mentorprogram 2027"),
            moved=True,
            before=datetime(2027, 2, 23, 12, 0, tzinfo=UTC),
            place_changed=False,
            old_place=None,
            to_channel=False,
            tz="Europe/Stockholm",
        )
        assert "* har flyttats från " in text and "är flyttad" not in text, text


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    from tests.core.harness import program_world

    w = await program_world(sqlite_db, clock, request.param)
    await w["Bo"].say("hej")  # known by name: has written to the bot
    return w


async def test_an_invited_person_is_listed_as_invited_once(world):
    """`deltagare` said "inbjuden (inbjuden, har inte börjat svara)": the
    reason in brackets adds what the status does not say."""
    from tests.core.harness import texts

    await world["Anna"].say("invite Bo")
    listed = texts(await world["Anna"].say("participants"))
    line = next(row for row in listed.splitlines() if "Bo" in row)
    assert {
        "sv": "adept, inbjuden (har inte börjat svara)",
        "en": "mentee, invited (has not started the intake)",
    }[world.locale] in line, line
