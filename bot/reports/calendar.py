"""Program events as iCalendar (`.ics`): one event, the whole program, and a
person's feed (the events of their audience), in the program's time zone with
its place. The `icalendar` package is imported only when a file is made.

Each event's UID is stable (`event-<id>@<program slug>.mentorbot`) and its
SEQUENCE is the event's revision (bumped when it moves, changes place or
title, or is cancelled), so a calendar that imported it before updates it
instead of adding a copy; a cancelled event is sent with STATUS:CANCELLED
(and, as the file of a cancellation notice, METHOD:CANCEL) for the same
reason. DTSTAMP is when the file was made (the injected clock's now).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.programs import audience_includes, zone
from bot.store.models import CalendarFeed, Enrollment, Person, Program, ProgramEvent
from bot.store.rows import fetch

DEFAULT_LENGTH = timedelta(hours=3)
ICS = "text/calendar"


def uid(program: Program, event: ProgramEvent) -> str:
    return f"event-{event.id}@{program.slug}.mentorbot"


def to_ics(
    program: Program,
    events: list[ProgramEvent],
    render: Callable[..., str],
    now: datetime,
    *,
    method: str | None = None,
) -> bytes:
    """The events as one calendar file made at `now`; `method="CANCEL"` for
    the file that takes an event out of a calendar (cancelled, or no longer
    for its reader: an audience that changed), each STATUS:CANCELLED."""
    from icalendar import Calendar, Event  # only when a calendar file is made

    tz = zone(program.timezone)
    cal = Calendar()
    cal.add("prodid", "-//mentorbot//mentor program//SV")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", program.name)
    cal.add("x-wr-timezone", program.timezone)
    for ev in events:
        item = Event()
        item.add("uid", uid(program, ev))
        item.add("summary", f"{ev.title or render(f'labels/kind/{ev.kind}')} – {program.name}")
        start = ev.starts_at.astimezone(tz)
        item.add("dtstart", start)
        item.add("dtend", start + DEFAULT_LENGTH)
        item.add("dtstamp", now.astimezone(UTC))
        item.add("sequence", ev.revision or 0)
        if ev.place:
            item.add("location", ev.place)
        item.add("description", render("reports/ics_description", event=ev, program=program))
        if ev.cancelled or method == "CANCEL":  # a cancellation notice: also an event no longer for its reader
            item.add("status", "CANCELLED")
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


async def events_for(session: AsyncSession, program: Program, role: str | None) -> list[ProgramEvent]:
    """The program's events, cancelled ones included (so calendars drop them), for a role."""
    rows = (
        await session.exec(
            select(ProgramEvent).where(ProgramEvent.program_id == program.id).order_by(col(ProgramEvent.starts_at))
        )
    ).all()
    return [e for e in rows if role is None or audience_includes(e.audience, role)]


async def person_feed(session: AsyncSession, feed: CalendarFeed, translator, config, now: datetime) -> bytes:
    """The calendar behind a person's feed URL, in their language."""
    from bot.people import locale_for

    program = await fetch(session, Program, feed.program_id)
    person = await fetch(session, Person, feed.person_id)
    role = (
        await session.exec(
            select(Enrollment.role).where(Enrollment.program_id == program.id, Enrollment.person_id == person.id)
        )
    ).first()
    locale = locale_for(person, program, config)

    def render(name: str, /, **kw) -> str:
        kw.setdefault("tz", program.timezone)
        return translator.render(locale, name, **kw)

    return to_ics(program, await events_for(session, program, role), render, now)
