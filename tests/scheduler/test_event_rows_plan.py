"""One person's reminders of one event (read when they join, pause or
leave: `bot.reminders.events.plan_event_for_person`, for every event, for
every person of an intake) are found by an index seek on (subject,
person_id), after ANALYZE, on both databases. With an index on `subject`
alone each read went through every participant's rows of the event, so an
intake of N people read N² rows (a 1 000-person year spent seconds there)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bot.reminders.events import _PERSONS_EVENT_ROWS
from bot.store.models import Person, Reminder
from tests.scheduler.test_query_plans import NOW, _plan

PEOPLE = 3_000
EVENTS = 4


async def _fill(db) -> None:
    rows = [
        {
            "key": f"event:{event}:{offset}:person{person}",
            "kind": "event",
            "template": "events/reminder",
            "context": {},
            "status": "pending" if event else "sent",
            "attempts": 0,
            "due_at": NOW + timedelta(days=event, hours=offset),
            "subject": f"event:{event}",
            "person_id": person,
        }
        for event in range(EVENTS)
        for person in range(1, PEOPLE + 1)
        for offset in (1, 7)
    ]
    async with db.write() as session:
        conn = await session.connection()
        await conn.execute(sa.insert(Person.__table__), [{"id": i, "name": f"P{i}"} for i in range(1, PEOPLE + 1)])
        for start in range(0, len(rows), 5000):
            await conn.execute(sa.insert(Reminder.__table__), rows[start : start + 5000])
    async with db.engine.connect() as conn:
        await conn.execute(sa.text("ANALYZE"))
        await conn.commit()


def _seeks_subject_and_person(plan: str, dialect: str) -> bool:
    if dialect == "sqlite":
        return "USING INDEX ix_reminder_subject_person (subject=? AND person_id=?)" in plan
    return "ix_reminder_subject_person" in plan and "Seq Scan" not in plan and "Filter: (person_id" not in plan


async def test_one_persons_rows_of_an_event_are_an_index_seek(any_db):
    await _fill(any_db)
    plan = await _plan(any_db, _PERSONS_EVENT_ROWS, {"subject": "event:2", "person_id": 1234})
    assert _seeks_subject_and_person(plan, any_db.dialect), plan
