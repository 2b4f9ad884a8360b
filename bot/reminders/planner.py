"""Turns program and pair state into durable reminder rows (the outbox).

Every entry point is idempotent and cheap: it computes the rows the current
state calls for, inserts the missing ones (insert-if-absent on the unique
`key`), and cancels pending rows that the state no longer calls for. Rows
already sent, failed or expired are history and never touched.

Entry points the rest of the bot calls after a change:

    await plan_program(session, program, now)     # everything of one program
    await plan_event(session, event, now)          # after event add/edit/remove
    await plan_pair(session, pairing, now)         # after announce, meeting, pause
    await plan_pairs(session, program, now)        # every announced pair, after the closing event changed
    await plan_intake_reminder(session, enrollment, now)
    await plan_all(session, now)                   # the service's periodic sweep
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.lifecycle import RUNNING
from bot.reminders.calendar import ProgramCalendar
from bot.reminders.events import plan_event, plan_event_for_person  # events: bot/reminders/events.py
from bot.reminders.pairs import (  # a pair's rows: bot/reminders/pairs.py; the planner's entry points too
    PAIR_KINDS,
    pair_changes,
    plan_pair,
    snooze_pair,
)
from bot.reminders.store import (  # storage of the rows planned here
    _COLUMNS,
    Planned,
    T,
    cancel_ids,
    cancel_pending,
    insert_if_absent,
    revive,
    run,
)
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    Meeting,
    Pairing,
    PairStatus,
    Program,
    ProgramEvent,
    ReminderStatus,
)
from bot.store.rows import pk

INTAKE_AFTER_WORKING_DAYS = 3
INTAKE_EXPIRES_AFTER = timedelta(days=14)
# A reminder row addressed to "the coordinators": the dispatcher expands it.
TO_COORDINATORS = "coordinators"

__all__ = [
    "PAIR_KINDS",
    "TO_COORDINATORS",
    "plan_all",
    "plan_event",
    "plan_intake_reminder",
    "plan_pair",
    "plan_pairs",
    "plan_person",
    "plan_program",
    "snooze_pair",
]


# ------------------------------------------------------------------- intake


async def plan_intake_reminder(session: AsyncSession, enrollment: Enrollment, now: datetime) -> int:
    """One reminder for an unfinished onboarding dialogue."""
    subject = f"enrollment:{enrollment.id}"
    program = await session.get(Program, enrollment.program_id)
    if (
        enrollment.status not in (EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING)
        or program is None
        or program.status not in RUNNING
    ):
        # Only the intake reminder: the person's surveys share the subject.
        await cancel_pending(session, subject, set(), kinds=("intake",))
        return 0
    return await insert_if_absent(session, [_intake_row(program, enrollment, now)], now)


def _intake_row(program: Program, enrollment: Enrollment, now: datetime) -> Planned:
    cal = ProgramCalendar.of(program)
    # From the invitation: a returning mentor's is sent when the new cohort
    # opens (`program open` marks it), long after the enrollment was made.
    invited = max((d for d in (enrollment.created_at, enrollment.updated_at) if d), default=now)
    started = cal.local_day(invited)
    day = cal.nudge_day_on_or_after(cal.add_working_days(started, INTAKE_AFTER_WORKING_DAYS))
    key = f"intake:enrollment{enrollment.id}"
    due = max(cal.nudge_time(day, key), now)
    return Planned(
        key=key,
        kind="intake",
        template="scheduler/intake_reminder",
        due_at=due,
        subject=f"enrollment:{enrollment.id}",
        program_id=program.id,
        person_id=enrollment.person_id,
        context={"enrollment_id": enrollment.id, "role": enrollment.role},
        expires_at=due + INTAKE_EXPIRES_AFTER,
    )


# ------------------------------------------------------------------- person


async def plan_person(session: AsyncSession, enrollment: Enrollment, now: datetime) -> int:
    """After whatever changes who is in a program (an intake finished, an
    announcement, a pause, a leave): that person's event reminders, pairs and
    intake reminder, in the caller's transaction."""
    program = await session.get(Program, enrollment.program_id)
    if program is None:
        return 0
    inserted = 0
    for event in (
        await session.exec(
            select(ProgramEvent).where(ProgramEvent.program_id == program.id, ProgramEvent.starts_at > now)
        )
    ).all():
        inserted += await plan_event_for_person(session, event, program, enrollment, now)
    for pairing in (
        await session.exec(
            select(Pairing).where((Pairing.adept_id == enrollment.id) | (Pairing.mentor_id == enrollment.id))
        )
    ).all():
        inserted += await plan_pair(session, pairing, now)
    from bot.reminders.surveys import plan_surveys

    inserted += await plan_surveys(session, program, now, [enrollment])
    return inserted + await plan_intake_reminder(session, enrollment, now)


# ------------------------------------------------------------------ program


async def plan_program(
    session: AsyncSession,
    program: Program,
    now: datetime,
    *,
    pairs: Callable[[list[Pairing], dict[int, Enrollment]], Awaitable[set[int]]] | None = None,
    events: Callable[[list[ProgramEvent], dict[int, Enrollment]], Awaitable[set[int]]] | None = None,
) -> int:
    """Everything of one program, read in bulk: events, pairs, intake.
    `pairs` and `events`, if given, pick which of the program's pairings and
    events to re-plan, seeing its enrollments too (the sweep's change check,
    bot/reminders/sweep.py); by default every one is."""
    if program.status not in RUNNING:  # closed: nothing planned for it is sent any more
        await run(
            session,
            sa.update(T)
            .where(
                T.c.program_id == program.id,
                T.c.status == ReminderStatus.PENDING.value,
                T.c.kind.notin_(("message", "failure")),
            )
            .values(status=ReminderStatus.CANCELLED.value, last_error="the program is not running"),
        )
    inserted = 0
    enrollments = {
        pk(e): e for e in (await session.exec(select(Enrollment).where(Enrollment.program_id == program.id))).all()
    }
    program_events = list((await session.exec(select(ProgramEvent).where(ProgramEvent.program_id == program.id))).all())
    if events is not None:
        chosen_events = await events(program_events, enrollments)
        program_events = [e for e in program_events if pk(e) in chosen_events]
    for event in program_events:
        await asyncio.sleep(0)  # each event plans a row per participant
        inserted += await plan_event(session, event, now, program=program)
    onboarding = [
        _intake_row(program, e, now)
        for e in enrollments.values()
        if e.status in (EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING)
    ]
    if onboarding and program.status in RUNNING:
        inserted += await insert_if_absent(session, onboarding, now)
    pairings = list((await session.exec(select(Pairing).where(Pairing.program_id == program.id))).all())
    narrowed = False
    if pairs is not None:
        chosen = await pairs(pairings, enrollments)
        narrowed = len(chosen) < len(pairings)
        pairings = [p for p in pairings if pk(p) in chosen]
    live = {p.id for p in pairings if p.status == PairStatus.ANNOUNCED and program.status in RUNNING}
    meetings: dict[int, list[date]] = defaultdict(list)
    rows: dict[str, list] = defaultdict(list)
    if live:
        by_pair = col(Meeting.pairing_id).in_(live) if narrowed else Pairing.program_id == program.id
        for pairing_id, held_on in (
            await session.exec(
                select(col(Meeting.pairing_id), col(Meeting.held_on))
                .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
                .where(by_pair)
            )
        ).all():
            meetings[pairing_id].append(held_on)
        query = sa.select(*_COLUMNS).where(T.c.program_id == program.id, T.c.kind.in_((*PAIR_KINDS, "closeout")))
        if narrowed:  # only the chosen pairs' rows
            query = query.where(T.c.subject.in_([s for i in live for s in (f"pair:{i}", f"closeout:pair{i}")]))
        for row in (await run(session, query)).all():
            rows[row.subject].append(row)
    cancel: list[int] = []
    fresh: list[Planned] = []
    again: list[tuple[int, Planned]] = []
    from bot.reminders.closeout import closeout_moment, closeout_rows, nudges_stop

    closeout_due = await closeout_moment(session, program) if live else None
    stop = nudges_stop(program, closeout_due) if closeout_due else None
    for n, pairing in enumerate(pairings, 1):
        if n % 200 == 0:
            await asyncio.sleep(0)  # a big program: let the loop answer others meanwhile
        if pairing.id in live:
            assert closeout_due is not None  # computed whenever a pair is live
            asked = {r.key for r in rows[f"closeout:pair{pairing.id}"]}
            fresh += [p for p in closeout_rows(pairing, program, closeout_due, enrollments) if p.key not in asked]
            pair_enrollments = [enrollments[i] for i in (pairing.adept_id, pairing.mentor_id) if i in enrollments]
            c, f, a = pair_changes(
                program, pairing, pair_enrollments, meetings[pk(pairing)], rows[f"pair:{pairing.id}"], now, stop
            )
            cancel += c
            fresh += f
            again += a
        elif pairing.status not in (PairStatus.DRAFT, PairStatus.APPROVED):
            await cancel_pending(session, f"pair:{pairing.id}", set(), kinds=PAIR_KINDS)
    await cancel_ids(session, cancel)
    await revive(session, again)
    from bot.reminders.digest import plan_digest  # the digest module reads this one's constants
    from bot.reminders.surveys import plan_surveys, replan_inspiration_survey

    inserted += await plan_digest(session, program, now)
    # The inspiration survey follows its meeting (moved since it was planned); the close-out's day is the program's.
    inserted += await replan_inspiration_survey(session, program, now, list(enrollments.values()))
    inserted += await plan_surveys(session, program, now, list(enrollments.values()), surveys=("closeout",))
    return inserted + await insert_if_absent(session, fresh, now) + len(again)


async def _announced(pairings: list[Pairing], enrollments: dict[int, Enrollment]) -> set[int]:
    return {pk(p) for p in pairings if p.status == PairStatus.ANNOUNCED}


async def _no_events(events: list[ProgramEvent], enrollments: dict[int, Enrollment]) -> set[int]:
    return set()


async def plan_pairs(session: AsyncSession, program: Program, now: datetime) -> int:
    """Every announced pair of the program, read in bulk (its events left
    alone): after the closing event was added, moved, removed or restored,
    since the day it falls on is the day nudges stop
    (`bot.reminders.closeout.nudges_stop`)."""
    if program.status not in RUNNING:  # no pair of it is nudged: nothing to move
        return 0
    return await plan_program(session, program, now, pairs=_announced, events=_no_events)


async def plan_all(session: AsyncSession, now: datetime) -> int:
    """The periodic sweep: re-plan every active program (idempotent)."""
    inserted = 0
    for program in (await session.exec(select(Program).where(col(Program.status).in_(RUNNING)))).all():
        inserted += await plan_program(session, program, now)
    return inserted
