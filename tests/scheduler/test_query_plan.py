"""The dispatcher's claim and next-due queries seek the (status, due_at)
index instead of scanning the outbox, on both databases."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bench.fanout import claim_plan
from bot.store.models import Reminder


async def test_claim_and_next_due_use_the_status_due_index(any_db):
    now = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    rows = [
        {
            "key": f"future:{i}",
            "kind": "failure",
            "template": "scheduler/unreachable",
            "context": {},
            "due_at": now + timedelta(minutes=i),
            "status": "pending" if i % 10 else "sent",
            "attempts": 0,
        }
        for i in range(20_000)
    ]
    async with any_db.write() as session:
        conn = await session.connection()
        await conn.execute(sa.insert(Reminder.__table__), rows)
        await conn.execute(sa.text("ANALYZE"))
    plan = await claim_plan(any_db, any_db.dialect, now)
    assert plan.count("ix_reminder_status_due") == 2, plan
    assert "SCAN reminder" not in plan and "Seq Scan" not in plan, plan
