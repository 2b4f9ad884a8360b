"""The periodic sweep that re-plans every running program, touching only the
pairs and events whose state changed since the sweep before.

Turns and the dispatcher's after-send hooks re-plan what they change in
their own transaction; the sweep is the safety net (a crash between two
steps, a program that started or ended, rows planned by an older version).
A `Sweep` remembers, per pair, what decided its plan when it last looked: the
program's nudge settings and its close-out's moment (its closing event: nudges
stop on that day), the pair's status, its members' status and pause, its
meetings (count, newest) and its nudge, stall and close-out rows (count,
newest, how many pending, how many cancelled), all read with two grouped
statements and one for the closing event per program. A pair that looks the
same is not read or re-planned.
A pair's own re-planning changes its rows, so it is looked at once more on
the next sweep (a no-op) and then left alone until something changes.

An event is re-planned when the program (any of its settings), the event,
whether it has begun, its audience (the active enrollments of its roles) or
its rows (counted the same way, in one grouped statement per program)
changed since the last look.

The first sweep of a process (and `plan_all`, which remembers nothing)
re-plans everything: a restart re-checks the whole plan.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.lifecycle import RUNNING
from bot.reminders.closeout import closeout_moment, move_closeout
from bot.reminders.events import in_audience
from bot.reminders.planner import PAIR_KINDS, plan_program
from bot.reminders.store import T, run
from bot.store.models import Enrollment, Meeting, Pairing, Program, ProgramEvent, ReminderStatus
from bot.store.rows import one_of, pk, table_of

_PENDING, _CANCELLED = ReminderStatus.PENDING.value, ReminderStatus.CANCELLED.value


def _summary(*where):
    """Per subject: how many rows, the newest, how many pending, how many cancelled."""
    return (
        sa.select(
            T.c.subject,
            sa.func.count(),
            sa.func.max(T.c.id),
            sa.func.sum(sa.case((T.c.status == _PENDING, 1), else_=0)),
            sa.func.sum(sa.case((T.c.status == _CANCELLED, 1), else_=0)),
        )
        .where(T.c.program_id == sa.bindparam("program_id"), *where)
        .group_by(T.c.subject)
    )


_PAIR_ROWS = _summary(one_of(T.c.kind, (*PAIR_KINDS, "closeout")))
_EVENT_ROWS = _summary(T.c.kind == "event")


def _values(row) -> tuple:
    """Every column's value of an ORM row (what it would store)."""
    return tuple(getattr(row, column.key) for column in table_of(type(row)).columns)


class Sweep:
    def __init__(self) -> None:
        self._seen: dict[int | tuple[str, int], object] = {}  # pairing id, ("event", id), ("closeout", program id)
        self.replanned = 0  # pairs re-planned by the last run (for tests and logs)
        self.events_replanned = 0  # and events

    async def run(self, session: AsyncSession, now: datetime) -> int:
        """Re-plan every running program's changed pairs (and each program's
        events, intake reminders, digest and surveys); returns rows offered."""
        self.replanned = self.events_replanned = 0
        inserted = 0
        for program in (await session.exec(select(Program).where(col(Program.status).in_(RUNNING)))).all():

            async def changed(
                pairings: list[Pairing], enrollments: dict[int, Enrollment], program: Program = program
            ) -> set[int]:
                return await self._changed(session, program, pairings, enrollments)

            async def changed_events(
                events: list[ProgramEvent], enrollments: dict[int, Enrollment], program: Program = program
            ) -> set[int]:
                return await self._changed_events(session, program, events, enrollments, now)

            inserted += await plan_program(session, program, now, pairs=changed, events=changed_events)
        return inserted

    async def _changed_events(
        self,
        session: AsyncSession,
        program: Program,
        events: list[ProgramEvent],
        enrollments: dict[int, Enrollment],
        now: datetime,
    ) -> set[int]:
        """The events whose reminders may need re-planning: the program's
        settings, the event, whether it has begun, its audience or its rows
        changed since the last look."""
        rows = {
            subject: tuple(rest)
            for subject, *rest in (await run(session, _EVENT_ROWS, {"program_id": program.id})).all()
        }
        settings = _values(program)
        audiences: dict[str, tuple[int, ...]] = {}
        changed = set()
        for event in events:
            if event.audience not in audiences:
                audiences[event.audience] = tuple(
                    sorted(e.person_id for e in enrollments.values() if in_audience(e, event.audience))
                )
            look = (
                settings,
                _values(event),
                event.starts_at <= now,
                audiences[event.audience],
                rows.get(f"event:{event.id}"),
            )
            if self._seen.get(("event", pk(event))) != look:
                self._seen[("event", pk(event))] = look
                changed.add(pk(event))
        self.events_replanned += len(changed)
        return changed

    async def _changed(
        self, session: AsyncSession, program: Program, pairings: list[Pairing], enrollments: dict[int, Enrollment]
    ) -> set[int]:
        rows = {
            subject: tuple(rest)
            for subject, *rest in (await run(session, _PAIR_ROWS, {"program_id": program.id})).all()
        }
        meetings = {
            pairing_id: (n, newest)
            for pairing_id, n, newest in (
                await session.exec(
                    select(col(Meeting.pairing_id), sa.func.count(), sa.func.max(Meeting.id))
                    .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
                    .where(Pairing.program_id == program.id)
                    .group_by(col(Meeting.pairing_id))
                )
            ).all()
        }
        settings = (
            program.status,
            program.start,
            program.end,
            program.timezone,
            program.country,
            program.nudge_min_days,
            program.nudge_max_days,
            program.first_nudge_days,
            await self._closeout(session, program),  # a closing event added, moved, removed or restored
        )
        changed = set()
        for pairing in pairings:
            members = tuple(
                (e.status, e.paused_until)
                for i in (pairing.adept_id, pairing.mentor_id)
                if (e := enrollments.get(i)) is not None
            )
            look = (
                settings,
                pairing.status,
                pairing.announced_at,
                members,
                meetings.get(pk(pairing)),
                rows.get(f"pair:{pairing.id}"),
                rows.get(f"closeout:pair{pairing.id}"),
            )
            if self._seen.get(pk(pairing)) != look:
                self._seen[pk(pairing)] = look
                changed.add(pk(pairing))
        self.replanned += len(changed)
        return changed

    async def _closeout(self, session: AsyncSession, program: Program):
        """When the program's close-out is (its closing event's, or the end
        date's); when that differs from the last look, the pending close-out
        questions move to it (the commands move them in their own turn; this
        catches a change made behind their back)."""
        moment = await closeout_moment(session, program)
        if self._seen.get(("closeout", pk(program))) != moment:
            self._seen[("closeout", pk(program))] = moment
            await move_closeout(session, program, moment)
        return moment
