"""Turns program and pair state into durable reminder rows (the outbox).

Every entry point is idempotent and cheap: it computes the rows the current
state calls for, inserts the missing ones (insert-if-absent on the unique
`key`), and cancels pending rows that the state no longer calls for. Rows
already sent, failed or expired are history and never touched.

Entry points the rest of the bot calls after a change:

    await plan_program(session, program, now)     # everything of one program
    await plan_event(session, event, now)          # after event add/edit/remove
    await plan_pair(session, pairing, now)         # after announce, meeting, pause
    await plan_intake_reminder(session, enrollment, now)
    await plan_all(session, now)                   # the service's periodic sweep
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.lifecycle import RUNNING
from bot.reminders.calendar import ProgramCalendar, spread_seconds
from bot.reminders.events import plan_event, plan_event_for_person  # events: bot/reminders/events.py
from bot.reminders.store import (  # storage of the rows planned here
    _COLUMNS,
    Planned,
    T,
    cancel_ids,
    cancel_pending,
    insert_if_absent,
    revive,
    rows_of,
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
    Reminder,
    ReminderStatus,
)
from bot.store.rows import fetch, pk

# Rows whose round "happened": the send was attempted or given up on.
HAPPENED = (ReminderStatus.CLAIMED, ReminderStatus.SENT, ReminderStatus.FAILED, ReminderStatus.EXPIRED)
NUDGE_EXPIRES_AFTER = timedelta(days=3)
PAIR_KINDS = ("nudge", "stall")  # the rows the planner keeps for a pair (subject "pair:N")
INTAKE_AFTER_WORKING_DAYS = 3
INTAKE_EXPIRES_AFTER = timedelta(days=14)
# A reminder row addressed to "the coordinators": the dispatcher expands it.
TO_COORDINATORS = "coordinators"


# -------------------------------------------------------------------- pairs


@dataclass
class PairState:
    """What decides a pair's next nudge, read in bulk or for one pair."""

    announced: date
    last_meeting: date | None
    happened_rounds: list[date]
    pending_rounds: list[date]
    snoozed_round: date | None  # a pending "remind me in a week" round
    snoozed_on: date | None
    paused_until: date | None  # the latest pause of either member


def _round_of(row: Reminder) -> date | None:
    value = (row.context or {}).get("round")
    return date.fromisoformat(value) if value else None


def pair_state(
    cal: ProgramCalendar,
    pairing: Pairing,
    enrollments: list[Enrollment],
    meetings: list[date],
    rows: list[Reminder],
    now: datetime,
) -> PairState:
    announced = cal.local_day(pairing.announced_at or now)
    happened, pending, snoozed_round, snoozed_on = set(), set(), None, None
    for row in rows:
        if row.kind != "nudge" or (r := _round_of(row)) is None:
            continue
        if row.status in HAPPENED:
            happened.add(r)
        elif row.status == ReminderStatus.PENDING:
            pending.add(r)
            if row.context.get("snoozed_on"):
                on = date.fromisoformat(row.context["snoozed_on"])
                if snoozed_on is None or on > snoozed_on:
                    snoozed_round, snoozed_on = r, on
    pauses = [e.paused_until for e in enrollments if e.paused_until]
    return PairState(
        announced=announced,
        last_meeting=max(meetings) if meetings else None,
        happened_rounds=sorted(happened),
        pending_rounds=sorted(pending),
        snoozed_round=snoozed_round,
        snoozed_on=snoozed_on,
        paused_until=max(pauses) if pauses else None,
    )


def next_nudge_day(program: Program, pairing: Pairing, state: PairState, today: date) -> tuple[date, date] | None:
    """(round day, "since" day) of the next nudge, or None when none is due
    before the program ends."""
    cal = ProgramCalendar.of(program)
    last_round = state.happened_rounds[-1] if state.happened_rounds else None
    anchors = [d for d in (state.last_meeting, last_round) if d]
    since = max(anchors) if anchors else state.announced
    if (
        state.snoozed_round
        and state.snoozed_on is not None
        and (state.last_meeting is None or state.last_meeting < state.snoozed_on)
    ):
        target = state.snoozed_round
    elif not anchors:
        target = cal.nudge_day_on_or_after(state.announced + timedelta(days=program.first_nudge_days))
    else:
        lo, hi = program.nudge_min_days, max(program.nudge_max_days, program.nudge_min_days)
        gap = lo + spread_seconds(f"pair{pairing.id}:{since}", hi - lo + 1)
        target = cal.nudge_day_in_window(
            since + timedelta(days=lo), since + timedelta(days=hi), since + timedelta(days=gap)
        )
    if state.paused_until and target < state.paused_until:
        target = cal.nudge_day_on_or_after(state.paused_until)
    if target < today:
        later = [r for r in state.pending_rounds if r >= target]
        target = later[0] if later else cal.nudge_day_on_or_after(today)
    if target >= program.end:  # the last day is the closing, not a day to be nudged
        return None
    return target, since


def pair_rows(program: Program, pairing: Pairing, people: list[int], state: PairState, now: datetime) -> list[Planned]:
    cal = ProgramCalendar.of(program)
    today = cal.local_day(now)
    rows: list[Planned] = []
    subject = f"pair:{pairing.id}"
    nxt = next_nudge_day(program, pairing, state, today)
    if nxt is not None:
        day, since = nxt
        snoozed_on = state.snoozed_on if state.snoozed_round == day else None
        for person_id in people:
            key = f"nudge:pair{pairing.id}:{day.isoformat()}:person{person_id}"
            due = cal.nudge_time(day, f"nudge:pair{pairing.id}:{day.isoformat()}")
            context = {"pairing_id": pairing.id, "round": day.isoformat(), "since": since.isoformat()}
            if snoozed_on is not None:
                context["snoozed_on"] = snoozed_on.isoformat()
            rows.append(
                Planned(
                    key=key,
                    kind="nudge",
                    template="nudges/nudge",
                    due_at=due,
                    subject=subject,
                    program_id=program.id,
                    person_id=person_id,
                    context=context,
                    expires_at=due + NUDGE_EXPIRES_AFTER,
                )
            )
    # Stalled pairs are reported in the program's weekly digest (bot.reminders.digest).
    return rows


def _keep_sibling(state: PairState):
    """Pending nudge rows of a round already under way stay (the other member's copy)."""
    last = state.happened_rounds[-1] if state.happened_rounds else None

    def keep(row: Reminder) -> bool:
        r = _round_of(row)
        return row.kind == "nudge" and last is not None and r is not None and r <= last

    return keep


# A pair's reads, built once (building a statement costs more than SQLite's work on it).
_PAIR_ENROLLMENTS = select(Enrollment).where(
    col(Enrollment.id).in_([sa.bindparam("adept_id"), sa.bindparam("mentor_id")])
)
_PAIR_MEETINGS = select(col(Meeting.held_on)).where(col(Meeting.pairing_id) == sa.bindparam("pairing_id"))


async def plan_pair(session: AsyncSession, pairing: Pairing, now: datetime, program: Program | None = None) -> int:
    """(Re-)plan one pair's next nudge and stall report."""
    program = program or await session.get(Program, pairing.program_id)
    subject = f"pair:{pairing.id}"
    if pairing.status != PairStatus.ANNOUNCED or program is None or program.status not in RUNNING:
        await cancel_pending(session, subject, set())
        return 0
    enrollments = list(
        await session.exec(_PAIR_ENROLLMENTS, params={"adept_id": pairing.adept_id, "mentor_id": pairing.mentor_id})
    )
    meetings = list((await session.exec(_PAIR_MEETINGS, params={"pairing_id": pairing.id})).all())
    # Only the pair's own kinds: a failure notice about the pair (same subject) is not the planner's to cancel.
    rows = await rows_of(session, subject, kinds=PAIR_KINDS)
    cancel, fresh, again = _pair_changes(program, pairing, enrollments, meetings, rows, now)
    await cancel_ids(session, cancel)
    await revive(session, again)
    from bot.reminders.closeout import closeout_moment, closeout_rows
    from bot.reminders.digest import digest_row

    # One INSERT: the nudge, the weekly digest that would report the pair
    # stalling, and "go on on your own?" at the closing event.
    digest = digest_row(program, now)
    fresh += [digest] if digest else []
    fresh += closeout_rows(pairing, program, await closeout_moment(session, program), {pk(e): e for e in enrollments})
    return await insert_if_absent(session, fresh, now) + len(again)


def _pair_changes(program, pairing, enrollments, meetings, rows, now):
    cal = ProgramCalendar.of(program)
    state = pair_state(cal, pairing, enrollments, meetings, rows, now)
    people = [e.person_id for e in sorted(enrollments, key=lambda e: e.role) if e.status == EnrollmentStatus.ACTIVE]
    wanted = pair_rows(program, pairing, people, state, now)
    by_key = {r.key: r for r in rows}
    keep_sibling = _keep_sibling(state)
    wanted_keys = {p.key for p in wanted}
    cancel = [
        r.id for r in rows if r.status == ReminderStatus.PENDING and r.key not in wanted_keys and not keep_sibling(r)
    ]
    fresh = [p for p in wanted if p.key not in by_key]
    again = [
        (by_key[p.key].id, p) for p in wanted if p.key in by_key and by_key[p.key].status == ReminderStatus.CANCELLED
    ]
    return cancel, fresh, again


async def snooze_pair(session: AsyncSession, pairing: Pairing, now: datetime, days: int = 7) -> date:
    """ "Remind me in a week": the next nudge moves to the first allowed day
    `days` from today; returns that day."""
    program = await fetch(session, Program, pairing.program_id)
    cal = ProgramCalendar.of(program)
    today = cal.local_day(now)
    day = cal.nudge_day_on_or_after(today + timedelta(days=days))
    enrollments = list(
        (
            await session.exec(select(Enrollment).where(col(Enrollment.id).in_([pairing.adept_id, pairing.mentor_id])))
        ).all()
    )
    key_base = f"nudge:pair{pairing.id}:{day.isoformat()}"
    since = (await _last_meeting(session, pk(pairing))) or cal.local_day(pairing.announced_at or now)
    planned = [
        Planned(
            key=f"{key_base}:person{e.person_id}",
            kind="nudge",
            template="nudges/nudge",
            due_at=cal.nudge_time(day, key_base),
            subject=f"pair:{pairing.id}",
            program_id=program.id,
            person_id=e.person_id,
            context={
                "pairing_id": pairing.id,
                "round": day.isoformat(),
                "since": since.isoformat(),
                "snoozed_on": today.isoformat(),
            },
            expires_at=cal.nudge_time(day, key_base) + NUDGE_EXPIRES_AFTER,
        )
        for e in enrollments
        if e.status == EnrollmentStatus.ACTIVE
    ]
    await cancel_pending(session, f"pair:{pairing.id}", {p.key for p in planned}, kinds=("nudge",))
    await insert_if_absent(session, planned, now)
    return day


async def _last_meeting(session: AsyncSession, pairing_id: int) -> date | None:
    return (await session.exec(select(sa.func.max(Meeting.held_on)).where(Meeting.pairing_id == pairing_id))).first()


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
    started = cal.local_day(enrollment.created_at or now)
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
        inserted += await plan_pair(session, pairing, now, program=program)
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
) -> int:
    """Everything of one program, read in bulk: events, pairs, intake.
    `pairs`, if given, picks which pairs to re-plan from the program's
    pairings and enrollments (the sweep's change check, bot/reminders/sweep.py);
    by default every pair is."""
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
    events = (await session.exec(select(ProgramEvent).where(ProgramEvent.program_id == program.id))).all()
    for event in events:
        inserted += await plan_event(session, event, now, program=program)
    enrollments = {
        pk(e): e for e in (await session.exec(select(Enrollment).where(Enrollment.program_id == program.id))).all()
    }
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
    from bot.reminders.closeout import closeout_moment, closeout_rows

    closeout_due = await closeout_moment(session, program) if live else None
    for pairing in pairings:
        if pairing.id in live:
            assert closeout_due is not None  # computed whenever a pair is live
            asked = {r.key for r in rows[f"closeout:pair{pairing.id}"]}
            fresh += [p for p in closeout_rows(pairing, program, closeout_due, enrollments) if p.key not in asked]
            pair_enrollments = [enrollments[i] for i in (pairing.adept_id, pairing.mentor_id) if i in enrollments]
            c, f, a = _pair_changes(
                program, pairing, pair_enrollments, meetings[pk(pairing)], rows[f"pair:{pairing.id}"], now
            )
            cancel += c
            fresh += f
            again += a
        elif pairing.status not in (PairStatus.DRAFT, PairStatus.APPROVED):
            await cancel_pending(session, f"pair:{pairing.id}", set(), kinds=PAIR_KINDS)
    await cancel_ids(session, cancel)
    await revive(session, again)
    from bot.reminders.digest import plan_digest  # the digest module reads this one's constants
    from bot.reminders.surveys import plan_surveys

    inserted += await plan_digest(session, program, now)
    inserted += await plan_surveys(session, program, now, list(enrollments.values()))
    return inserted + await insert_if_absent(session, fresh, now) + len(again)


async def plan_all(session: AsyncSession, now: datetime) -> int:
    """The periodic sweep: re-plan every active program (idempotent)."""
    inserted = 0
    for program in (await session.exec(select(Program).where(col(Program.status).in_(RUNNING)))).all():
        inserted += await plan_program(session, program, now)
    return inserted
