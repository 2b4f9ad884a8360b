"""What a new user types in the console and is answered with: an unknown
option after a quoted value is an unknown option (with the nearest real
one), not a value to quote; a day its month lacks (`31/2`) is told of
in the nearest such month, as the date would have been read; a mistyped
command is suggested with the rest of its line; a time may be an hour
alone; a name typed without its accents is the one person so called."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from adapters.console import TENANT, user_id
from bot.commands.dates import parse_date
from bot.errors import UserError
from bot.messages import Actor, Platform
from bot.people import person_for_actor
from bot.store.models import Coordinator, Organisation, ProgramEvent
from tests.core.cockpit import enroll, paired_world
from tests.core.harness import texts


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    return await paired_world(sqlite_db, clock, request.param)  # today is 4 January 2027


async def _customs(db) -> list[ProgramEvent]:
    async with db.read() as s:
        return list((await s.exec(select(ProgramEvent).where(ProgramEvent.kind == "custom"))).all())


TITLE = {"sv": "`rubrik=`", "en": "`title=`"}
DID_YOU_MEAN = {"sv": "Menade du", "en": "Did you mean"}


@pytest.mark.parametrize(
    "line",
    [
        'event add custom 2027-03-05 10:00 plats="Knivsta bibliotek" titel="Adeptträff"',
        'event add custom 2027-03-05 10:00 place="Knivsta bibliotek" titel="X2"',
        'event add custom 2027-03-05 10:00 titel="X2" place="Knivsta bibliotek"',
        "event add custom 2027-03-05 10:00 place=Bibliotek titel=X2",
    ],
)
async def test_an_unknown_option_after_a_quoted_value_is_an_unknown_option(world, sqlite_db, line):
    (answer,) = await world["Anna"].say(line)
    assert answer.kind == "errors/unknown_option", answer.text
    assert "`titel=`" in answer.text, answer.text
    assert f"{DID_YOU_MEAN[world.locale]} {TITLE[world.locale]}" in answer.text, answer.text
    assert 'titel=Adeptträff"' not in answer.text and 'titel=X2"' not in answer.text, answer.text
    assert await _customs(sqlite_db) == []


async def test_an_unknown_option_close_to_nothing_gets_no_guess(world):
    (answer,) = await world["Anna"].say('event add custom 2027-03-05 10:00 place="Sal 2" zzqx=1')
    assert answer.kind == "errors/unknown_option", answer.text
    assert DID_YOU_MEAN[world.locale] not in answer.text, answer.text


# ----------------------------------------------- a day its month does not have


@pytest.fixture(params=["sv", "en"])
async def november_world(request, sqlite_db, clock):
    """The paired world on Monday 30 November 2026: the nearest February to come is 2027's."""
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    return await paired_world(sqlite_db, clock, request.param)


FEBRUARY = {"sv": "februari 2027 har 28 dagar", "en": "February 2027 has 28 days"}


@pytest.mark.parametrize(
    "who, line",
    [("Anna", "event add inspiration 31/2 13:00"), ("Cecilia", "pause until 31/2"), ("Cecilia", "pausa till 30 feb")],
)
async def test_a_day_february_lacks_names_the_february_to_come(november_world, who, line):
    (answer,) = await november_world[who].say(line)
    assert answer.kind == "errors/no_such_day", answer.text
    assert FEBRUARY[november_world.locale] in answer.text, answer.text


@pytest.mark.parametrize(
    "today, happened, month",
    [
        (date(2026, 11, 30), False, date(2027, 2, 1)),
        (date(2027, 2, 10), False, date(2027, 2, 1)),
        (date(2027, 1, 4), True, date(2026, 2, 1)),
        (date(2027, 3, 4), True, date(2027, 2, 1)),
        (date(2027, 1, 4), False, date(2027, 2, 1)),
    ],
)
def test_the_month_a_missing_day_is_told_of_is_the_nearest(today, happened, month):
    with pytest.raises(UserError) as caught:
        parse_date("31/2", "date", today, happened)
    assert caught.value.template == "errors/no_such_day"
    assert caught.value.context["month"] == month


def test_a_month_without_the_day_keeps_its_written_year():
    with pytest.raises(UserError) as caught:
        parse_date("31/2/2026", "date", date(2026, 11, 30))
    assert caught.value.context["month"] == date(2026, 2, 1)


# ----------------------------------------------- a mistyped command with arguments

MEANT = {"sv": "Menade du `{}`?", "en": "Did you mean `{}`?"}


@pytest.mark.parametrize(
    "line, meant",
    [
        ("paus", {"sv": "pausa", "en": "pause"}),
        ("paus till 2027-01-10", {"sv": "pausa till 2027-01-10", "en": "pause till 2027-01-10"}),
        ("pase until 10/1", {"sv": "pausa until 10/1", "en": "pause until 10/1"}),
        (
            'evnt add custom 2027-03-05 title="X"',
            {"sv": 'träff lägg-till custom 2027-03-05 title="X"', "en": 'event add custom 2027-03-05 title="X"'},
        ),
        ("fortsätt", {"sv": "återuppta", "en": "resume"}),
        ("continue", {"sv": "återuppta", "en": "resume"}),
    ],
)
async def test_a_mistyped_command_is_suggested_with_the_rest_of_its_line(world, sqlite_db, line, meant):
    who = "Anna" if line.startswith("evnt") else "Cecilia"
    (answer,) = await world[who].say(line)
    assert answer.kind == "errors/unknown_command", answer.text
    assert MEANT[world.locale].format(meant[world.locale]) in answer.text, answer.text
    assert await _customs(sqlite_db) == []


async def test_a_suggested_line_then_runs(world):
    (paused,) = await world["Cecilia"].say({"sv": "pausa till 2027-01-10", "en": "pause till 2027-01-10"}[world.locale])
    assert paused.kind == "commands/paused", paused.text
    (resumed,) = await world["Cecilia"].say({"sv": "återuppta", "en": "resume"}[world.locale])
    assert resumed.kind.startswith("commands/"), resumed.text
    assert "errors/" not in resumed.kind, resumed.text


# ----------------------------------------------- a bare hour where a time is asked


async def _custom_times(db) -> dict[str, tuple[str, str | None]]:
    from zoneinfo import ZoneInfo

    here = ZoneInfo("Europe/Stockholm")
    return {e.title: (e.starts_at.astimezone(here).strftime("%Y-%m-%d %H:%M"), e.place) for e in await _customs(db)}


async def test_a_bare_hour_is_that_hour(world, sqlite_db):
    anna = world["Anna"]
    for line in (
        'event add custom 14/2 9 title="Nio"',
        'event add custom 15/2 09 title="Noll nio"',
        'event add custom 16/2 0 title="Midnatt"',
        'event add custom 18/2 23 title="Sent"',
        'event add custom 19/2 9.30 title="Halv tio"',
        'event add custom 20/2 9:30 title="Halv tio igen"',
    ):
        (added,) = await anna.say(line)
        assert added.kind == "commands/event_added", (line, added.text)
    assert await _custom_times(sqlite_db) == {
        "Nio": ("2027-02-14 09:00", None),
        "Noll nio": ("2027-02-15 09:00", None),
        "Midnatt": ("2027-02-16 00:00", None),
        "Sent": ("2027-02-18 23:00", None),
        "Halv tio": ("2027-02-19 09:30", None),
        "Halv tio igen": ("2027-02-20 09:30", None),
    }


async def test_an_hour_past_the_day_is_no_time(world, sqlite_db):
    (answer,) = await world["Anna"].say('event add custom 14/2 24 title="X"')
    assert answer.kind == "errors/bad_time", answer.text
    assert await _customs(sqlite_db) == []


async def test_a_bare_hour_by_name_is_that_hour(world, sqlite_db):
    anna = world["Anna"]
    (added,) = await anna.say('event add custom 14/2 13:00 title="Flyttas"')
    assert added.kind == "commands/event_added", added.text
    (event,) = await _customs(sqlite_db)
    (edited, *_) = await anna.say(f"event edit {event.id} time=10")
    assert "errors/" not in edited.kind, edited.text
    assert await _custom_times(sqlite_db) == {"Flyttas": ("2027-02-14 10:00", None)}


async def test_a_number_after_a_value_without_quotes_is_not_taken_for_an_hour(world, sqlite_db):
    """`place=Sal 2`: the 2 is as likely the place's as two o'clock; the answer is how the place is quoted."""
    (answer,) = await world["Anna"].say('event add custom 14/2 title="X" place=Sal 2')
    assert answer.kind == "errors/value_in_quotes", answer.text
    assert '`place="Sal 2"`' in answer.text, answer.text
    assert await _customs(sqlite_db) == []


# ----------------------------------------------- a name typed without its accents

NOT_KNOWN = {"sv": "Jag vet inte vem", "en": "I don't know who"}


async def _coordinator_keys(db) -> set[str]:
    async with db.read() as s:
        return set((await s.exec(select(Coordinator.key))).all())


async def test_a_name_without_its_accents_is_the_one_person_so_called(world, sqlite_db):
    await enroll(world, "Linnéa Ström", "mentor", "Täby kommun")
    await enroll(world, "Åsa Öberg", "adept", "Knivsta kommun")
    anna = world["Anna"]
    (added,) = await anna.say("coordinator add Linnea Ström")
    assert added.kind == "commands/coordinator_added", added.text
    assert "console:local:linnéa.ström" in await _coordinator_keys(sqlite_db)
    for line in ("person Asa Oberg", "person åsa oberg", "person ASA ÖBERG"):
        shown = await anna.say(line)
        assert not [m for m in shown if "errors/" in m.kind], (line, texts(shown))
        assert "Åsa Öberg" in texts(shown), (line, texts(shown))


async def test_an_exact_name_wins_over_one_with_accents(world):
    await enroll(world, "Åsa Öberg", "adept", "Knivsta kommun")
    await enroll(world, "Asa Oberg", "mentor", "Täby kommun")
    shown = texts(await world["Anna"].say("person Asa Oberg"))
    assert "Asa Oberg" in shown and "Åsa Öberg" not in shown, shown
    shown = texts(await world["Anna"].say("person Åsa Öberg"))
    assert "Åsa Öberg" in shown, shown


DID_YOU_MEAN_PEOPLE = {
    "sv": "Menade du ”Åsa Oberg” eller ”Åsa Öberg”?",
    "en": "Did you mean “Åsa Oberg” or “Åsa Öberg”?",
}


async def test_several_names_without_accents_are_asked_about_not_picked(world, sqlite_db):
    await enroll(world, "Åsa Öberg", "adept", "Knivsta kommun")
    await enroll(world, "Åsa Oberg", "mentor", "Täby kommun")
    (answer,) = await world["Anna"].say("coordinator add Asa Oberg")
    assert answer.kind == "errors/person_did_you_mean", answer.text
    assert NOT_KNOWN[world.locale] in answer.text and DID_YOU_MEAN_PEOPLE[world.locale] in answer.text, answer.text
    assert not {k for k in await _coordinator_keys(sqlite_db) if "berg" in k}
    (person,) = await world["Anna"].say("person Asa Oberg")
    assert person.kind == "errors/person_did_you_mean", person.text


async def test_two_people_of_one_name_typed_without_accents_are_ambiguous(world, sqlite_db):
    await enroll(world, "Åsa Öberg", "adept", "Knivsta kommun")
    async with sqlite_db.write() as s:  # a second Åsa Öberg, on another account
        other, _ = await person_for_actor(
            s, Actor(Platform.CONSOLE, TENANT, "asa2", display_name="Åsa Öberg"), world.core.clock.now()
        )
        other.organisation_id = 1
    (answer,) = await world["Anna"].say("coordinator add Asa Oberg")
    assert answer.kind == "errors/person_ambiguous", answer.text
    assert "Åsa Öberg" in answer.text, answer.text
    assert not {k for k in await _coordinator_keys(sqlite_db) if "asa" in k or "åsa" in k}


async def test_a_name_close_to_no_one_stays_unknown(world):
    (answer,) = await world["Anna"].say("person Asa Oberg")
    assert answer.kind == "errors/unknown_person", answer.text


async def _known(world, name: str, org: str) -> None:
    """Someone who has written to the bot, in `org`, in no program yet."""
    async with world.core.db.write() as s:
        person, _ = await person_for_actor(
            s, Actor(Platform.CONSOLE, TENANT, user_id(name), display_name=name), world.core.clock.now()
        )
        person.organisation_id = (await s.exec(select(Organisation.id).where(Organisation.name == org))).one()


async def test_a_list_of_names_without_accents(world, sqlite_db):
    """`invite Asa Oberg Bo`: the words that are Åsa Öberg but for the accents are one reference."""
    await _known(world, "Åsa Öberg", "Knivsta kommun")
    await _known(world, "Bo", "Täby kommun")
    (invited, *_) = await world["Anna"].say("invite Asa Oberg Bo")
    assert "errors/" not in invited.kind, invited.text
    assert "Åsa Öberg" in invited.text and "Bo" in invited.text, invited.text
