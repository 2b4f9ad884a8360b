"""Event reminders: each of an event's offsets, to each person of its
audience and to the program's channel (the planner's first part; see
bot/reminders/planner.py for the entry points)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.addresses import program_channel
from bot.lifecycle import RUNNING
from bot.outbox import address_to_dict
from bot.reminders.calendar import ProgramCalendar
from bot.reminders.store import (
    _COLUMNS,
    Planned,
    T,
    cancel_ids,
    cancel_pending,
    insert_if_absent,
    reconcile,
    revive,
    rows_of,
    run,
)
from bot.store.models import GONE, Enrollment, EnrollmentStatus, EventRsvp, Program, ProgramEvent, ReminderStatus

AUDIENCE_ROLES = {"all": ("adept", "mentor"), "mentors": ("mentor",), "adepts": ("adept",)}


# One person's rows of one event, built once (its values bound at execution).
_PERSONS_EVENT_ROWS = sa.select(*_COLUMNS).where(
    T.c.subject == sa.bindparam("subject"), T.c.person_id == sa.bindparam("person_id")
)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M")


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


async def _audience(session: AsyncSession, program_id: int, audience: str) -> list[int]:
    roles = AUDIENCE_ROLES.get(audience, AUDIENCE_ROLES["all"])
    query = select(Enrollment.person_id).where(
        Enrollment.program_id == program_id,
        Enrollment.status == EnrollmentStatus.ACTIVE,
        col(Enrollment.role).in_(roles),
    )
    return sorted(set((await session.exec(query)).all()))


async def told_of_changes(session: AsyncSession, event: ProgramEvent) -> list[int]:
    """Who hears that an event moved or was cancelled: its audience (those
    its reminders go to) except whoever said they are not coming, and
    everyone who said they are coming (a coordinator who pressed "I'm
    coming" too), unless they have since left the program or declined it."""
    audience = set(await _audience(session, event.program_id, event.audience))
    said = dict(
        (await session.exec(select(EventRsvp.person_id, EventRsvp.coming).where(EventRsvp.event_id == event.id))).all()
    )
    statuses: dict[int, set[str]] = {}
    for person_id, status in (
        await session.exec(
            select(Enrollment.person_id, Enrollment.status).where(Enrollment.program_id == event.program_id)
        )
    ).all():
        statuses.setdefault(person_id, set()).add(status)
    gone = {p for p, s in statuses.items() if s <= set(GONE)}
    coming = {p for p, yes in said.items() if yes and p not in gone}
    return sorted((audience - {p for p, yes in said.items() if not yes}) | coming)


async def audience_moved(
    session: AsyncSession, event: ProgramEvent, old_audience: str, heard: list[int]
) -> tuple[list[int], list[int]]:
    """After an event's audience changed from `old_audience`: (who no longer
    is in it, of those who heard of it: `heard`, its `told_of_changes`
    before the change; who newly is, to be invited). The answers of all it
    left out are dropped: the event is not theirs any more, so their "I'm
    coming" or "I can't" no longer counts (nor could they answer again, `rsvp`)."""
    old = set(await _audience(session, event.program_id, old_audience))
    new = set(await _audience(session, event.program_id, event.audience))
    if old - new:
        left_out = sorted(old - new)
        await run(
            session,
            sa.delete(EventRsvp).where(col(EventRsvp.event_id) == event.id, col(EventRsvp.person_id).in_(left_out)),
        )
    told_now = set(await told_of_changes(session, event))
    return sorted((old - new) & set(heard)), sorted((new - old) & told_now)


async def unanswered_events(
    session: AsyncSession, mine: list[tuple[Enrollment, Program]], person_id: int, now: datetime
) -> list[tuple[ProgramEvent, Program]]:
    """The coming events this person was asked about and has not answered:
    an event of a running program they take part in (`mine`: their
    enrollments), for their role, not cancelled, that a reminder with the
    "I'm coming / I can't come" buttons went out to them for, with no answer
    of theirs yet. `home` offers the buttons again. Soonest first."""
    programs = {e.program_id: p for e, p in mine if p.status in RUNNING and e.status == EnrollmentStatus.ACTIVE}
    if not programs:
        return []
    upcoming = (
        await session.exec(
            select(ProgramEvent)
            .where(
                col(ProgramEvent.program_id).in_(list(programs)),
                col(ProgramEvent.cancelled).is_(False),
                ProgramEvent.starts_at > now,
            )
            .order_by(col(ProgramEvent.starts_at), col(ProgramEvent.id))
        )
    ).all()
    events = [
        ev for ev in upcoming if any(in_audience(e, ev.audience) for e, _ in mine if e.program_id == ev.program_id)
    ]
    if not events:
        return []
    asked = set(
        (
            await run(
                session,
                sa.select(T.c.subject).where(
                    T.c.subject.in_([f"event:{ev.id}" for ev in events]),
                    T.c.person_id == person_id,
                    T.c.status == ReminderStatus.SENT,
                ),
            )
        )
        .scalars()
        .all()
    )
    answered = set(
        (
            await session.exec(
                select(EventRsvp.event_id).where(
                    EventRsvp.person_id == person_id, col(EventRsvp.event_id).in_([ev.id for ev in events])
                )
            )
        ).all()
    )
    return [(ev, programs[ev.program_id]) for ev in events if f"event:{ev.id}" in asked and ev.id not in answered]


def in_audience(enrollment: Enrollment, audience: str) -> bool:
    """Whether an enrollment is one of an event's audience (`_audience`, in Python)."""
    return enrollment.status == EnrollmentStatus.ACTIVE and enrollment.role in AUDIENCE_ROLES.get(
        audience, AUDIENCE_ROLES["all"]
    )


def event_rows(program: Program, event: ProgramEvent, people: list[int]) -> list[Planned]:
    """Reminders for one event: each offset, to each person and the channel.

    A reminder is too late to be useful (it expires instead of being sent)
    once the day of the event's next, nearer reminder has begun, so a
    dispatcher that was down sends one reminder, not "in 7 days" and
    "tomorrow" together; the nearest one expires when the event starts. What
    is sent counts the days from the moment it is sent (`bot.reminders.kinds`)."""
    cal = ProgramCalendar.of(program)
    event_day = cal.local_day(event.starts_at)
    base = f"event:{event.id}@{_stamp(event.starts_at)}"
    channel = program_channel(program)
    recipients: list[tuple[str, int | None, dict | None]] = [(f"person{p}", p, None) for p in people]
    if channel is not None:
        recipients.append(("channel", None, address_to_dict(channel)))
    rows = []
    offsets = sorted({int(o) for o in (program.reminder_offsets or [])}, reverse=True)
    days = [
        event_day if offset == 0 else cal.working_day_on_or_before(event_day - timedelta(days=offset))
        for offset in offsets
    ]
    for offset, day, nearer in zip(offsets, days, [*days[1:], None], strict=True):
        expires = event.starts_at if nearer is None else min(cal.at(nearer, time(0, 0)), event.starts_at)
        for suffix, person_id, address in recipients:
            key = f"{base}:{offset}d:{suffix}"
            due = cal.morning_time(day, key)
            if offset == 0:
                due = min(due, event.starts_at - timedelta(hours=1))
            rows.append(
                Planned(
                    key=key,
                    kind="event",
                    template="scheduler/event_reminder",
                    due_at=due,
                    subject=f"event:{event.id}",
                    program_id=program.id,
                    person_id=person_id,
                    address=address,
                    context={
                        "event_id": event.id,
                        "offset": offset,
                        "starts_at": utc_iso(event.starts_at),
                        "day": day.isoformat(),
                    },
                    expires_at=expires,
                )
            )
    return rows


async def plan_event(session: AsyncSession, event: ProgramEvent, now: datetime, program: Program | None = None) -> int:
    """(Re-)plan one event's reminders; after an edit the old rows are
    cancelled and new ones planned, after a removal all pending ones cancelled."""
    program = program or await session.get(Program, event.program_id)
    subject = f"event:{event.id}"
    if event.cancelled or program is None or program.status not in RUNNING or event.starts_at <= now:
        await cancel_pending(session, subject, set())
        return 0
    wanted = event_rows(program, event, await _audience(session, event.program_id, event.audience))
    # A reminder whose moment has passed ("in a week" three days before) is not planned.
    cancel, fresh, again = await reconcile(
        session,
        await rows_of(session, subject, context=False),  # compared by key and status
        wanted,
        now,
        insert_if=lambda p: p.due_at >= now - timedelta(minutes=5),
    )
    await cancel_ids(session, cancel)
    await revive(session, again)
    return await insert_if_absent(session, fresh, now) + len(again)


async def plan_event_for_person(
    session: AsyncSession, event: ProgramEvent, program: Program, enrollment: Enrollment, now: datetime
) -> int:
    """One person's reminders of one event (after they joined, paused or
    left): the rest of the audience's rows are not read or touched."""
    if event.cancelled or program.status not in RUNNING or event.starts_at <= now:
        return 0  # the whole event's rows are `plan_event`'s
    person_id = enrollment.person_id
    invited = in_audience(enrollment, event.audience)
    wanted = [p for p in event_rows(program, event, [person_id]) if p.person_id == person_id] if invited else []
    existing = list(await run(session, _PERSONS_EVENT_ROWS, {"subject": f"event:{event.id}", "person_id": person_id}))
    cancel, fresh, again = await reconcile(
        session, existing, wanted, now, insert_if=lambda p: p.due_at >= now - timedelta(minutes=5)
    )
    await cancel_ids(session, cancel)
    await revive(session, again)
    return await insert_if_absent(session, fresh, now) + len(again)
