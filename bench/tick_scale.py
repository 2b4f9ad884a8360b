"""One dispatcher tick with 1 000 000 future rows pending and 100 due, on
SQLite and (when reachable) PostgreSQL, after `ANALYZE`, with the query plan
of the claim and of the next-due read (`make bench` runs `main()`).

A tick that scans instead of seeking is a defect: `main()` then fails.
Prints a table and writes `bench/results/tick_scale.json`.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.fanout import PG_URL, ROOT, fresh_sqlite, seed_posts
from bot.clock import SystemClock
from bot.config import Config
from bot.ports import Delivery
from bot.store.db import Database
from bot.store.migrate import upgrade
from scheduler.dispatcher import Dispatcher

RESULTS = ROOT / "bench" / "results" / "tick_scale.json"


async def big_tick(db: Database, dialect: str) -> dict:
    """1 000 000 pending rows due next year, 100 due now: one tick, and the plan."""
    now = datetime.now(UTC)
    future = now + timedelta(days=365)
    async with db.write() as session:
        conn = await session.connection()
        if dialect == "postgresql":
            await conn.execute(
                sa.text(
                    "INSERT INTO reminder (key, kind, template, context, due_at, status, attempts) "
                    "SELECT 'future:' || g, 'failure', 'scheduler/unreachable', '{}'::json, "
                    "CAST(:due AS timestamptz) + make_interval(secs => g), 'pending', 0 FROM generate_series(1, 1000000) g"
                ),
                {"due": future},
            )
        else:
            stamp = future.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
            await conn.execute(
                sa.text(
                    "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1000000) "
                    "INSERT INTO reminder (key, kind, template, context, due_at, status, attempts) "
                    "SELECT 'future:' || n, 'failure', 'scheduler/unreachable', '{}', :due, 'pending', 0 FROM g"
                ),
                {"due": stamp},
            )
    await seed_posts(db, 100, 100, now - timedelta(seconds=1))
    async with db.write() as session:
        await (await session.connection()).execute(sa.text("ANALYZE"))
    plan = await claim_plan(db, dialect, now)

    class Null:
        platform = "slack"

        async def send(self, to, message):
            from bot.messages import MessageRef, Platform, Sent

            return Sent(MessageRef(Platform.SLACK, to.conversation or "", "1"))

    from bot.messages import Platform

    port = Null()
    port.platform = Platform.SLACK
    dispatcher = Dispatcher(db, Delivery({Platform.SLACK: port}), SystemClock(), Config())
    started = time.perf_counter()
    result = await dispatcher.tick()
    seconds = time.perf_counter() - started
    return {
        "database": dialect,
        "pending_future": 1_000_000,
        "sent": result.sent,
        "seconds": seconds,
        "plan": plan,
        "uses_index": "ix_reminder_status_due" in plan,
    }


async def claim_plan(db: Database, dialect: str, now: datetime) -> str:
    """The query plan of the dispatcher's claim and next-due queries."""
    async with db.read() as session:
        conn = await session.connection()
        if dialect == "postgresql":
            rows = (
                await conn.execute(
                    sa.text(
                        "EXPLAIN SELECT id FROM reminder WHERE status = 'pending' AND due_at <= :now "
                        "ORDER BY due_at LIMIT 100 FOR UPDATE SKIP LOCKED"
                    ),
                    {"now": now},
                )
            ).all()
            rows += (
                await conn.execute(sa.text("EXPLAIN SELECT min(due_at) FROM reminder WHERE status = 'pending'"))
            ).all()
            return "\n".join(r[0] for r in rows)
        stamp = now.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        rows = (
            await conn.execute(
                sa.text(
                    "EXPLAIN QUERY PLAN SELECT id FROM reminder WHERE status = 'pending' AND due_at <= :now "
                    "ORDER BY due_at LIMIT 100"
                ),
                {"now": stamp},
            )
        ).all()
        rows += (
            await conn.execute(sa.text("EXPLAIN QUERY PLAN SELECT min(due_at) FROM reminder WHERE status = 'pending'"))
        ).all()
        return "\n".join(str(r[-1]) for r in rows)


def pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


async def big_ticks(tmp: Path) -> list[dict]:
    out = []
    db = await fresh_sqlite(tmp, "million.db")
    try:
        out.append(await big_tick(db, "sqlite"))
    finally:
        await db.dispose()
    if pg_reachable():
        import asyncpg

        name = f"mentorbot_bench_{os.getpid()}"
        admin = PG_URL.replace("postgresql://", "postgres://")
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        db = Database(f"{PG_URL.rsplit('/', 1)[0]}/{name}")
        try:
            await upgrade(db)
            out.append(await big_tick(db, "postgresql"))
        finally:
            await db.dispose()
            conn = await asyncpg.connect(admin)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()
    return out


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="mentorbot-tick-") as tmp:
        ticks = asyncio.run(big_ticks(Path(tmp)))
    for d in ticks:
        print(
            f"{'one tick, 1 000 000 future rows, ' + d['database'] + ': ms (index used)':<58s} "
            f"{d['seconds'] * 1000:>8.1f} ({'yes' if d['uses_index'] else 'NO'})"
        )
    for d in ticks:
        print(f"\nclaim / next-due query plan on {d['database']}:\n{d['plan']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(ticks, indent=2, default=str), encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    return 0 if all(d["uses_index"] for d in ticks) else 1


if __name__ == "__main__":
    sys.exit(main())
