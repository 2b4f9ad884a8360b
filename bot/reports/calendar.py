"""Program events as iCalendar (`.ics`): one event, the whole program, and a
person's feed (the events of their audience), in the program's time zone with
its place. The `icalendar` package is imported only when a file is made.

Each event's UID is stable (`event-<id>@<program slug>.mentorbot`) and its
SEQUENCE is the event's revision (bumped when it moves, changes place or
title, or is cancelled), so a calendar that imported it before updates it
instead of adding a copy; a cancelled event is sent with STATUS:CANCELLED
(and, as the file of a cancellation notice, METHOD:CANCEL) for the same
reason. DTSTAMP is when the file was made (the injected clock's now).

A cancelled event stays in the program's file and in a person's feed,
STATUS:CANCELLED with its UID and higher SEQUENCE, until `CANCELLED_KEPT`
after it would have ended (`listed`): a calendar that imported or
subscribed to it before takes it out, however rarely it refreshes, and the
feed does not carry every cancellation of the year.

Every event has the same ORGANIZER, the program's coordinators under a
synthetic address in the UIDs' domain (`organizer`): RFC 5546 requires it
in a CANCEL, and Outlook applies a cancellation only from the organizer of
the event it holds. No address a person typed is ever used.
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
CANCELLED_KEPT = timedelta(days=30)  # a cancelled event's time in the file and feed after its would-be end
ICS = "text/calendar"


def uid(program: Program, event: ProgramEvent) -> str:
    return f"event-{event.id}@{program.slug}.mentorbot"


def organizer(program: Program) -> str:
    """The organizer's calendar address: synthetic, in the UIDs' domain."""
    return f"mailto:coordinators@{program.slug}.mentorbot"


def listed(events: list[ProgramEvent], now: datetime) -> list[ProgramEvent]:
    """The events a program file or feed made at `now` holds: those not
    cancelled, and cancelled ones until `CANCELLED_KEPT` after their end."""
    return [e for e in events if not e.cancelled or e.starts_at + DEFAULT_LENGTH + CANCELLED_KEPT > now]


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
    from icalendar import Calendar, Event, vCalAddress  # only when a calendar file is made

    tz = zone(program.timezone)
    cal = Calendar()
    cal.add("prodid", "-//mentorbot//mentor program//SV")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", program.name)
    cal.add("x-wr-timezone", program.timezone)
    host = vCalAddress(organizer(program))
    host.params["cn"] = render("reports/ics_organizer", program=program)
    for ev in events:
        item = Event()
        item.add("uid", uid(program, ev))
        item.add("summary", f"{ev.title or render(f'labels/kind/{ev.kind}')} – {program.name}")
        start = ev.starts_at.astimezone(tz)
        item.add("dtstart", start)
        item.add("dtend", start + DEFAULT_LENGTH)
        item.add("dtstamp", now.astimezone(UTC))
        item.add("sequence", ev.revision or 0)
        item.add("organizer", host)
        if ev.place:
            item.add("location", ev.place)
        item.add("description", render("reports/ics_description", event=ev, program=program))
        if ev.cancelled or method == "CANCEL":  # a cancellation notice: also an event no longer for its reader
            item.add("status", "CANCELLED")
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()


async def events_for(session: AsyncSession, program: Program, role: str | None) -> list[ProgramEvent]:
    """The program's events, cancelled ones included (`listed` keeps them a
    while, so calendars drop them), for a role."""
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

    return to_ics(program, listed(await events_for(session, program, role), now), render, now)
