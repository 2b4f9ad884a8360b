"""A pair's meeting of a day is logged once: when both members say "we
met" at the same moment, two turns on PostgreSQL (two replicas, or two
tasks of one) each looked for the day's meeting, found none, and both
inserted one. The unique index (migration 0015) decides now: the second
waits for the first and gets its meeting back, not created."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.meetings import log_meeting
from bot.store.db import Database
from bot.store.models import Meeting, Pairing, Program
from tests.scheduler.helpers import make_pair, make_person, make_program

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
DAY = date(2027, 2, 26)


async def _a_pair(db: Database) -> tuple[int, int, int, int]:
    async with db.write() as s:
        program = await make_program(s)
        anna, bo = await make_person(s, "Anna"), await make_person(s, "Bo")
        pairing = await make_pair(s, program, anna, bo, datetime(2027, 1, 11, 8, 0, tzinfo=UTC))
        return program.id, pairing.id, anna.id, bo.id


@pytest.mark.postgres
async def test_two_members_logging_the_same_day_at_once_log_it_once(pg_db):
    program_id, pairing_id, anna, bo = await _a_pair(pg_db)
    first_logged, second_tried = asyncio.Event(), asyncio.Event()

    async def log(person_id: int, first: bool) -> tuple[int, bool]:
        if not first:
            await first_logged.wait()  # the other turn has logged the day, not yet committed
        async with pg_db.write() as s:
            pairing, program = await s.get(Pairing, pairing_id), await s.get(Program, program_id)
            if not first:
                second_tried.set()
            meeting, created = await log_meeting(s, pairing, program, DAY, 90, person_id, NOW)
            if first:
                first_logged.set()
                await second_tried.wait()
                await asyncio.sleep(0.2)  # the other turn is inside log_meeting now
            return meeting.id, created

    (first_id, first_created), (second_id, second_created) = await asyncio.gather(log(anna, True), log(bo, False))
    assert (first_created, second_created) == (True, False)
    assert first_id == second_id
    async with pg_db.read() as s:
        rows = (await s.exec(select(Meeting).where(Meeting.pairing_id == pairing_id))).all()
    assert [(m.held_on, m.logged_by) for m in rows] == [(DAY, anna)]


async def test_a_day_logged_again_returns_the_first_meeting(any_db):
    program_id, pairing_id, anna, bo = await _a_pair(any_db)
    results = []
    for person_id, minutes in ((anna, 90), (bo, 60)):
        async with any_db.write() as s:
            pairing, program = await s.get(Pairing, pairing_id), await s.get(Program, program_id)
            meeting, created = await log_meeting(s, pairing, program, DAY, minutes, person_id, NOW)
            results.append((created, meeting.minutes, meeting.logged_by))
    assert results == [(True, 90, anna), (False, 90, anna)]


async def test_the_index_refuses_a_second_meeting_of_the_day(any_db):
    _, pairing_id, anna, _ = await _a_pair(any_db)
    async with any_db.write() as s:
        s.add(Meeting(pairing_id=pairing_id, held_on=DAY, minutes=90, logged_by=anna))
    with pytest.raises(sa.exc.IntegrityError):
        async with any_db.write() as s:
            s.add(Meeting(pairing_id=pairing_id, held_on=DAY, minutes=60, logged_by=anna))


async def test_the_upgrade_keeps_the_first_logging_of_a_day_logged_twice(empty_db):
    from bot.store.migrate import upgrade

    await upgrade(empty_db, "0014")
    _, pairing_id, anna, bo = await _a_pair(empty_db)
    async with empty_db.write() as s:
        for day, minutes, by in ((DAY, 90, anna), (DAY, 60, bo), (date(2027, 2, 1), 75, bo), (DAY, 45, bo)):
            s.add(Meeting(pairing_id=pairing_id, held_on=day, minutes=minutes, logged_by=by))
            await s.flush()
    await upgrade(empty_db)
    async with empty_db.read() as s:
        rows = (await s.exec(select(Meeting).order_by(Meeting.id))).all()
    assert [(m.held_on, m.minutes, m.logged_by) for m in rows] == [(DAY, 90, anna), (date(2027, 2, 1), 75, bo)]
