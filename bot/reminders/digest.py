"""Stalled pairs, and the weekly digest that reports them to the coordinators.

A pair is stalled when it has not met for the program's `stall_days`,
counted from its last meeting, its announcement or the end of a pause
(a pause gives the pair the whole time again), whichever is latest.
`stalled_pairs` is the one computation of it: the coordinator's home counts
and lists what it finds, and the digest reports from it.

The digest is one message to each coordinator, on Mondays, naming the pairs
that have become stalled since the last digest, each with buttons (nudge the
pair, ask how it goes, unpair). A pair is reported once for each quiet spell:
again only after it has met (or paused) and gone quiet for `stall_days`
again; the digest counts the pairs still stalled from earlier weeks and
points to `home`, which lists them all. A week with no newly stalled pair
sends nothing. After each digest the next week's is planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.lifecycle import ACTIVE
from bot.messages import Button, Buttons, Card, Text
from bot.reminders import closeout  # the module: closeout imports kinds, which imports this one
from bot.reminders.calendar import ProgramCalendar
from bot.reminders.kinds import Skip, reminder_kind
from bot.reminders.planner import TO_COORDINATORS
from bot.reminders.store import Planned, insert_if_absent, run
from bot.store.models import Enrollment, Meeting, Pairing, PairStatus, Person, Program
from bot.store.rows import table_of

DIGEST_WEEKDAY = 0  # Monday (moved to the next allowed day by holidays and quiet periods)
MAX_WITH_BUTTONS = 20  # Slack allows 50 blocks a message; the rest are listed by name only


@dataclass(frozen=True)
class Stalled:
    pairing_id: int
    adept: str
    mentor: str
    last_met: date | None  # their last logged meeting; None: they have not met
    announced: date | None  # the day the pair was announced
    since: date  # what the quiet time counts from: the latest of the two and the end of a pause
    days: int  # days without a meeting: since the last meeting, else since the announcement
    paused_until: date | None = None  # a pause that ended after the last meeting (it moved `since`)
    reported_week: str | None = None  # the digest week that reported this quiet spell, if one has


REPORTED = "stall_reported"  # in Pairing.checks: {"since": the spell's start, "week": the digest's Monday}


# What `stalled_pairs` reads of a program, as plain rows (no ORM objects: a
# program's every announced pair, its members and their meetings, read for
# each digest and the coordinator's home), built once.
_P, _E, _PERSON, _M = table_of(Pairing), table_of(Enrollment), table_of(Person), table_of(Meeting)
_LIVE = sa.and_(_P.c.program_id == sa.bindparam("program_id"), _P.c.status == PairStatus.ANNOUNCED.value)
_LIVE_PAIRS = (
    sa.select(_P.c.id, _P.c.adept_id, _P.c.mentor_id, _P.c.announced_at, _P.c.checks).where(_LIVE).order_by(_P.c.id)
)
_LAST_MET = (
    sa.select(_M.c.pairing_id, sa.func.max(_M.c.held_on))
    .join(_P, _P.c.id == _M.c.pairing_id)
    .where(_LIVE)
    .group_by(_M.c.pairing_id)
)
_MEMBERS = (
    sa.select(_E.c.id, _E.c.paused_until, _PERSON.c.name)
    .join(_PERSON, _PERSON.c.id == _E.c.person_id)
    .where(_E.c.program_id == sa.bindparam("program_id"))
)


async def stalled_pairs(session: AsyncSession, program: Program, today: date) -> list[Stalled]:
    """Announced pairs with no meeting for `stall_days` since their last
    meeting, announcement or the end of a pause, the quietest first; none
    once the close-out has begun, nor on or after the closing event's day or
    the end date."""
    if program.status != ACTIVE or today >= await closeout.pairs_stop(session, program):
        return []
    cal = ProgramCalendar.of(program)
    params = {"program_id": program.id}
    pairs = (await run(session, _LIVE_PAIRS, params)).all()
    if not pairs:
        return []
    last = dict((await run(session, _LAST_MET, params)).all())
    people = {row.id: row for row in (await run(session, _MEMBERS, params)).all()}
    found = []
    for p in pairs:
        adept, mentor = people[p.adept_id], people[p.mentor_id]
        pauses = [e.paused_until for e in (adept, mentor) if e.paused_until]
        pause = max(pauses) if pauses else None
        if pause and pause > today:
            continue
        met = last.get(p.id)
        announced = cal.local_day(p.announced_at) if p.announced_at else None
        quiet = max((d for d in (met, announced) if d), default=None)
        since = max((d for d in (quiet, pause) if d), default=None)
        if since is None or (today - since).days < program.stall_days:
            continue
        marker = (p.checks or {}).get(REPORTED) or {}
        found.append(
            Stalled(
                p.id,
                adept.name,
                mentor.name,
                met,
                announced,
                since,
                (today - (quiet or since)).days,
                pause if pause and pause == since and pause != quiet else None,
                marker.get("week") if marker.get("since") == since.isoformat() else None,
            )
        )
    return sorted(found, key=lambda s: (-s.days, s.pairing_id))


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


async def _reported(session: AsyncSession, rows: list, now: datetime) -> None:
    """After a digest went out: its pairs are marked as reported for this
    quiet spell (a coordinator's copy sent later, or sent again, still shows
    them: it is the same week), then next week's is planned."""
    for program_id, week, day in sorted(
        {
            (r.program_id, r.context.get("week"), r.context.get("day"))
            for r in rows
            if r.program_id and r.context.get("day")
        }
    ):
        program = await session.get(Program, program_id)
        if program is None:
            continue
        for pair in await stalled_pairs(session, program, date.fromisoformat(day)):
            if pair.reported_week is None:
                pairing = await session.get(Pairing, pair.pairing_id)
                if pairing is not None:
                    pairing.checks = {
                        **(pairing.checks or {}),
                        REPORTED: {"since": pair.since.isoformat(), "week": week},
                    }
                    session.add(pairing)
    await _next_week(session, rows, now)


def reported_in(pair: Stalled, week: str | None) -> bool:
    """Whether an earlier digest reported this quiet spell (this week's own copies still show it)."""
    return pair.reported_week is not None and pair.reported_week != week


@reminder_kind("digest", after_sent=_reported, after_expired=_next_week)
async def digest(session, row, program, person):
    today = date.fromisoformat(row.context["day"]) if row.context.get("day") else None
    if program is None or today is None:
        return Skip("no program")
    stalled = await stalled_pairs(session, program, today)
    week = row.context.get("week")
    pairs = [p for p in stalled if not reported_in(p, week)]
    if not pairs:
        return Skip("no newly stalled pair this week")
    earlier = len(stalled) - len(pairs)

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

    return {"program": program, "pairs": pairs, "shown": MAX_WITH_BUTTONS, "earlier": earlier}, card
