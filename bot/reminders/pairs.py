"""A pair's reminders: its next nudge, the weekly digest that would report
it stalling, and "go on on your own?" at the closing event (subject
"pair:N"). The planner (bot/reminders/planner.py) calls these for one pair
after a change, and for every changed pair in its sweep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.lifecycle import CLOSING, RUNNING
from bot.programs import closing_starts
from bot.reminders.calendar import ProgramCalendar, spread_seconds
from bot.reminders.store import Planned, cancel_ids, cancel_pending, insert_if_absent, revive, rows_of
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    Meeting,
    Pairing,
    PairStatus,
    Program,
    Reminder,
    ReminderStatus,
)
from bot.store.rows import fetch, pk

# Rows whose round "happened": the send was attempted or given up on.
HAPPENED = (ReminderStatus.CLAIMED, ReminderStatus.SENT, ReminderStatus.FAILED, ReminderStatus.EXPIRED)
NUDGE_EXPIRES_AFTER = timedelta(days=3)
PAIR_KINDS = ("nudge", "stall")  # the rows the planner keeps for a pair (subject "pair:N")


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


def next_nudge_day(
    program: Program, pairing: Pairing, state: PairState, today: date, stop: date | None = None
) -> tuple[date, date] | None:
    """(round day, "since" day) of the next nudge, or None when none is due
    before `stop` (the close-out's day, `bot.reminders.closeout.nudges_stop`)
    or the program's end; none at all once the close-out has begun."""
    if program.status == CLOSING:  # "thank you for the year" has gone out: no more "have you met?"
        return None
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
    if target >= min(program.end, stop or program.end):  # the closing is not a day to be nudged, nor after it
        return None
    return target, since


def pair_rows(
    program: Program, pairing: Pairing, people: list[int], state: PairState, now: datetime, stop: date | None = None
) -> list[Planned]:
    cal = ProgramCalendar.of(program)
    today = cal.local_day(now)
    rows: list[Planned] = []
    subject = f"pair:{pairing.id}"
    nxt = next_nudge_day(program, pairing, state, today, stop)
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


# A pair's reads, built once (building a statement costs more than SQLite's
# work on it): the pair with its program, both enrollments and when the
# program's first closing event that is not cancelled starts (as
# `bot.programs.first_event` finds it: the close-out follows it, and nudges
# stop on its day), in one statement; its meetings in another.
_ADEPT, _MENTOR = aliased(Enrollment), aliased(Enrollment)
_CLOSING_STARTS = closing_starts(col(Pairing.program_id)).correlate(Pairing)
# (Typed Any: sqlmodel's `exec` is typed for one entity, SQLAlchemy's `execute` is deprecated there.)
_PAIR_TO_PLAN: Any = (
    sa.select(Pairing, Program, _ADEPT, _MENTOR, _CLOSING_STARTS)
    .outerjoin(Program, col(Program.id) == col(Pairing.program_id))
    .outerjoin(_ADEPT, col(_ADEPT.id) == col(Pairing.adept_id))
    .outerjoin(_MENTOR, col(_MENTOR.id) == col(Pairing.mentor_id))
    .where(col(Pairing.id) == sa.bindparam("pairing_id"))
)
_PAIR_ENROLLMENTS = select(Enrollment).where(
    col(Enrollment.id).in_([sa.bindparam("adept_id"), sa.bindparam("mentor_id")])
)
_PAIR_MEETINGS = select(col(Meeting.held_on)).where(col(Meeting.pairing_id) == sa.bindparam("pairing_id"))


async def _pair_enrollments(session: AsyncSession, pairing: Pairing) -> list[Enrollment]:
    params = {"adept_id": pairing.adept_id, "mentor_id": pairing.mentor_id}
    return list((await session.exec(_PAIR_ENROLLMENTS, params=params)).all())


async def plan_pair(session: AsyncSession, pairing: Pairing | int, now: datetime) -> int:
    """(Re-)plan one pair's next nudge and stall report (the pair, or its id)."""
    from bot.reminders.closeout import closeout_moment_after, closeout_rows, nudges_stop
    from bot.reminders.digest import digest_row

    pairing_id = pairing if isinstance(pairing, int) else pk(pairing)
    found = (await session.exec(_PAIR_TO_PLAN, params={"pairing_id": pairing_id})).first()
    if found is None:  # no such pair (any more)
        return 0
    pair, program, adept, mentor, closing_starts = found
    subject = f"pair:{pairing_id}"
    if pair.status != PairStatus.ANNOUNCED or program is None or program.status not in RUNNING:
        await cancel_pending(session, subject, set())
        return 0
    enrollments = [e for e in (adept, mentor) if e is not None]
    meetings = list((await session.exec(_PAIR_MEETINGS, params={"pairing_id": pairing_id})).all())
    # Only the pair's own kinds: a failure notice about the pair (same subject) is not the planner's to cancel.
    rows = await rows_of(session, subject, kinds=PAIR_KINDS)
    closeout_due = closeout_moment_after(program, closing_starts)
    cancel, fresh, again = pair_changes(
        program, pair, enrollments, meetings, rows, now, nudges_stop(program, closeout_due)
    )
    await cancel_ids(session, cancel)
    await revive(session, again)
    # One INSERT: the nudge, the weekly digest that would report the pair
    # stalling, and "go on on your own?" at the closing event.
    digest = digest_row(program, now)
    fresh += [digest] if digest else []
    fresh += closeout_rows(pair, program, closeout_due, {pk(e): e for e in enrollments})
    return await insert_if_absent(session, fresh, now) + len(again)


def pair_changes(program, pairing, enrollments, meetings, rows, now, stop: date | None = None):
    cal = ProgramCalendar.of(program)
    state = pair_state(cal, pairing, enrollments, meetings, rows, now)
    people = [e.person_id for e in sorted(enrollments, key=lambda e: e.role) if e.status == EnrollmentStatus.ACTIVE]
    wanted = pair_rows(program, pairing, people, state, now, stop)
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
    enrollments = await _pair_enrollments(session, pairing)
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
