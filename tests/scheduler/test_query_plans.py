"""Every query a dispatcher tick runs keeps an index plan after ANALYZE, on
both databases: with a year planned ahead (pending rows), the sent history
and a few claimed rows, a tick must read what is due and what is claimed,
not scan the table.

The plans are the databases' own (`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN`
on PostgreSQL) for the statements the dispatcher builds
(`scheduler.dispatcher.*_query`), after `ANALYZE` has given the planner the
table's real shape.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.store.models import Reminder
from scheduler.queries import claim_query, next_due_query, reclaim_query, work_query

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
HISTORY = 30_000
SERVED = frozenset({"slack", "teams"})


async def _fill(db) -> None:
    table = Reminder.__table__
    rows = []
    for i in range(2 * HISTORY + 20):
        # Sent history, then a year planned ahead, then a few claimed rows.
        status = "sent" if i < HISTORY else "pending" if i < 2 * HISTORY else "claimed"
        due = NOW + timedelta(minutes=i - HISTORY)
        rows.append(
            {
                "key": f"k{i}",
                "kind": "nudge",
                "template": "nudges/nudge",
                "context": {},
                "status": status,
                "attempts": 1,
                "due_at": due,
                "expires_at": due + timedelta(days=3),
                "subject": f"pair:{i}",
                "lease_until": NOW - timedelta(seconds=5) if status == "claimed" else None,
                "sent_at": due if status == "sent" else None,
            }
        )
    async with db.write() as session:
        conn = await session.connection()
        for start in range(0, len(rows), 5000):
            await conn.execute(sa.insert(table), rows[start : start + 5000])
    async with db.engine.connect() as conn:
        await conn.execute(sa.text("ANALYZE"))
        await conn.commit()


async def _plan(db, statement, bound: dict) -> str:
    """The plan of `statement` with the values `bound` to its parameters."""
    async with db.engine.connect() as conn:
        compiled = statement.compile(dialect=conn.dialect)
        sql, params = str(compiled), {**compiled.params, **bound}
        if db.sqlite:
            rows = (
                await conn.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {sql}",
                    tuple(_sqlite_value(params[name]) for name in compiled.positiontup or ()),
                )
            ).all()
            plan = "\n".join(str(r[-1]) for r in rows)
        else:
            pg_params = tuple(params[name] for name in compiled.positiontup or ()) if compiled.positiontup else params
            rows = (await conn.exec_driver_sql(f"EXPLAIN {sql}", pg_params)).all()
            plan = "\n".join(str(r[0]) for r in rows)
        await conn.rollback()  # EXPLAIN of an UPDATE runs nothing, but leave no transaction open
    return plan


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _scans_the_table(plan: str, dialect: str) -> bool:
    if dialect == "sqlite":
        return any(line.startswith("SCAN reminder") and "USING" not in line for line in plan.splitlines())
    return "Seq Scan on reminder" in plan


async def test_every_tick_query_uses_an_index_after_analyze(any_db):
    await _fill(any_db)
    statements = {
        "anything to do": work_query(NOW),
        "next due": next_due_query(),
        "reclaim leases": reclaim_query(NOW),
        "claim": claim_query(NOW, "w1", timedelta(minutes=5), 100, skip_locked=not any_db.sqlite),
        # `serve`'s dispatcher: only the platforms it runs (`scheduler.queries._served`).
        "anything to do (slack, teams)": work_query(NOW, SERVED),
        "next due (slack, teams)": next_due_query(SERVED),
        "claim (slack, teams)": claim_query(
            NOW, "w1", timedelta(minutes=5), 100, skip_locked=not any_db.sqlite, platforms=SERVED
        ),
    }
    scanned = {}
    for name, (statement, params) in statements.items():
        plan = await _plan(any_db, statement, params)
        if _scans_the_table(plan, any_db.dialect):
            scanned[name] = plan
    assert not scanned, "\n\n".join(f"{name}:\n{plan}" for name, plan in scanned.items())


async def test_a_tick_with_nothing_due_is_one_indexed_read(any_db, clock):
    from sqlalchemy import event

    from bot.config import Config
    from bot.ports import Delivery
    from scheduler.dispatcher import Dispatcher

    dispatcher = Dispatcher(any_db, Delivery(), clock, Config())
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_rest):
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(any_db.units_engine, "before_cursor_execute", listener)
    try:
        result = await dispatcher.tick()
    finally:
        event.remove(any_db.units_engine, "before_cursor_execute", listener)
    assert result.claimed == 0
    assert [s for s in seen if s != "BEGIN"] == ["SELECT"], seen
