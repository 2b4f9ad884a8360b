"""The weekly stall digest: one message to each coordinator listing the pairs
that have not met for the program's `stall_days`, each with buttons (nudge
the pair, ask how it goes, unpair). A pair stays in the digest every week
until it logs a meeting, pauses or ends; a week with no stalled pair sends
nothing. After each digest the next week's is planned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.lifecycle import ACTIVE
from bot.messages import Button, Buttons, Card, Text
from bot.reminders.calendar import ProgramCalendar
from bot.reminders.closeout import pairs_stop
from bot.reminders.kinds import Skip, reminder_kind
from bot.reminders.planner import TO_COORDINATORS
from bot.reminders.store import Planned, insert_if_absent
from bot.store.models import Enrollment, Meeting, Pairing, PairStatus, Person, Program
from bot.store.rows import pk

DIGEST_WEEKDAY = 0  # Monday (moved to the next allowed day by holidays and quiet periods)
MAX_WITH_BUTTONS = 20  # Slack allows 50 blocks a message; the rest are listed by name only


@dataclass(frozen=True)
class Stalled:
    pairing_id: int
    adept: str
    mentor: str
    since: date
    days: int


async def stalled_pairs(session: AsyncSession, program: Program, today: date) -> list[Stalled]:
    """Announced pairs with no meeting for `stall_days` since their last
    meeting, announcement or the end of a pause; none once the close-out has
    begun, nor on or after the closing event's day or the end date."""
    if program.status != ACTIVE or today >= await pairs_stop(session, program):
        return []
    cal = ProgramCalendar.of(program)
    pairs = list(
        (
            await session.exec(
                select(Pairing)
                .where(col(Pairing.program_id) == program.id, col(Pairing.status) == PairStatus.ANNOUNCED)
                .order_by(col(Pairing.id))
            )
        ).all()
    )
    if not pairs:
        return []
    last = dict(
        (
            await session.exec(
                select(Meeting.pairing_id, sa.func.max(Meeting.held_on))
                .where(col(Meeting.pairing_id).in_([p.id for p in pairs]))
                .group_by(col(Meeting.pairing_id))
            )
        ).all()
    )
    ids = {i for p in pairs for i in (p.adept_id, p.mentor_id)}
    people = {
        e.id: (e, person)
        for e, person in (
            await session.exec(
                select(Enrollment, Person)
                .join(Person, col(Person.id) == col(Enrollment.person_id))
                .where(col(Enrollment.id).in_(ids))
            )
        ).all()
    }
    found = []
    for p in pairs:
        (adept, adept_person), (mentor, mentor_person) = people[p.adept_id], people[p.mentor_id]
        pauses = [e.paused_until for e in (adept, mentor) if e.paused_until]
        if pauses and max(pauses) > today:
            continue
        since = max(
            d
            for d in (
                last.get(pk(p)),
                cal.local_day(p.announced_at) if p.announced_at else None,
                max(pauses) if pauses else None,
            )
            if d
        )
        days = (today - since).days
        if days >= program.stall_days:
            found.append(Stalled(pk(p), adept_person.name, mentor_person.name, since, days))
    return found


def digest_row(program: Program, now: datetime) -> Planned | None:
    """This week's digest (the next Monday from today, or today if it is one)."""
    cal = ProgramCalendar.of(program)
    today = cal.local_day(now)
    monday = today + timedelta(days=(DIGEST_WEEKDAY - today.weekday()) % 7)
    day = cal.nudge_day_on_or_after(monday)
    if day >= program.end or program.status != ACTIVE:  # closing: the close-out has begun, no more reports
        return None
    key = f"digest:program{program.id}:{monday.isoformat()}"
    due = cal.nudge_time(day, key)
    if due < now:  # today's moment has passed: next week's
        return digest_row(program, cal.at(monday + timedelta(days=7), datetime.min.time()))
    return Planned(
        key=key,
        kind="digest",
        template="scheduler/stall_digest",
        due_at=due,
        subject=f"program:{program.id}",
        program_id=program.id,
        context={"to": TO_COORDINATORS, "week": monday.isoformat(), "day": day.isoformat()},
        expires_at=due + timedelta(days=6),
    )


async def plan_digest(session: AsyncSession, program: Program, now: datetime) -> int:
    row = digest_row(program, now)
    return await insert_if_absent(session, [row], now) if row else 0


async def _next_week(session: AsyncSession, rows: list, now: datetime) -> None:
    for program_id in sorted({r.program_id for r in rows} - {None}):
        program = await session.get(Program, program_id)
        if program is not None:
            await plan_digest(session, program, now + timedelta(days=1))


@reminder_kind("digest", after_sent=_next_week, after_expired=_next_week)
async def digest(session, row, program, person):
    today = date.fromisoformat(row.context["day"]) if row.context.get("day") else None
    if program is None or today is None:
        return Skip("no program")
    pairs = await stalled_pairs(session, program, today)
    if not pairs:
        return Skip("no stalled pair this week")

    def card(render, text):
        blocks = [Text(text)]
        for pair in pairs[:MAX_WITH_BUTTONS]:
            value = str(pair.pairing_id)
            blocks.append(Text(render("scheduler/stall_digest_line", pair=pair)))
            blocks.append(
                Buttons(
                    (
                        Button("stall.nudge", render("scheduler/button_stall_nudge"), value, "primary"),
                        Button("stall.ask", render("scheduler/button_stall_ask"), value),
                        Button("stall.unpair", render("scheduler/button_stall_unpair"), value, "danger"),
                    )
                )
            )
        return Card(tuple(blocks))

    return {"program": program, "pairs": pairs, "shown": MAX_WITH_BUTTONS}, card
