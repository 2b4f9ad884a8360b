"""A removed event in the calendar files and the feed (RFC 5545/5546): it
stays, STATUS:CANCELLED with its UID and a higher SEQUENCE, until 30 days
after it would have ended, so a calendar that imported or subscribed to it
takes it out; and every file, the cancellation (METHOD:CANCEL) among them,
names the same ORGANIZER, without which Outlook ignores a CANCEL. Files
are parsed with icalendar, the feed fetched from `serve`'s route."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import ClientSession, web
from icalendar import Calendar
from sqlmodel import select

from adapters import downloads
from adapters.console_render import render_text
from adapters.server import RUNTIME, make_runtime
from bot.store.models import ProgramEvent
from tests.core.cockpit import cockpit_world, enroll
from tests.fakes.loopback import serve_on_loopback

ORGANIZER = "mailto:coordinators@mentorprogram-2027.mentorbot"
SAY = {
    "sv": {
        "kept": "Inställda träffar står kvar i den och i länken nedan, markerade som inställda,"
        " tills 30 dagar har gått efter att de skulle ha slutat",
        "cn": "Samordnarna för Mentorprogram 2027",
        "description": "Inställt. Mentorprogram 2027 – Knivsta bibliotek. Tillagt av mentorbot.",
    },
    "en": {
        "kept": "Cancelled events stay in it and in the link below, marked cancelled,"
        " until 30 days have passed after they would have ended",
        "cn": "The coordinators of Mentorprogram 2027",
        "description": "Cancelled. Mentorprogram 2027 – Knivsta bibliotek. Added by mentorbot.",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)  # a kickoff, then an inspiration meeting
    await enroll(w, "Cecilia", "adept", "Täby kommun")
    await enroll(w, "David", "adept", "Knivsta kommun")
    w.say = SAY[request.param]
    return w


async def _inspiration(db) -> ProgramEvent:
    async with db.read() as s:
        return (await s.exec(select(ProgramEvent).where(ProgramEvent.kind == "inspiration"))).one()


def _by_uid(data: bytes) -> dict[str, object]:
    return {str(e["uid"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


async def test_the_program_file_keeps_a_removed_event_marked_cancelled(world, sqlite_db):
    event = await _inspiration(sqlite_db)
    await world["Anna"].say(f"event remove {event.id} confirm=yes")
    (reply,) = await world["Cecilia"].say("calendar")
    (ics,) = reply.files
    events = _by_uid(ics.data)
    removed = events[f"event-{event.id}@mentorprogram-2027.mentorbot"]
    assert len(events) == 2  # the kickoff, and the removed one: not dropped
    assert str(removed["status"]) == "CANCELLED" and int(removed["sequence"]) == 1
    assert str(removed["description"]) == world.say["description"]
    assert world.say["kept"] in reply.text
    kickoff = next(e for uid, e in events.items() if uid != f"event-{event.id}@mentorprogram-2027.mentorbot")
    assert "status" not in kickoff


async def test_the_feed_holds_a_cancelled_event_until_30_days_after_its_end(world, sqlite_db, clock):
    event = await _inspiration(sqlite_db)
    uid = f"event-{event.id}@mentorprogram-2027.mentorbot"
    runtime = make_runtime(world.core.config, sqlite_db, clock)
    app = web.Application()
    app[RUNTIME] = runtime
    downloads.mount(app, runtime)
    runner, port = await serve_on_loopback(app)
    try:
        (reply,) = await world["Cecilia"].say("calendar")
        (url,) = [line for line in render_text(reply).splitlines() if "/calendar/" in line]
        feed = f"http://127.0.0.1:{port}/{url.split('/', 3)[3]}"

        async def fetched() -> dict[str, object]:
            async with ClientSession() as http, http.get(feed) as response:
                assert response.status == 200
                return _by_uid(await response.read())

        assert "status" not in (await fetched())[uid]
        await world["Anna"].say(f"event remove {event.id} confirm=yes")
        cancelled = (await fetched())[uid]
        assert str(cancelled["status"]) == "CANCELLED" and int(cancelled["sequence"]) == 1
        ends = event.starts_at + timedelta(hours=3)
        clock.set(ends + timedelta(days=30) - timedelta(minutes=1))
        assert uid in await fetched()  # still there for a calendar that refreshes rarely
        clock.set(ends + timedelta(days=30))
        assert uid not in await fetched()  # then gone: the feed does not carry the year's cancellations
        assert len(await fetched()) == 1  # the kickoff stays
    finally:
        await runner.cleanup()


async def test_the_cancellation_names_the_organizer_of_the_invitation(world, sqlite_db):
    """RFC 5546: ORGANIZER in a CANCEL; the same one as the file that put the
    event in the calendar (the one sent with "I'm coming"), a synthetic
    address of the program's, with its coordinators as the name."""
    event = await _inspiration(sqlite_db)
    (coming,) = await world["Cecilia"].click("rsvp.yes", str(event.id))
    (invite,) = _by_uid(coming.files[0].data).values()
    await world["Anna"].say(f"event remove {event.id} confirm=yes")
    (told,) = [m for name, m in world["Anna"].told if name == "Cecilia" and m.kind == "events/cancelled"]
    cal = Calendar.from_ical(told.files[0].data)
    (cancel,) = cal.walk("VEVENT")
    assert str(cal["method"]) == "CANCEL"
    for item in (invite, cancel):
        assert str(item["organizer"]) == ORGANIZER
        assert item["organizer"].params["CN"] == world.say["cn"]
    assert str(cancel["uid"]) == str(invite["uid"]) and int(cancel["sequence"]) > int(invite["sequence"])
