"""The close-out: at the closing event each member of a running pair is
asked "do you want to go on meeting on your own?" (bot.commands.closeout
takes the answers). Once the question has gone out the program is `closing`."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import lifecycle
from bot.messages import Button, Buttons, Card, Text
from bot.programs import first_event
from bot.reminders.calendar import ProgramCalendar
from bot.reminders.kinds import Skip, pair_and_people, reminder_kind
from bot.reminders.store import Planned, T, run
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    Pairing,
    PairStatus,
    Program,
    ReminderStatus,
)

AFTER_THE_EVENT = timedelta(hours=3)


async def closeout_moment(session: AsyncSession, program: Program) -> datetime:
    """A few hours after the closing event starts, or the end date's morning without one."""
    closing = await first_event(session, program, "closing")
    return closeout_moment_after(program, closing.starts_at if closing is not None else None)


def closeout_moment_after(program: Program, closing_starts: datetime | None) -> datetime:
    """`closeout_moment`, given when the program's first closing event that
    is not cancelled starts (None: it has none)."""
    if closing_starts is not None:
        return closing_starts + AFTER_THE_EVENT
    cal = ProgramCalendar.of(program)
    return cal.nudge_time(cal.working_day_on_or_before(program.end), f"closeout:program{program.id}")


def nudges_stop(program: Program, closeout_due: datetime) -> date:
    """The first day no pair is nudged or reported stalled: the close-out's
    day (the closing event's), or the end date if that is earlier."""
    return min(program.end, ProgramCalendar.of(program).local_day(closeout_due))


async def pairs_stop(session: AsyncSession, program: Program) -> date:
    """`nudges_stop` for a program, reading its closing event."""
    return nudges_stop(program, await closeout_moment(session, program))


def closeout_rows(
    pairing: Pairing, program: Program, due: datetime, enrollments: dict[int, Enrollment]
) -> list[Planned]:
    """The question to each active member of a running pair (`enrollments` by
    id); the planner inserts them with the pair's other rows."""
    if pairing.status != PairStatus.ANNOUNCED or program.status not in lifecycle.RUNNING:
        return []
    rows = []
    for enrollment_id in (pairing.adept_id, pairing.mentor_id):
        enrollment = enrollments.get(enrollment_id)
        if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
            continue
        rows.append(
            Planned(
                key=f"closeout:pair{pairing.id}:person{enrollment.person_id}",
                kind="closeout",
                template="closeout/question",
                due_at=due,
                subject=f"closeout:pair{pairing.id}",
                program_id=program.id,
                person_id=enrollment.person_id,
                context={"pairing_id": pairing.id},
                expires_at=due + timedelta(days=14),
            )
        )
    return rows


async def move_closeout(session: AsyncSession, program: Program, due: datetime | None = None) -> None:
    """The closing event was added or moved: the pending questions move with
    it (to `due`, the close-out's moment, when the caller has read it)."""
    due = due if due is not None else await closeout_moment(session, program)
    await run(
        session,
        sa.update(T)
        .where(
            T.c.program_id == program.id,
            T.c.kind == "closeout",
            T.c.status == ReminderStatus.PENDING.value,
        )
        .values(due_at=due, expires_at=due + timedelta(days=14)),
    )


async def _closing(session: AsyncSession, rows: list, now: datetime) -> None:
    """The close-out has begun: the program is closing."""
    for program_id in {r.program_id for r in rows} - {None}:
        program = await session.get(Program, program_id)
        if program is not None and program.status == lifecycle.ACTIVE:
            program.status = lifecycle.CLOSING
            session.add(program)
    await session.flush()


@reminder_kind("closeout", after_sent=_closing)
async def closeout(session, row, program, person):
    found = await pair_and_people(session, row.context.get("pairing_id"))
    if found is None or found.pairing.status != PairStatus.ANNOUNCED:
        return Skip("the pair is no longer running")
    pairing, adept = found.pairing, found.adept
    partner = found.mentor_person if adept.person_id == row.person_id else found.adept_person
    value = str(pairing.id)

    def card(render, text):
        return Card(
            (
                Text(text),
                Buttons(
                    (
                        Button("continue.yes", render("closeout/button_yes"), value, "primary"),
                        Button("continue.no", render("closeout/button_no"), value),
                    )
                ),
            )
        )

    return {"program": program, "partner": partner.name if partner else "?"}, card
