"""Logging a pair's meetings: which pair a person is in, and one meeting per
pair and day (a double click or both members pressing *We met* log it once)."""

from __future__ import annotations

import functools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError, stale_button
from bot.lifecycle import RUNNING
from bot.reminders.store import dialect_of, insert_new, run
from bot.store.models import Enrollment, Meeting, Pairing, PairStatus, Program
from bot.store.rows import one_of, pk, table_of

# A pair's meeting is about 1.5 h: a length outside this is a typo (600
# for 60, 1 for 1 hour) and is asked again, with the range.
MIN_MINUTES, MAX_MINUTES = 10, 300
DEFAULT_MINUTES = 90


def local_today(program: Program, now: datetime) -> date:
    return now.astimezone(ZoneInfo(program.timezone)).date()


# Built once (building a statement costs more than SQLite's work on it).
_LIVE_PAIRS = (
    select(Pairing, Enrollment, Program)
    .join(Enrollment, (col(Enrollment.id) == col(Pairing.adept_id)) | (col(Enrollment.id) == col(Pairing.mentor_id)))
    .join(Program, col(Program.id) == col(Pairing.program_id))
    .where(
        col(Enrollment.person_id) == sa.bindparam("person_id"),
        col(Pairing.status) == PairStatus.ANNOUNCED,
        one_of(col(Program.status), RUNNING),
    )
    .order_by(col(Pairing.id).desc())
)
_SAME_DAY = select(Meeting).where(
    col(Meeting.pairing_id) == sa.bindparam("pairing_id"),
    col(Meeting.held_on) == sa.bindparam("held_on", type_=table_of(Meeting).c.held_on.type),
)


def program_meetings(program_id: int):
    """Which meetings count for a program, in every figure (the report, the
    cockpit, the export): each meeting logged by one of its pairs, whatever
    its date. None is in the future or before its pair was announced
    (`log_meeting`), but a pair announced before the program starts may meet
    before it too."""
    return (
        select(Meeting)
        .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
        .where(col(Pairing.program_id) == program_id)
    )


async def live_pairs_of(session: AsyncSession, person_id: int) -> list[tuple[Pairing, Enrollment, Program]]:
    """The announced pairs a person is in (as adept or mentor), newest first."""
    return list((await session.exec(_LIVE_PAIRS, params={"person_id": person_id})).all())


async def pair_for_action(
    session: AsyncSession, person_id: int, pairing_id: str | None, *, role: str | None = None
) -> tuple[Pairing, Program]:
    """The pair a button names, checked to be live and to include the clicker
    (as `role`, when the button is only for the adept or the mentor)."""
    for pairing, enrollment, program in await live_pairs_of(session, person_id):
        if str(pairing.id) == str(pairing_id or "") and role in (None, enrollment.role):
            return pairing, program
    raise stale_button()  # not the clicker's pair (in that role), or one that has ended


async def log_meeting(
    session: AsyncSession,
    pairing: Pairing,
    program: Program,
    held_on: date,
    minutes: int,
    logged_by: int | None,
    now: datetime,
) -> tuple[Meeting, bool]:
    """Log a meeting; returns (meeting, created). A second log for the same
    day returns the first one unchanged."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise UserError(
            "nudges/bad_minutes",
            value=minutes,
            low=MIN_MINUTES,
            high=MAX_MINUTES,
            today=local_today(program, now).isoformat(),
        )
    today = local_today(program, now)
    if held_on > today:
        raise UserError("nudges/future_date", held_on=held_on, today=today.isoformat())
    announced = pairing.announced_at.astimezone(ZoneInfo(program.timezone)).date() if pairing.announced_at else None
    if announced and held_on < announced:
        raise UserError("nudges/before_pair", held_on=held_on, announced=announced)
    # Inserted unless the day is logged already (the unique index decides, so two
    # turns at the same moment on PostgreSQL cannot both log it); then read as
    # the session's object either way.
    row = {"pairing_id": pk(pairing), "held_on": held_on, "minutes": minutes, "logged_by": logged_by, "created_at": now}
    created = (await run(session, _log_once(dialect_of(session)), row)).first() is not None
    meeting = (await session.exec(_SAME_DAY, params={"pairing_id": pairing.id, "held_on": held_on})).one()
    return meeting, created


@functools.cache
def _log_once(dialect: str):
    meetings = table_of(Meeting)
    return insert_new(dialect, meetings, ("pairing_id", "held_on")).returning(meetings.c.id)
