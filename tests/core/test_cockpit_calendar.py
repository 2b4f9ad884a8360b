"""Issue 13, point 7: RSVP buttons on event reminders and `program show`,
counts and names for the coordinator, `.ics` files parsed by icalendar whose
times match the events, and a personal, signed, revocable feed URL served
by `serve`."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiohttp import ClientSession, web
from icalendar import Calendar
from sqlmodel import select

from adapters import downloads
from adapters.console_render import render_text
from adapters.server import RUNTIME, make_runtime
from bot.config import Config, ServerConfig
from bot.messages import Platform
from bot.ports import Delivery
from bot.store.models import EventRsvp, ProgramEvent
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.core.cockpit import cockpit_world, enroll
from tests.core.harness import texts
from tests.fakes.loopback import serve_on_loopback
from tests.scheduler.helpers import RecordingPort

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KICKOFF = datetime(2027, 1, 19, 13, 0, tzinfo=STOCKHOLM)
SAY = {
    "sv": {"coming": "Kommer (1): Cecilia", "not": "Kan inte (1): David", "counts": "kommer: 1, kan inte: 1"},
    "en": {"coming": "Coming (1): Cecilia", "not": "Cannot come (1): David", "counts": "coming: 1, cannot come: 1"},
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)
    await enroll(w, "Cecilia", "adept", "Täby kommun")
    await enroll(w, "David", "adept", "Knivsta kommun")
    w.say = SAY[request.param]
    return w


def _events(ics: bytes):
    return [c for c in Calendar.from_ical(ics).walk("VEVENT")]


def _buttons(message):
    return [b for block in message.card.blocks for b in getattr(block, "buttons", ())]


async def test_event_reminders_carry_rsvp_buttons_and_answers_reach_the_coordinator(world, sqlite_db, clock):
    port = RecordingPort()
    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config())
    await run_until(dispatcher, clock, datetime(2027, 1, 13, tzinfo=UTC))  # the 7-day reminder
    (reminder,) = [m for m in port.to("cecilia") if m.kind == "scheduler/event_reminder"]
    coming, not_coming = _buttons(reminder)
    assert (coming.action_id, not_coming.action_id) == ("rsvp.yes", "rsvp.no")

    (yes,) = await world["Cecilia"].click(coming.action_id, coming.value)
    (ics,) = yes.files
    (event,) = _events(ics.data)
    assert event.decoded("dtstart") == KICKOFF and str(event["location"]) == "Stadshuset"
    await world["David"].click("rsvp.yes", coming.value)
    await world["David"].click("rsvp.no", coming.value)  # the last answer counts
    who = texts(await world["Anna"].say(f"event who {coming.value}"))
    assert world.say["coming"] in who and world.say["not"] in who
    show = (await world["Anna"].say("program show"))[0]
    card_text = " ".join(getattr(b, "text", "") for b in show.card.blocks)
    assert world.say["counts"] in card_text
    assert _buttons(show) == []  # a coordinator who takes no part has nothing to answer (below)
    async with sqlite_db.read() as s:
        assert len((await s.exec(select(EventRsvp))).all()) == 2


async def test_the_program_calendar_matches_the_events(world, sqlite_db):
    (reply,) = await world["Cecilia"].say("calendar")
    (ics,) = reply.files
    events = {str(e["summary"]).split(" – ")[0]: e for e in _events(ics.data)}
    async with sqlite_db.read() as s:
        stored = (await s.exec(select(ProgramEvent).order_by(ProgramEvent.id))).all()
    assert len(events) == len(stored) == 2
    starts = sorted(e.decoded("dtstart") for e in events.values())
    assert starts == [e.starts_at for e in stored]
    assert all(str(e.decoded("dtstart").tzinfo) == "Europe/Stockholm" for e in events.values())
    assert b"BEGIN:VTIMEZONE" in ics.data


async def test_the_personal_feed_is_served_signed_and_revocable(world, sqlite_db, clock):
    runtime = make_runtime(world.core.config, sqlite_db, clock)
    app = web.Application()
    app[RUNTIME] = runtime
    downloads.mount(app, runtime)
    runner, port = await serve_on_loopback(app)
    try:
        (reply,) = await world["Cecilia"].say("calendar")
        # The console shows the bot's own link as the bare URL, on a line of its own.
        (url,) = [line for line in render_text(reply).splitlines() if "/calendar/" in line]
        assert re.fullmatch(r"http://\S+/calendar/\S+\.ics", url)
        path = url.split("/", 3)[3]
        base = f"http://127.0.0.1:{port}/"
        async with ClientSession() as http:
            async with http.get(base + path) as response:
                assert response.status == 200 and response.content_type == "text/calendar"
                # A person's own feed (their program and role): kept by no cache, never sniffed into another type.
                assert response.headers["Cache-Control"] == "no-store"
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                assert len(_events(await response.read())) == 2
            async with http.get(base + path.replace(".ics", "x.ics")) as response:
                assert response.status == 404  # a changed signature
            (again,) = await world["Cecilia"].say("calendar")
            assert url in again.text  # the same feed until revoked
            await world["Cecilia"].say("calendar revoke")
            async with http.get(base + path) as response:
                assert response.status == 404
            (fresh,) = await world["Cecilia"].say("calendar")
            assert url not in fresh.text
    finally:
        await runner.cleanup()


async def test_an_answer_after_the_event_started_is_refused(world, clock):
    clock.advance(timedelta(days=30))
    replies = await world["Cecilia"].click("rsvp.yes", "1")
    assert not replies[0].files


async def test_someone_outside_the_program_gets_no_calendar(world):
    (reply,) = await world["Bo"].say("calendar")
    assert not reply.files and "/calendar/" not in reply.text


async def test_without_a_link_secret_the_calendar_comes_without_a_feed(world, sqlite_db, clock):
    from bot.core import Core
    from bot.store.models import CalendarFeed
    from tests.core.harness import World

    unsigned = World(Core(sqlite_db, replace(world.core.config, server=ServerConfig()), clock))
    (reply,) = await unsigned["Cecilia"].say("calendar")
    (ics,) = reply.files
    assert len(_events(ics.data)) == 2
    assert "/calendar/" not in reply.text and "\n" not in reply.text  # the first sentence alone
    async with sqlite_db.read() as s:
        assert (await s.exec(select(CalendarFeed))).all() == []


# `program show` (new-user finding 22): RSVP buttons are a participant's.
MORE_EVENTS = (
    "event add mentor_training 2027-02-02 13:00",  # mentors only
    'event add custom 2027-03-10 13:00 title="Adeptträff" audience=adepts',
    'event add custom 2027-04-07 13:00 title="Vårträff"',
    'event add custom 2027-09-08 13:00 title="Höstträff"',
    "event add closing 2028-01-12 13:00",
)


async def _program_status(sqlite_db, status: str) -> None:
    from bot.store.models import Program

    async with sqlite_db.write() as s:
        program = (await s.exec(select(Program))).one()
        program.status = status
        s.add(program)


async def _rsvp_events(world, sqlite_db) -> tuple[list[str], list[str]]:
    """(kinds of the events whose buttons `program show` gives Anna, kinds of
    the events whose counts it shows), in order."""
    (show,) = await world["Anna"].say("program show mentorprogram-2027")  # a draft is shown by name
    async with sqlite_db.read() as s:
        kinds = {str(e.id): (e.title or e.kind) for e in (await s.exec(select(ProgramEvent))).all()}
    pressed = [kinds[b.value] for b in _buttons(show) if b.action_id == "rsvp.yes"]
    lines = [line for b in show.card.blocks for line in str(getattr(b, "text", "") or "").splitlines()]
    counted = [
        line for line in lines if "kommer:" in line or "coming:" in line
    ]  # each event once, its counts on its line
    return pressed, counted


async def test_program_show_gives_no_rsvp_buttons_to_a_coordinator_who_takes_no_part(world, sqlite_db):
    for line in MORE_EVENTS:
        await world["Anna"].say(line)
    await _program_status(sqlite_db, "draft")
    pressed, counted = await _rsvp_events(world, sqlite_db)
    assert pressed == [] and len(counted) == 7  # the counts of every upcoming event, no buttons
    await _program_status(sqlite_db, "active")
    pressed, counted = await _rsvp_events(world, sqlite_db)
    assert pressed == [] and len(counted) == 7


async def test_a_taking_part_coordinator_gets_buttons_for_every_upcoming_event_of_her_audience(world, sqlite_db, clock):
    for line in MORE_EVENTS:
        await world["Anna"].say(line)
    await enroll(world, "Anna", "mentor", "Täby kommun")
    await _program_status(sqlite_db, "draft")
    pressed, _ = await _rsvp_events(world, sqlite_db)
    assert pressed == []  # the program is a draft: nothing to answer yet
    await _program_status(sqlite_db, "active")
    clock.set(datetime(2027, 1, 25, 8, 0, tzinfo=UTC))  # the kickoff is over
    pressed, counted = await _rsvp_events(world, sqlite_db)
    # the sixth event (the closing) too; not the adepts' meeting, not the kickoff that was
    assert pressed == ["mentor_training", "Vårträff", "inspiration", "Höstträff", "closing"]
    assert len(counted) == 6
