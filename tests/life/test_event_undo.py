"""A removed event can be brought back (`event restore N`, `träff återställ
N`, named in the removal's reply): whoever heard it was cancelled hears it
takes place after all, with a calendar file that puts it back (the same UID,
a higher SEQUENCE) and the RSVP buttons, and its reminders are planned
again. A new event in a running program is told to its audience the way a
moved one is: with its calendar file and the RSVP buttons. Swedish and
English, through the console and the real planner."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Reminder, ReminderStatus
from tests.core.harness import texts
from tests.life.helpers import Year, started_year
from tests.life.test_event_changes import _add, _ics, _told

SAY = {
    "sv": {
        "restore": "träff återställ",
        "hint": "Ångra med `träff återställ {id}` (alla som fick beskedet får då veta att den blir av, "
        "med en ny kalenderfil).",
        "told2": "2 personer har fått besked om att den blir av ändå",
        "told6": "6 personer har fått besked om den, med en kalenderfil och svarsknappar",
        "restored": "Blir av ändå i Mentorprogram 2027: *Nätverksfika*",
        "added": "Ny träff i Mentorprogram 2027: *Inspirationsträff*",
        "not_removed": "är inte borttagen, så det finns inget att återställa",
        "unknown": "Jag hittar ingen träff med nummer `99`",
    },
    "en": {
        "restore": "event restore",
        "hint": "To undo it: `event restore {id}` (everyone who was told then hears it takes place, "
        "with a new calendar file).",
        "told2": "2 people have been told it takes place after all",
        "told6": "6 people have been told of it, with a calendar file and answer buttons",
        "restored": "Taking place after all in Mentorprogram 2027: *Nätverksfika*",
        "added": "New event in Mentorprogram 2027: *Inspiration meeting*",
        "not_removed": "has not been removed, so there is nothing to restore",
        "unknown": "I can't find an event numbered `99`",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    return await started_year(sqlite_db, clock, request.param, SAY)


async def _pending_reminders(year: Year, event_id: int) -> list[Reminder]:
    async with year.db.read() as s:
        rows = await s.exec(
            select(Reminder).where(Reminder.subject == f"event:{event_id}", Reminder.status == ReminderStatus.PENDING)
        )
        return list(rows.all())


async def test_a_removed_event_comes_back_and_those_told_hear_it_with_a_file_that_puts_it_back(year):
    anna, say = year["Anna"], year.say
    event = await _add(year, 'event add custom 2027-03-10 13:00 title="Nätverksfika" audience=adepts')
    await year["Cecilia"].click("rsvp.yes", str(event.id))
    await year["David"].click("rsvp.no", str(event.id))
    removed = await anna.say(f"event remove {event.id} confirm=yes")
    assert say["hint"].format(id=event.id) in texts(removed)
    assert set(_told(year, "events/cancelled")) == {"Cecilia", "Erik"}
    assert await _pending_reminders(year, event.id) == []

    reply = await anna.say(f"{say['restore']} {event.id}")
    assert [r.kind for r in reply] == ["commands/event_restored"], texts(reply)
    assert say["told2"] in reply[0].text
    told = _told(year, "events/restored")
    assert set(told) == {"Cecilia", "Erik"}  # who heard of the cancellation: the adepts but David
    assert told["Cecilia"].text.startswith(say["restored"])
    cal, item = _ics(told["Cecilia"])
    assert "method" not in cal and "status" not in item
    assert str(item["uid"]) == f"event-{event.id}@mentorprogram-2027.mentorbot"
    assert int(item["sequence"]) == 2  # removed (1), back (2): a calendar takes it over the cancellation
    assert [b.action_id for b in told["Cecilia"].card.blocks[-1].buttons] == ["rsvp.yes", "rsvp.no"]
    assert await _pending_reminders(year, event.id)  # its reminders, planned again

    assert say["not_removed"] in texts(await anna.say(f"{say['restore']} {event.id}"))
    assert say["unknown"] in texts(await anna.say(f"{say['restore']} 99"))


async def test_a_new_event_is_told_to_its_audience_with_its_file_and_the_rsvp_buttons(year):
    reply = await year["Anna"].say('event add inspiration 2027-05-20 13:00 place="Danderyd"')
    assert [r.kind for r in reply] == ["commands/event_added"], texts(reply)
    assert year.say["told6"] in reply[0].text
    told = _told(year, "events/added")
    assert set(told) == {"Cecilia", "David", "Erik", "Frida", "Gustav", "Hanna"}
    assert told["David"].text.startswith(year.say["added"]) and "Danderyd" in told["David"].text
    _, item = _ics(told["David"])
    assert int(item["sequence"]) == 0 and "Danderyd" in str(item["location"])
    assert [b.action_id for b in told["David"].card.blocks[-1].buttons] == ["rsvp.yes", "rsvp.no"]
