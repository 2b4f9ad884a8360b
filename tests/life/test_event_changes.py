"""An event that moves, changes place or is removed: whoever may be on
their way is told, in their own language, with the event's calendar file
(the same UID, a higher SEQUENCE; a cancellation with METHOD:CANCEL); the
inspiration survey follows its meeting; a late joiner hears of the next
event by its own kind; a new cohort keeps each event's weekday; a time the
clocks skip is refused; an event number of another program is named as
such. Swedish and English."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from adapters.console import TENANT, setup_person
from bot.messages import Address, Outbound, Platform, Where
from bot.reminders.calendar import ProgramCalendar
from bot.store.migrate import upgrade
from bot.store.models import Program, ProgramEvent, Reminder
from tests.core.harness import confirmed, texts
from tests.dialogs.conftest import COORDINATOR, make_world
from tests.dialogs.script import ADEPT, run
from tests.life.helpers import Year, started_year

STHLM = ProgramCalendar().zone
OTHER = {"sv": "en", "en": "sv"}
SAY = {
    "sv": {
        "told5": "5 personer har fått besked",
        "told1": "1 person har fått besked",
        "nobody": "ingen har fått besked",
        "undo": 'Ångra med `träff ändra {id} datum=2027-02-04 tid=13:00 plats="Täby kommunhus, sal A"`',
        "changed": "Ändrat i Mentorprogram 2027",
        "cancelled": "Inställt i Mentorprogram 2027",
        "weeks": "flyttade 53 veckor framåt",
        "skipped": "finns inte",
        "twice": "UTC+02:00",
        "next": "Nästa träff i programmet är *Inspirationsträff*",
        "kickoff": "uppstartsmötet",
        "other": "hör till Mentorprogram 2027",
        "remove_day": "10 mars 2027 kl. 13:00",
        "changed_in": "Ändrat i Mentorprogram 2027: #",
        "remove_told2": "2 personer får besked om att den är inställd",
    },
    "en": {
        "told5": "5 people have been told",
        "told1": "1 person has been told",
        "nobody": "nobody was told",
        "undo": 'To undo it: `event edit {id} date=2027-02-04 time=13:00 place="Täby kommunhus, sal A"`',
        "changed": "Changed in Mentorprogram 2027",
        "cancelled": "Cancelled in Mentorprogram 2027",
        "weeks": "moved 53 weeks on",
        "skipped": "does not exist",
        "twice": "UTC+02:00",
        "next": "The next event in the program is *Inspiration meeting*",
        "kickoff": "kickoff",
        "other": "belongs to Mentorprogram 2027",
        "remove_day": "10 Mar 2027 at 13:00",
        "changed_in": "Changed in Mentorprogram 2027: #",
        "remove_told2": "2 people will be told it is cancelled",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    return await started_year(sqlite_db, clock, request.param, SAY)


async def _events(year: Year) -> list[ProgramEvent]:
    async with year.db.read() as s:
        return list((await s.exec(select(ProgramEvent).order_by(ProgramEvent.id))).all())


async def _add(year: Year, line: str) -> ProgramEvent:
    replies = await year["Anna"].say(line)
    assert [r.kind for r in replies] == ["commands/event_added"], texts(replies)
    return (await _events(year))[-1]


async def _survey_rows(year: Year) -> list[tuple[str, date, str]]:
    """(kind, local day due, status) of the inspiration survey's rows."""
    async with year.db.read() as s:
        rows = (await s.exec(select(Reminder).where(col(Reminder.key).contains(":inspiration:")))).all()
    return [(r.kind, ProgramCalendar().local_day(r.due_at), r.status) for r in rows]


def _ics(message: Outbound):
    [file] = message.files
    assert file.media_type == "text/calendar"
    cal = Calendar.from_ical(file.data)
    [item] = cal.walk("VEVENT")
    return cal, item


def _told(year: Year, kind: str) -> dict[str, Outbound]:
    """What the coordinator's last command sent others, by name, of one kind."""
    return {name: m for name, m in year["Anna"].told if m.kind == kind}


async def test_a_moved_event_is_told_to_who_may_come_in_their_language_with_an_updated_file(year):
    anna = year["Anna"]
    # A number that is not the event's position in any list.
    await _add(year, "event add custom 2027-03-03 13:00 title=Fika")
    await anna.say("event remove 1 confirm=yes")
    event = await _add(year, 'event add kickoff 2027-02-04 13:00 place="Täby kommunhus, sal A"')
    assert event.id == 2
    await year["Erik"].say(f"language {OTHER[year.locale]}")
    rsvp = await year["Cecilia"].click("rsvp.yes", str(event.id))
    _, first = _ics(rsvp[0])
    assert first["dtstamp"].dt == year.clock.now()  # when the file was made, not when the event starts
    assert int(first["sequence"]) == 0
    await year["David"].click("rsvp.no", str(event.id))
    anna.where = Address(Platform.CONSOLE, TENANT, "C-mentor", where=Where.CHANNEL)
    await anna.say("channel")
    anna.where = None

    for name in ("Cecilia", "David"):
        year[name].inbox()  # the pair announcements so far
    year.clock.advance(timedelta(days=2))
    reply = await anna.say(f'event edit {event.id} date=2027-02-05 time=14:00 place="Täby kommunhus, sal B"')
    assert [r.kind for r in reply] == ["commands/event_edited"]
    assert year.say["told5"] in reply[0].text, reply[0].text
    assert year.say["undo"].format(id=event.id) in reply[0].text, reply[0].text
    told = _told(year, "events/changed")
    # The audience but David, who said no; the channel too.
    assert set(told) == {"Cecilia", "Erik", "Frida", "Gustav", "Hanna", "#C-mentor"}
    assert told["Cecilia"].text.startswith(year.say["changed"]) and "sal B" in told["Cecilia"].text
    assert told["Erik"].text.startswith(SAY[OTHER[year.locale]]["changed"])  # his own language
    assert not told["#C-mentor"].files
    cal, item = _ics(told["Cecilia"])
    assert str(item["uid"]) == str(first["uid"])
    assert int(item["sequence"]) == 1
    assert item["dtstart"].dt == datetime(2027, 2, 5, 14, 0, tzinfo=STHLM)
    assert str(item["location"]) == "Täby kommunhus, sal B"
    assert item["dtstamp"].dt == year.clock.now()
    assert "method" not in cal
    assert [m.kind for m in year["Cecilia"].inbox()] == ["events/changed"]
    assert year["David"].inbox() == []

    # The undo the reply offers puts it back, and tells them again.
    back = await anna.say(f'event edit {event.id} date=2027-02-04 time=13:00 place="Täby kommunhus, sal A"')
    assert year.say["told5"] in back[0].text
    _, item = _ics(_told(year, "events/changed")["Cecilia"])
    assert int(item["sequence"]) == 2 and item["dtstart"].dt == datetime(2027, 2, 4, 13, 0, tzinfo=STHLM)


async def test_a_new_title_alone_tells_nobody_but_raises_the_sequence(year):
    anna = year["Anna"]
    event = await _add(year, 'event add inspiration 2027-05-20 13:00 place="Danderyd"')
    reply = await anna.say(f'event edit {event.id} title="Inspirationsdag"')
    assert year.say["nobody"] in reply[0].text
    assert _told(year, "events/changed") == {}
    _, item = _ics((await year["Cecilia"].click("rsvp.yes", str(event.id)))[0])
    assert int(item["sequence"]) == 1 and "Inspirationsdag" in str(item["summary"])


async def test_a_removed_event_is_told_with_a_file_that_cancels_it(year):
    anna = year["Anna"]
    event = await _add(year, 'event add custom 2027-03-10 13:00 title="Nätverksfika" audience=adepts')
    await year["Cecilia"].click("rsvp.yes", str(event.id))
    await year["David"].click("rsvp.no", str(event.id))
    question = await anna.say(f"event remove {event.id}")  # asks first, and nobody hears of it yet
    assert [r.kind for r in question] == ["events/remove_confirm"], texts(question)
    for said in (year.say["remove_day"], "Nätverksfika", year.say["remove_told2"], "Mentorprogram 2027"):
        assert said in question[0].text, (said, question[0].text)
    assert _told(year, "events/cancelled") == {} and not (await _events(year))[-1].cancelled
    reply = await confirmed(anna, f"event remove {event.id}")
    assert [r.kind for r in reply] == ["commands/event_removed"]
    told = _told(year, "events/cancelled")
    assert set(told) == {"Cecilia", "Erik"}  # the adepts but David
    assert "2 " in reply[0].text and told["Cecilia"].text.startswith(year.say["cancelled"])
    cal, item = _ics(told["Cecilia"])
    assert str(cal["method"]) == "CANCEL"
    assert str(item["status"]) == "CANCELLED" and int(item["sequence"]) == 1
    assert str(item["uid"]) == f"event-{event.id}@mentorprogram-2027.mentorbot"


async def test_the_inspiration_survey_follows_its_meeting_when_it_moves(year):
    anna = year["Anna"]
    event = await _add(year, 'event add inspiration 2027-05-20 13:00 place="Danderyd"')
    year.clock.set(datetime(2027, 5, 3, 8, 0, tzinfo=UTC))
    await anna.say(f"event edit {event.id} date=2027-05-27")
    # Moved in the turn of the edit, not only at the next sweep.
    assert {(day, status) for _, day, status in await _survey_rows(year)} == {
        (date(2027, 5, 28), "pending"),
        (date(2027, 6, 4), "pending"),
    }
    await year.run_until(date(2027, 6, 15))
    asked = year.received("Cecilia", "surveys/survey")
    reminded = year.received("Cecilia", "surveys/survey_reminder")
    assert [day for day, _ in asked] == [date(2027, 5, 28)]  # the working day after the meeting, not 21 May
    assert [day for day, _ in reminded] == [date(2027, 6, 4)]


async def test_a_removed_inspiration_meeting_takes_its_survey_along_and_a_new_one_brings_it_back(year):
    anna = year["Anna"]
    event = await _add(year, 'event add inspiration 2027-05-20 13:00 place="Danderyd"')
    await anna.say(f"event remove {event.id} confirm=yes")
    assert {status for _, _, status in await _survey_rows(year)} == {"cancelled"}  # in the turn of the removal
    await year.run_until(date(2027, 6, 1))
    assert year.received("Cecilia", "surveys/survey") == []
    assert year.received("Cecilia", "surveys/survey_reminder") == []
    await _add(year, 'event add inspiration 2027-06-10 13:00 place="Danderyd"')
    await year.run_until(date(2027, 6, 15))
    assert [day for day, _ in year.received("Cecilia", "surveys/survey")] == [date(2027, 6, 11)]


@pytest.mark.parametrize("change", ["moved", "removed"])
async def test_survey_rows_planned_before_a_change_are_put_right_by_the_sweep(sqlite_db, clock, change):
    """A database from before surveys followed their meeting: the meeting
    moved or was removed, its survey rows still wait at the old day."""
    year = Year(sqlite_db, clock, "sv")
    await year.start()
    event = await _add(year, 'event add inspiration 2027-05-20 13:00 place="Danderyd"')
    async with year.db.write() as s:
        stored = await s.get(ProgramEvent, event.id)
        assert stored is not None
        if change == "moved":
            stored.starts_at = datetime(2027, 5, 27, 11, 0, tzinfo=UTC)
        else:
            stored.cancelled = True
        s.add(stored)
    await year.run_until(date(2027, 6, 15))
    asked = [day for day, _ in year.received("Cecilia", "surveys/survey")]
    assert asked == ([date(2027, 5, 28)] if change == "moved" else [])


async def test_a_new_cohort_keeps_each_events_weekday_and_time(year):
    anna = year["Anna"]
    for line in (
        'event add kickoff 2027-02-04 13:00 place="Täby"',
        "event add mentor_training 2027-02-18 09:00",
        "event add inspiration 2027-05-20 13:00",
        "event add closing 2027-11-25 15:00",
    ):
        await _add(year, line)
    # The source started 2027-01-19: 366 days on, which is no whole number of weeks.
    made = await anna.say("program new-cohort mentorprogram-2027 Mentorprogram 2028 start=2028-01-20")
    assert year.say["weeks"].replace("53", "52") in made[0].text, made[0].text
    async with year.db.read() as s:
        new = (await s.exec(select(Program).where(Program.slug == "mentorprogram-2028"))).one()
        copied = (await s.exec(select(ProgramEvent).where(ProgramEvent.program_id == new.id))).all()
    local = sorted(e.starts_at.astimezone(STHLM) for e in copied)
    assert [(d.date(), d.time()) for d in local] == [
        (date(2028, 2, 3), time(13, 0)),
        (date(2028, 2, 17), time(9, 0)),
        (date(2028, 5, 18), time(13, 0)),
        (date(2028, 11, 23), time(15, 0)),
    ]
    assert {d.weekday() for d in local} == {3}  # Thursdays, as they were


async def test_a_cohort_370_days_on_moves_53_weeks(sqlite_db, clock):
    year = Year(sqlite_db, clock, "sv")
    await year.start(start="2027-01-15", announce=False)
    await _add(year, "event add inspiration 2027-05-20 13:00")
    made = await year["Anna"].say("program new-cohort mentorprogram-2027 Mentorprogram 2028 start=2028-01-20")
    assert SAY["sv"]["weeks"] in made[0].text, made[0].text
    copied = [e for e in await _events(year) if e.program_id != 1]
    assert [e.starts_at.astimezone(STHLM).replace(tzinfo=None) for e in copied] == [
        datetime(2028, 5, 25, 13, 0)
    ]  # 371 days on, a Thursday


async def test_a_time_the_clocks_skip_is_refused_and_one_they_show_twice_is_the_first(year):
    anna = year["Anna"]
    refused = await anna.say("event add custom 2027-03-28 02:30 title=Natt")
    assert [r.kind for r in refused] == ["errors/time_skipped"]
    assert year.say["skipped"] in refused[0].text and "03:00" in refused[0].text and "03:30" in refused[0].text
    assert await _events(year) == []
    event = await _add(year, "event add custom 2027-03-29 02:30 title=Natt")
    edit = await anna.say(f"event edit {event.id} date=2027-03-28")
    assert [r.kind for r in edit] == ["errors/time_skipped"]
    assert (await _events(year))[0].starts_at == datetime(2027, 3, 29, 0, 30, tzinfo=UTC)  # unchanged
    added = await anna.say("event add custom 2027-10-31 02:30 title=Natt")
    assert year.say["twice"] in added[0].text and "02:30" in added[0].text
    assert (await _events(year))[-1].starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # the summer-time one


async def test_an_event_number_of_another_program_is_named_as_such(year):
    anna = year["Anna"]
    event = await _add(year, "event add kickoff 2027-02-04 13:00")
    await anna.say("program create Andra 2027 start=2027-02-01 end=2027-12-01")
    await _add(year, "event add kickoff 2027-02-10 13:00 program=andra-2027")
    refused = await anna.say(f"event edit {event.id} date=2027-03-01 program=andra-2027")
    assert [r.kind for r in refused] == ["errors/event_of_other_program"]
    assert year.say["other"] in refused[0].text and "program=mentorprogram-2027" in refused[0].text
    assert (await _events(year))[0].starts_at == datetime(2027, 2, 4, 12, 0, tzinfo=UTC)


async def test_the_number_names_its_event_whichever_program_is_chosen_and_a_new_program_is_chosen(year):
    """Right after `program create` the new program is the one the next
    commands work on (`org add` goes to it, without asking); an event
    number of the other program still names that event: it is changed, and
    the reply says in which program."""
    anna = year["Anna"]
    event = await _add(year, "event add kickoff 2027-02-04 13:00")
    await anna.say("program create Andra 2027 start=2027-02-01 end=2027-12-01")
    added = await anna.say("org add Solna stad")
    assert [r.kind for r in added] == ["commands/org_added"] and "Andra 2027" in added[0].text, texts(added)
    edited = await anna.say(f"event edit {event.id} time=10:00")
    assert [r.kind for r in edited] == ["commands/event_edited"], texts(edited)
    assert year.say["changed_in"] in edited[0].text, edited[0].text
    assert (await _events(year))[0].starts_at == datetime(2027, 2, 4, 9, 0, tzinfo=UTC)


NO_SUCH_EVENT = {
    "sv": ("ingen träff med nummer `999` i något av programmen", "`program visa andra-2027`"),
    "en": ("an event numbered `999` in any of the programs", "`program show andra-2027`"),
}


async def test_with_two_programs_running_an_event_number_decides_the_program(year):
    """Probe 2, item 19: event numbers run across programs, so with two
    programs running and none named, `event edit 999` was asked "which
    program?"; an unknown number is now refused as such, and a known one
    works on its own program (edit, remove, who)."""
    anna = year["Anna"]
    first = await _add(year, "event add kickoff 2027-02-04 13:00")
    await anna.say("program create Andra 2027 start=2027-02-01 end=2027-12-01")
    second = await _add(year, "event add kickoff 2027-02-10 13:00 program=andra-2027")
    missing, alias = NO_SUCH_EVENT[year.locale]
    for line in ("event edit 999 time=10:00", "event remove 999", "event who 999"):
        refused = await anna.say(line)
        assert [r.kind for r in refused] == ["errors/no_such_event"], texts(refused)
        assert missing in refused[0].text and alias in refused[0].text, refused[0].text
    edited = await anna.say(f"event edit {second.id} time=10:00")
    assert [r.kind for r in edited] == ["commands/event_edited"], texts(edited)
    who = await anna.say(f"event who {first.id}")
    assert [r.kind for r in who] == ["events/who"], texts(who)
    removed = await anna.say(f"event remove {first.id} confirm=yes")
    assert [r.kind for r in removed] == ["commands/event_removed"], texts(removed)
    one, two = await _events(year)
    assert one.cancelled and not two.cancelled
    assert two.starts_at == datetime(2027, 2, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_a_late_joiner_hears_of_the_next_event_by_its_kind(sqlite_db, clock, locale):
    world = await make_world(sqlite_db, clock, locale=locale)  # its kickoff is 19 January
    await world.chat(COORDINATOR).say('event add inspiration 2027-05-20 13:00 place="Danderyd"')
    clock.set(datetime(2027, 3, 16, 8, 0, tzinfo=UTC))
    anna = world.chat("Anna")
    await run(anna, ADEPT, locale)
    done = await anna.say("1")
    text = done[-1].text
    assert done[-1].kind == "dialogs/done"
    assert SAY[locale]["next"] in text and "Danderyd" in text, text
    assert SAY[locale]["kickoff"] not in text


async def test_events_that_exist_before_the_revision_column_start_at_zero(empty_db):
    db = empty_db
    await upgrade(db, "0010")
    async with db.write() as s:
        s.add(
            Program(
                slug="p",
                name="P",
                start=date(2027, 1, 1),
                end=date(2027, 12, 1),
                created_at=datetime(2027, 1, 4, tzinfo=UTC),
            )
        )
    async with db.engine.begin() as conn:
        await conn.exec_driver_sql(
            "INSERT INTO program_event (program_id, kind, starts_at, audience, cancelled)"
            " SELECT id, 'kickoff', created_at, 'all', false FROM program"
        )
    await upgrade(db)
    async with db.read() as s:
        [event] = (await s.exec(select(ProgramEvent))).all()
    assert event.revision == 0


async def test_a_remove_question_answered_after_the_event_changed_is_refused_as_stale(year):
    """Coordinator Anna asks to remove the inspiration meeting; Bo moves it
    meanwhile (its people are told it moved); Anna's Yes then names an event
    that no longer is as the question showed it, and removes nothing."""
    anna, bo = year["Anna"], year["Bo"]
    await setup_person(year.core, bo, coordinator=True)
    fika = await _add(year, "event add custom 2027-03-03 13:00 title=Fika")
    meeting = await _add(year, 'event add inspiration 2027-04-22 13:00 place="Danderyd"')
    await anna.say(f"event remove {fika.id} confirm=yes")  # the meeting is first in the list, #2
    await year["Cecilia"].click("rsvp.yes", str(meeting.id))
    question = await anna.say(f"event remove {meeting.id}")
    assert [r.kind for r in question] == ["events/remove_confirm"], texts(question)
    [yes] = [b for b in question[0].card.blocks[-1].buttons if b.action_id == "confirm.confirm"]
    moved = await bo.say(f"event edit {meeting.id} time=10:00")
    assert [r.kind for r in moved] == ["commands/event_edited"] and _told(year, "events/changed") == {}
    assert "Cecilia" in {name for name, m in bo.told if m.kind == "events/changed"}

    stale = await anna.click(yes.action_id, yes.value, on=question[0])
    assert [r.kind for r in stale] == ["errors/stale_action"], texts(stale)
    assert not (await _events(year))[-1].cancelled and anna.told == []  # nobody hears it is cancelled
    # Asked again, with the new time, the Yes removes it.
    reply = await confirmed(anna, f"event remove {meeting.id}")
    assert [r.kind for r in reply] == ["commands/event_removed"] and (await _events(year))[-1].cancelled
