"""An event whose audience changes: those it no longer is for, of those who
heard of it, are told so with a file that takes it out of their calendar
(the same UID, a higher SEQUENCE, METHOD:CANCEL, STATUS:CANCELLED), those
it now is for are invited as by `event add` (the calendar file, the "I'm
coming / I can't" buttons), and the coordinator's reply counts both. A
later `event remove` tells the new audience, not the old one again.
Swedish and English."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from bot.markup import strip_marks
from bot.messages import Buttons
from bot.store.models import EventRsvp
from tests.core.harness import texts
from tests.life.helpers import Year, started_year
from tests.life.test_event_changes import STHLM, _add, _ics, _told

SAY = {
    "sv": {
        "regrouped": (
            "Den gäller nu mentorerna: 2 personer har fått besked om att den inte längre är för dem, med en fil "
            "som tar bort den ur kalendern, och 3 personer har fått en inbjudan med kalenderfil."
        ),
        "not_for_you": "Ändrat i Mentorprogram 2027: *Lunch & learn* ",
        "only": "är nu bara för mentorerna, så den gäller inte längre dig.",
        "invited": "Ny träff i Mentorprogram 2027: *Lunch & learn*",
        "removed": "3 personer har fått besked om att den är inställd",
        "nobody": "ingen har fått besked",
        "all": "Den gäller nu alla deltagare: 0 personer har fått besked",
        "told2": "2 personer har fått besked om ändringen",
    },
    "en": {
        "regrouped": (
            "It is now for the mentors: 2 people have been told it is no longer for them, with a file that "
            "takes it out of their calendar, and 3 people have been invited, with a calendar file."
        ),
        "not_for_you": "Changed in Mentorprogram 2027: *Lunch & learn* ",
        "only": "is now for the mentors only, so it is no longer for you.",
        "invited": "New event in Mentorprogram 2027: *Lunch & learn*",
        "removed": "3 people have been told it is cancelled",
        "nobody": "nobody was told",
        "all": "It is now for every participant: 0 people have been told",
        "told2": "2 people have been told of the change",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = await started_year(sqlite_db, clock, request.param, SAY)
    await _add(y, "event add custom 2027-02-10 13:00 title=Fika")  # event numbers are not list positions
    await y["Anna"].say("event remove 1 confirm=yes")
    return y


def _buttons(message) -> list[str]:
    blocks = message.card.blocks if message.card is not None else ()
    return [b.action_id for block in blocks if isinstance(block, Buttons) for b in block.buttons]


async def _lunch(year: Year, audience: str = "adepts"):
    line = f'event add custom 2027-03-01 10:00 title="Lunch & learn" audience={audience} place="Room 1"'
    event = await _add(year, line)
    assert event.id == 2 and set(_told(year, "events/added")) == {"Cecilia", "David", "Erik"}
    return event


async def test_the_mentees_are_told_it_is_not_theirs_and_the_mentors_are_invited(year):
    anna = year["Anna"]
    event = await _lunch(year)
    _, first = _ics(_told(year, "events/added")["Cecilia"])
    await year["Cecilia"].click("rsvp.yes", str(event.id))
    await year["David"].click("rsvp.no", str(event.id))  # said he cannot come: not told again

    reply = await anna.say(f"event edit {event.id} audience=mentors")
    assert [r.kind for r in reply] == ["commands/event_edited"]
    assert year.say["regrouped"] in reply[0].text and year.say["nobody"] not in reply[0].text, reply[0].text

    gone = _told(year, "events/not_for_you")
    assert set(gone) == {"Cecilia", "Erik"}
    text = strip_marks(gone["Cecilia"].text)
    assert text.startswith(year.say["not_for_you"]) and year.say["only"] in text, text
    assert _buttons(gone["Cecilia"]) == []  # nothing to answer
    cal, item = _ics(gone["Cecilia"])
    assert str(cal["method"]) == "CANCEL" and str(item["status"]) == "CANCELLED"
    assert str(item["uid"]) == str(first["uid"]) and int(item["sequence"]) == int(first["sequence"]) + 1 == 1

    invited = _told(year, "events/added")
    assert set(invited) == {"Frida", "Gustav", "Hanna"}
    assert strip_marks(invited["Frida"].text).startswith(year.say["invited"])
    assert _buttons(invited["Frida"]) == ["rsvp.yes", "rsvp.no"]
    cal, item = _ics(invited["Frida"])
    assert "method" not in cal and "status" not in item
    assert str(item["uid"]) == str(first["uid"]) and int(item["sequence"]) == 1
    async with year.db.read() as s:
        assert (await s.exec(select(EventRsvp).where(EventRsvp.event_id == event.id))).all() == []

    # Removed now, it is the mentors who hear it is cancelled, not the mentees again.
    removed = await anna.say(f"event remove {event.id} confirm=yes")
    assert year.say["removed"] in removed[0].text, texts(removed)
    assert set(_told(year, "events/cancelled")) == {"Frida", "Gustav", "Hanna"}


async def test_a_wider_audience_and_a_new_time_invite_the_new_and_tell_the_others_of_the_move(year):
    event = await _lunch(year)
    reply = await year["Anna"].say(f"event edit {event.id} audience=all date=2027-03-02")
    text = reply[0].text
    assert year.say["all"] in text and year.say["told2"] not in text, text
    invited = _told(year, "events/added")
    assert set(invited) == {"Frida", "Gustav", "Hanna"}  # invited at the new time, not told it moved
    assert set(_told(year, "events/changed")) == {"Cecilia", "David", "Erik"}
    _, item = _ics(invited["Gustav"])
    assert item["dtstart"].dt == datetime(2027, 3, 2, 10, 0, tzinfo=STHLM)
    assert _told(year, "events/not_for_you") == {}
