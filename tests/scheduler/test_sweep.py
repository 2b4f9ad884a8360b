"""The sweep re-plans only the pairs whose state changed since it last looked
(bot/reminders/sweep.py), and still repairs a plan that went wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from bot.reminders.sweep import Sweep
from bot.store.models import Enrollment, Meeting, ProgramEvent, Reminder
from tests.scheduler.helpers import make_event, make_pair, make_person, make_program

ANNOUNCED = datetime(2027, 1, 25, 9, 0, tzinfo=UTC)


async def _program_with_pairs(db, clock, n: int = 4):
    async with db.write() as s:
        program = await make_program(s)
        pairs = []
        for i in range(n):
            adept = await make_person(s, f"Adept{i}")
            mentor = await make_person(s, f"Mentor{i}")
            pairs.append(await make_pair(s, program, adept, mentor, ANNOUNCED))
    return program, pairs


async def _sweep(db, sweep: Sweep, now) -> int:
    async with db.write() as session:
        await sweep.run(session, now)
    return sweep.replanned


async def _pending_nudges(db, pairing_id: int) -> list[Reminder]:
    async with db.read() as s:
        return list(
            (
                await s.exec(
                    select(Reminder).where(
                        Reminder.subject == f"pair:{pairing_id}", Reminder.kind == "nudge", Reminder.status == "pending"
                    )
                )
            ).all()
        )


async def test_an_unchanged_pair_is_not_replanned_and_a_changed_one_is(any_db, clock):
    _, pairs = await _program_with_pairs(any_db, clock)
    sweep = Sweep()
    now = ANNOUNCED + timedelta(hours=1)
    assert await _sweep(any_db, sweep, now) == 4  # the first sweep plans everything
    assert await _sweep(any_db, sweep, now) == 4  # its own rows changed them: looked at once more
    assert await _sweep(any_db, sweep, now + timedelta(days=1)) == 0  # nothing changed since
    async with any_db.write() as s:  # one pair met
        s.add(Meeting(pairing_id=pairs[2].id, held_on=(now + timedelta(days=2)).date(), minutes=90))
    assert await _sweep(any_db, sweep, now + timedelta(days=3)) == 1


async def test_a_plan_that_went_wrong_is_repaired(any_db, clock):
    _, pairs = await _program_with_pairs(any_db, clock, n=2)
    sweep = Sweep()
    now = ANNOUNCED + timedelta(hours=1)
    await _sweep(any_db, sweep, now)
    await _sweep(any_db, sweep, now)
    assert await _sweep(any_db, sweep, now) == 0
    (first, *_) = await _pending_nudges(any_db, pairs[0].id)
    async with any_db.write() as s:  # e.g. a crash left the pair's next nudge cancelled
        conn = await s.connection()
        await conn.execute(
            sa.update(Reminder.__table__)
            .where(Reminder.__table__.c.subject == f"pair:{pairs[0].id}")
            .values(status="cancelled")
        )
    assert await _pending_nudges(any_db, pairs[0].id) == []
    assert await _sweep(any_db, sweep, now + timedelta(hours=1)) == 1
    assert {r.key for r in await _pending_nudges(any_db, pairs[0].id)} >= {first.key}


async def _pending_event_rows(db, event_id: int) -> set[tuple[int | None, str]]:
    async with db.read() as s:
        rows = (
            await s.exec(select(Reminder).where(Reminder.subject == f"event:{event_id}", Reminder.status == "pending"))
        ).all()
    return {(r.person_id, r.key.rsplit(":", 2)[1]) for r in rows}


async def test_an_unchanged_event_is_not_replanned_and_a_changed_one_is(any_db, clock):
    program, pairs = await _program_with_pairs(any_db, clock, n=2)
    async with any_db.write() as s:
        coaching = await make_event(s, program, "coaching", datetime(2027, 2, 22, 13, 0, tzinfo=UTC), "mentors")
        inspiration = await make_event(s, program, "inspiration", datetime(2027, 5, 12, 13, 0, tzinfo=UTC))
        mentor = await s.get(Enrollment, pairs[0].mentor_id)
        assert mentor is not None
        mentor_person = mentor.person_id
    sweep = Sweep()
    now = ANNOUNCED + timedelta(hours=1)
    await _sweep(any_db, sweep, now)
    assert sweep.events_replanned == 2  # the first sweep plans everything
    await _sweep(any_db, sweep, now)
    assert sweep.events_replanned == 2  # their own new rows changed them: looked at once more
    await _sweep(any_db, sweep, now + timedelta(days=7))
    assert sweep.events_replanned == 0  # nothing changed since
    assert mentor_person in {p for p, _ in await _pending_event_rows(any_db, coaching.id)}

    async with any_db.write() as s:  # a mentor leaves: both events' audiences change
        left = await s.get(Enrollment, pairs[0].mentor_id)
        assert left is not None
        left.status = "left"
        s.add(left)
    await _sweep(any_db, sweep, now + timedelta(days=8))
    assert sweep.events_replanned == 2
    assert mentor_person not in {p for p, _ in await _pending_event_rows(any_db, coaching.id)}
    assert mentor_person not in {p for p, _ in await _pending_event_rows(any_db, inspiration.id)}

    await _sweep(any_db, sweep, now + timedelta(days=9))
    await _sweep(any_db, sweep, now + timedelta(days=10))
    assert sweep.events_replanned == 0
    async with any_db.write() as s:  # the inspiration meeting moves a week
        moved = await s.get(ProgramEvent, inspiration.id)
        assert moved is not None
        moved.starts_at = datetime(2027, 5, 19, 13, 0, tzinfo=UTC)
        s.add(moved)
    await _sweep(any_db, sweep, now + timedelta(days=11))
    assert sweep.events_replanned == 1
    async with any_db.read() as s:
        keys = {
            r.key
            for r in (
                await s.exec(
                    select(Reminder).where(Reminder.subject == f"event:{inspiration.id}", Reminder.status == "pending")
                )
            ).all()
        }
    assert keys and all("@20270519" in key for key in keys), "the moved event's reminders are for its new day"


async def test_rows_of_an_unchanged_event_that_went_missing_are_planned_again(any_db, clock):
    program, _ = await _program_with_pairs(any_db, clock, n=1)
    async with any_db.write() as s:
        inspiration = await make_event(s, program, "inspiration", datetime(2027, 5, 12, 13, 0, tzinfo=UTC))
    sweep = Sweep()
    now = ANNOUNCED + timedelta(hours=1)
    for _ in range(3):
        await _sweep(any_db, sweep, now)
    planned = await _pending_event_rows(any_db, inspiration.id)
    async with any_db.write() as s:  # e.g. a crash left them cancelled
        conn = await s.connection()
        await conn.execute(
            sa.update(Reminder.__table__)
            .where(Reminder.__table__.c.subject == f"event:{inspiration.id}")
            .values(status="cancelled")
        )
    assert await _pending_event_rows(any_db, inspiration.id) == set()
    await _sweep(any_db, sweep, now + timedelta(hours=1))
    assert sweep.events_replanned == 1
    assert await _pending_event_rows(any_db, inspiration.id) == planned


async def test_a_closing_event_moved_in_the_database_replans_the_pairs(any_db, clock):
    """The closing event's day is the day nudges stop: the sweep notices it
    moved (here behind the commands' back) and re-plans every pair."""
    program, pairs = await _program_with_pairs(any_db, clock, n=2)
    async with any_db.write() as s:
        await make_event(s, program, "kickoff", datetime(2027, 2, 1, 13, 0, tzinfo=UTC))  # the closing is not event 1
        closing = await make_event(s, program, "closing", datetime(2027, 12, 14, 14, 0, tzinfo=UTC))
    sweep = Sweep()
    now = ANNOUNCED + timedelta(hours=1)
    for _ in range(3):
        await _sweep(any_db, sweep, now)
    assert sweep.replanned == 0
    planned = {r.key: r.context["round"] for p in pairs for r in await _pending_nudges(any_db, p.id)}
    assert len(planned) == 4  # each member of both pairs
    first = min(planned.values())

    async def move(starts_at: datetime) -> None:
        async with any_db.write() as s:
            moved = await s.get(ProgramEvent, closing.id)
            assert moved is not None
            moved.starts_at = starts_at
            s.add(moved)

    async def pending() -> dict[str, str]:
        return {r.key: r.context["round"] for p in pairs for r in await _pending_nudges(any_db, p.id)}

    async def questions() -> set[datetime]:  # when the pending "go on on your own?" questions are due
        async with any_db.read() as s:
            rows = await s.exec(select(Reminder).where(Reminder.kind == "closeout", Reminder.status == "pending"))
            return {r.due_at for r in rows.all()}

    assert await questions() == {datetime(2027, 12, 14, 17, 0, tzinfo=UTC)}  # three hours into the closing
    await move(datetime.fromisoformat(f"{first}T13:00:00+00:00"))  # to the day of the first round
    assert await _sweep(any_db, sweep, now + timedelta(hours=1)) == 2
    assert await pending() == {}, "no nudge on or after the closing day"
    assert await questions() == {datetime.fromisoformat(f"{first}T16:00:00+00:00")}, "the questions follow it"
    await _sweep(any_db, sweep, now + timedelta(hours=2))
    assert await _sweep(any_db, sweep, now + timedelta(hours=3)) == 0  # and then left alone

    await move(datetime(2027, 12, 14, 14, 0, tzinfo=UTC))  # back in December
    assert await _sweep(any_db, sweep, now + timedelta(hours=4)) == 2
    assert await pending() == planned
