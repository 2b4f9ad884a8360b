"""Calendar sense: a late joiner's event reminders are planned in the turn
that finished her intake and dropped in the turn she leaves; "tomorrow" only
when it is; an event outside the program or a second closing is asked
about; past dates are refused with the reason. Swedish and English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.store.models import ProgramEvent, Reminder
from tests.core.harness import texts
from tests.dialogs.conftest import COORDINATOR, make_world
from tests.dialogs.script import ADEPT, run
from tests.life.helpers import Year

SAY = {
    "sv": {
        "outside": "ligger utanför programmet",
        "second": "har redan en avslutning",
        "past": "har redan varit",
        "over": "är redan över",
        "started": "innan i dag",
        "nothing": "jag gjorde ingenting",
        "in3": "om 3 dagar",
        "tomorrow": "i morgon",
    },
    "en": {
        "outside": "is outside the program",
        "second": "already has a closing",
        "past": "has already passed",
        "over": "is already over",
        "started": "before today",
        "nothing": "I did nothing",
        "in3": "in 3 days",
        "tomorrow": "tomorrow",
    },
}


@pytest.fixture(params=["sv", "en"])
def locale(request):
    return request.param


async def _event_rows(db, person_name: str) -> list[Reminder]:
    from bot.store.models import Person

    async with db.read() as s:
        person = (await s.exec(select(Person).where(Person.name == person_name))).one()
        return list(
            (await s.exec(select(Reminder).where(Reminder.kind == "event", Reminder.person_id == person.id))).all()
        )


async def test_finishing_the_intake_plans_event_reminders_and_leaving_drops_them(sqlite_db, clock, locale):
    world = await make_world(sqlite_db, clock, locale=locale)
    anna = world.chat("Anna")
    await run(anna, ADEPT, locale)
    assert await _event_rows(sqlite_db, "Anna") == []
    await anna.say("1")  # confirm: the same turn plans the kickoff's reminders, no sweep needed
    rows = await _event_rows(sqlite_db, "Anna")
    assert len(rows) == 3 and {r.status for r in rows} == {"pending"}
    asked = await anna.say("leave")
    await anna.choose(1, asked)
    assert {r.status for r in await _event_rows(sqlite_db, "Anna")} == {"cancelled"}


async def test_tomorrow_only_when_it_is(sqlite_db, clock, locale):
    year = Year(sqlite_db, clock, locale)
    await year.start(announce=False)
    await year["Anna"].say('event add mentor_training 2027-02-22 09:00 place="Digitalt"')  # a Monday
    await year.run_until(date(2027, 2, 23))
    got = year.received("Frida", "scheduler/event_reminder")
    day_before = [text for day, text in got if day == date(2027, 2, 19)]  # the Friday
    assert day_before and SAY[locale]["in3"] in day_before[0] and SAY[locale]["tomorrow"] not in day_before[0]
    assert all(SAY[locale]["tomorrow"] not in text for _, text in got)


async def test_doubtful_dates_are_asked_about_and_past_ones_refused(sqlite_db, clock, locale):
    year = Year(sqlite_db, clock, locale)
    await year.start(announce=False)
    anna, say = year["Anna"], SAY[locale]
    asked = await anna.say("event add closing 2028-02-01 15:00")  # after the end
    assert say["outside"] in texts(asked)
    assert say["nothing"] in texts(await anna.choose(2, asked))
    await anna.choose(1, asked)
    asked = await anna.say("event add closing 2027-07-12")  # a second closing (in July)
    assert say["second"] in texts(asked) and say["outside"] not in texts(asked)
    past = await anna.say("event add inspiration 2027-01-03")
    assert [r.kind for r in past] == ["errors/event_in_past"] and say["past"] in texts(past)
    assert say["past"] in texts(await anna.say("event edit 1 date=2026-12-01"))
    over = await anna.say("program create Gammalt start=2025-01-01 end=2026-01-01")
    assert say["over"] in texts(over)
    started = await anna.say("program create Pågående start=2026-09-01 end=2027-06-30")
    assert say["started"] in texts(started)
    await anna.choose(1, started)
    async with sqlite_db.read() as s:
        kinds = [e.kind for e in (await s.exec(select(ProgramEvent).order_by(ProgramEvent.id))).all()]
        from bot.store.models import Program

        slugs = [p.slug for p in (await s.exec(select(Program))).all()]
    assert kinds == ["closing"]  # only the confirmed one
    assert slugs == ["mentorprogram-2027", "pagaende"]


async def test_finishing_the_intake_keeps_the_surveys_it_plans(sqlite_db, clock, locale):
    """The intake reminder is cancelled in the turn that finishes the intake;
    that must not take the person's surveys (same subject) with it."""
    world = await make_world(sqlite_db, clock, locale=locale)
    await world.chat(COORDINATOR).say('event add inspiration 2027-05-12 13:00 place="Täby kulturhus"')
    anna = world.chat("Anna")
    await run(anna, ADEPT, locale)
    await anna.say("1")  # confirm: the turn plans her reminders
    async with sqlite_db.read() as s:
        rows = (await s.exec(select(Reminder).where(Reminder.kind.in_(("survey", "survey_reminder"))))).all()
    assert sorted((r.key.split(":")[1], r.kind, r.status) for r in rows) == [
        ("closeout", "survey", "pending"),
        ("closeout", "survey_reminder", "pending"),
        ("inspiration", "survey", "pending"),
        ("inspiration", "survey_reminder", "pending"),
    ]
