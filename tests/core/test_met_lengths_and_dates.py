"""`met` (`träffats`) takes a meeting's length as people type it (`90 min`,
`1,5 h`, `1.5 hours`, `1 h 30 min`) and its date day first (`30/11`,
`30/11/2027`, `30 nov`, `30 november 2027`, month names in either
language). A date without a year is the nearest such day that has been.
What cannot be read is answered with the forms that can; the meeting's own
rules (not in the future, not before the pair, 10–300 minutes) stay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.store.models import Meeting, ProgramEvent
from tests.core.cockpit import paired_world


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await paired_world(sqlite_db, clock, request.param)  # Cecilia and Frida, announced on 4 January 2027
    clock.advance(timedelta(days=340))  # today is Friday 10 December 2027
    w.met = "träffats" if request.param == "sv" else "met"
    return w


async def _meetings(db) -> dict[date, int]:
    async with db.read() as s:
        return {m.held_on: m.minutes for m in (await s.exec(select(Meeting))).all()}


LENGTHS = {
    "sv": [
        ("2027-11-01 90 minuter", 90),
        ("2027-11-02 75 min", 75),
        ("2027-11-03 1,5 h", 90),
        ("2027-11-04 1.5h", 90),
        ("2027-11-05 1,5 timmar", 90),
        ("2027-11-08 1 h 30 min", 90),
        ("2027-11-09 2 timmar", 120),
        ("2027-11-10 1 timme 15 minuter", 75),
        ("2027-11-11 1h45", 105),
        ("2027-11-12 60", 60),
    ],
    "en": [
        ("2027-11-01 90 minutes", 90),
        ("2027-11-02 75 min", 75),
        ("2027-11-03 1.5 hours", 90),
        ("2027-11-04 1.5h", 90),
        ("2027-11-05 1,5 h", 90),
        ("2027-11-08 1 h 30 min", 90),
        ("2027-11-09 2 hours", 120),
        ("2027-11-10 1 hour 15 minutes", 75),
        ("2027-11-11 1h45", 105),
        ("2027-11-12 60", 60),
    ],
}


async def test_lengths_as_people_type_them(world, sqlite_db):
    cecilia = world["Cecilia"]
    for typed, _ in LENGTHS[world.locale]:
        (logged, *_) = await cecilia.say(f"{world.met} {typed}")
        assert logged.kind == "nudges/met_logged", (typed, logged.text)
    (today,) = await cecilia.say(f"{world.met} 45 min")  # a length with its unit and no date: today
    assert today.kind == "nudges/met_logged", today.text
    expected = {date.fromisoformat(typed.split()[0]): minutes for typed, minutes in LENGTHS[world.locale]}
    assert await _meetings(sqlite_db) == {**expected, date(2027, 12, 10): 45}


DATES = {
    "sv": [
        ("30/11", date(2027, 11, 30)),
        ("29/11/2027 60", date(2027, 11, 29)),
        ("26 nov", date(2027, 11, 26)),
        ("25 nov 2027 1,5 h", date(2027, 11, 25)),
        ("24 november 2027 60", date(2027, 11, 24)),
        ("22 okt 45 min", date(2027, 10, 22)),
        ("21 october", date(2027, 10, 21)),  # the other language's month names too
        ("5 jan", date(2027, 1, 5)),  # this year's: next year's is in the future
        ("3 maj", date(2027, 5, 3)),
    ],
    "en": [
        ("30/11", date(2027, 11, 30)),
        ("29/11/2027 60", date(2027, 11, 29)),
        ("26 Nov", date(2027, 11, 26)),
        ("25 nov 2027 1.5 hours", date(2027, 11, 25)),
        ("24 November 2027 60", date(2027, 11, 24)),
        ("22 Oct 45 min", date(2027, 10, 22)),
        ("21 oktober", date(2027, 10, 21)),
        ("5 jan", date(2027, 1, 5)),
        ("3 May", date(2027, 5, 3)),
    ],
}


async def test_day_first_dates_and_the_nearest_one_that_has_been(world, sqlite_db):
    cecilia = world["Cecilia"]
    for typed, _ in DATES[world.locale]:
        (logged, *_) = await cecilia.say(f"{world.met} {typed}")
        assert logged.kind == "nudges/met_logged", (typed, logged.text)
    assert set(await _meetings(sqlite_db)) == {day for _, day in DATES[world.locale]}


async def test_what_cannot_be_read_is_answered_with_the_forms_that_can(world, sqlite_db):
    cecilia, sv = world["Cecilia"], world.locale == "sv"
    (length,) = await cecilia.say(f"{world.met} 2027-11-01 90 minuer")
    assert length.kind == "errors/bad_length", length.text
    assert "`90 minuer`" in length.text and "`1 h 30 min`" in length.text, length.text
    assert ("`1,5 timmar`" if sv else "`1.5 hours`") in length.text, length.text
    (fraction,) = await cecilia.say(f"{world.met} 2027-11-01 1,33 h")
    assert fraction.kind == "errors/bad_length", fraction.text
    assert ("inte ett helt antal minuter" if sv else "does not come to whole minutes") in fraction.text
    (day,) = await cecilia.say(f"{world.met} someday 60")
    assert day.kind == "errors/bad_date", day.text
    for form in ("`30/11`", "`30/11/2026`", "`30 nov`", "`30 november 2026`"):
        assert form in day.text, day.text
    (month,) = await cecilia.say(f"{world.met} 30/13")
    assert month.kind == "errors/no_such_month" and "`30/11`" in month.text, month.text
    (missing,) = await cecilia.say(f"{world.met} 31/4")
    assert missing.kind == "errors/no_such_day", missing.text
    assert await _meetings(sqlite_db) == {}


async def test_the_meetings_rules_stay(world, sqlite_db):
    cecilia = world["Cecilia"]
    (tomorrow,) = await cecilia.say(f"{world.met} 11/12/2027")
    assert tomorrow.kind == "nudges/future_date", tomorrow.text
    (last_year,) = await cecilia.say(f"{world.met} 12 dec")  # 12 December 2026: before the pair, not the future
    assert last_year.kind == "nudges/before_pair", last_year.text
    (long,) = await cecilia.say(f"{world.met} 1/12 6 h")
    assert long.kind == "nudges/bad_minutes" and "`360`" in long.text, long.text
    (short,) = await cecilia.say(f"{world.met} 1/12 5 min")
    assert short.kind == "nudges/bad_minutes", short.text
    assert await _meetings(sqlite_db) == {}


# Dates with dots, as often typed in Sweden, and the month's name first, as in English.
DOTS_AND_MONTH_FIRST = {
    "sv": [
        ("30.11", date(2027, 11, 30)),
        ("29.11.2027 60", date(2027, 11, 29)),
        ("01.05 45 min", date(2027, 5, 1)),  # this year's: next year's is in the future
        ("Nov 26", date(2027, 11, 26)),
        ("november 25, 2027 1,5 h", date(2027, 11, 25)),
        ("okt 22 45 min", date(2027, 10, 22)),
    ],
    "en": [
        ("30.11", date(2027, 11, 30)),
        ("29.11.2027 60", date(2027, 11, 29)),
        ("1.05 45 min", date(2027, 5, 1)),
        ("Nov 26", date(2027, 11, 26)),
        ("November 25, 2027 1.5 hours", date(2027, 11, 25)),
        ("Oct 22nd 45 min", date(2027, 10, 22)),
    ],
}


async def test_dates_with_dots_and_month_first_the_nearest_one_that_has_been(world, sqlite_db):
    cecilia = world["Cecilia"]
    for typed, _ in DOTS_AND_MONTH_FIRST[world.locale]:
        (logged, *_) = await cecilia.say(f"{world.met} {typed}")
        assert logged.kind == "nudges/met_logged", (typed, logged.text)
    assert set(await _meetings(sqlite_db)) == {day for _, day in DOTS_AND_MONTH_FIRST[world.locale]}


async def test_one_dot_five_alone_is_no_date_and_the_help_lists_the_new_forms(world, sqlite_db):
    """`1.5` is as much one and a half hours as the first of May: not guessed."""
    cecilia = world["Cecilia"]
    (answer,) = await cecilia.say(f"{world.met} 1.5")
    assert answer.kind == "errors/bad_date", answer.text
    for form in ("`30.11`", "`30.11.2026`"):
        assert form in answer.text, answer.text
    assert ("`nov 30`" if world.locale == "sv" else "`Nov 30`") in answer.text, answer.text
    (month,) = await cecilia.say(f"{world.met} 30.13.2027")
    assert month.kind == "errors/no_such_month", month.text
    help_text = "".join(m.text for m in await cecilia.say(f"help {world.met}"))
    assert "30.11" in help_text, help_text
    assert await _meetings(sqlite_db) == {}


async def test_an_event_on_a_date_with_dots_or_month_first_is_the_nearest_to_come(world, sqlite_db):
    anna = world["Anna"]
    for line in ("event add inspiration 12.01 10:00", "event add inspiration Jan 14 10:00"):
        (added, *_) = await anna.say(line)
        assert added.kind == "commands/event_added", (line, added.text)
    async with sqlite_db.read() as s:
        days = {e.starts_at.date() for e in (await s.exec(select(ProgramEvent))).all()}
    assert {date(2028, 1, 12), date(2028, 1, 14)} <= days, days


AMBIGUOUS = {
    "sv": "jag kan inte avgöra om Nov 30 är dagen ni träffades",
    "en": "I cannot tell whether Nov 30 is the day you met",
}


async def test_a_month_first_date_then_a_unit_alone_is_not_guessed(world, sqlite_db):
    """`met Nov 30 min` reads as well as "on Nov 30, the length left out"
    as "for 30 min, the day left out": nothing is logged, and the answer
    gives the line for each reading; each of them then logs what it says."""
    cecilia, met = world["Cecilia"], world.met
    (answer,) = await cecilia.say(f"{met} Nov 30 min")
    assert answer.kind == "errors/date_or_length", answer.text
    assert AMBIGUOUS[world.locale] in answer.text, answer.text
    assert f"`{met} Nov 30 90 min`" in answer.text and f"`{met} 30 min`" in answer.text, answer.text
    (hours,) = await cecilia.say(f"{met} nov 1 h")  # 1 h, or 1 November: the same
    assert hours.kind == "errors/date_or_length" and f"`{met} 1 h`" in hours.text, hours.text
    assert await _meetings(sqlite_db) == {}
    for line in (f"{met} Nov 30 90 min", f"{met} 30 min"):
        (logged, *_) = await cecilia.say(line)
        assert logged.kind == "nudges/met_logged", (line, logged.text)
    assert await _meetings(sqlite_db) == {date(2027, 11, 30): 90, date(2027, 12, 10): 30}


async def test_a_unit_alone_that_no_meeting_could_be_keeps_its_answer(world, sqlite_db):
    """`Nov 30 h` is no 30-hour meeting, and `30 nov min` no date but 30 November:
    the lone unit is answered as a length that cannot be read, as before."""
    cecilia = world["Cecilia"]
    for typed in ("Nov 30 h", "30 nov min"):
        (answer,) = await cecilia.say(f"{world.met} {typed}")
        assert answer.kind == "errors/bad_length", (typed, answer.text)
    assert await _meetings(sqlite_db) == {}
