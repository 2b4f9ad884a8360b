"""What the coordinator's home shows behind each number: stalled pairs, the
waitlist, pending people, undelivered messages and the next event with its
RSVP count. The home command (`bot.commands.home`) turns it into a card whose
rows carry the buttons that act on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.meetings import local_today
from bot.programs import next_event
from bot.reminders.digest import Stalled, stalled_pairs
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    EventRsvp,
    Person,
    Program,
    ProgramEvent,
    Reminder,
    ReminderStatus,
)
from bot.store.rows import pk

ROWS = 5  # rows per list on the home card; the rest is counted


@dataclass
class Waiting:
    enrollment_id: int
    name: str
    reasons: tuple[str, ...] = ()


@dataclass
class Undelivered:
    reminder_id: int
    who: str
    template: str
    error: str | None


@dataclass
class Dashboard:
    stalled: list[Stalled] = field(default_factory=list)  # what the home counts and lists
    waitlist: list[Waiting] = field(default_factory=list)
    pending: list[Waiting] = field(default_factory=list)
    undelivered: list[Undelivered] = field(default_factory=list)
    event: ProgramEvent | None = None
    coming: int = 0
    not_coming: int = 0


async def dashboard(session: AsyncSession, program: Program, now: datetime) -> Dashboard:
    names = dict(
        (
            await session.exec(
                select(Enrollment.id, col(Person.name))
                .join(Person, col(Person.id) == col(Enrollment.person_id))
                .where(Enrollment.program_id == program.id)
            )
        ).all()
    )
    board = Dashboard()
    # One computation for the count, the list and the weekly digest.
    board.stalled = await stalled_pairs(session, program, local_today(program, now))
    for enrollment in (
        await session.exec(select(Enrollment).where(Enrollment.program_id == program.id).order_by(col(Enrollment.id)))
    ).all():
        if enrollment.waitlisted:
            board.waitlist.append(Waiting(pk(enrollment), names.get(pk(enrollment), "?")))
        if enrollment.status == EnrollmentStatus.PENDING:
            board.pending.append(
                Waiting(
                    pk(enrollment),
                    names.get(pk(enrollment), "?"),
                    tuple((enrollment.answers or {}).get("pending_reasons") or ()),
                )
            )
    people = dict((await session.exec(select(Person.id, Person.name))).all())
    for row in (
        await session.exec(
            select(Reminder)
            .where(Reminder.program_id == program.id, Reminder.status == ReminderStatus.FAILED)
            .order_by(col(Reminder.id).desc())
        )
    ).all():
        who = people.get(row.person_id) if row.person_id else (row.address or {}).get("conversation") or "?"
        board.undelivered.append(Undelivered(pk(row), who or "?", row.template, row.last_error))
    board.event = await next_event(session, program, now)
    if board.event is not None:
        answers = (await session.exec(select(EventRsvp.coming).where(EventRsvp.event_id == board.event.id))).all()
        board.coming, board.not_coming = sum(1 for a in answers if a), sum(1 for a in answers if not a)
    return board
