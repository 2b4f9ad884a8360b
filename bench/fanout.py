"""Fan-out of reminders, measured (`make bench` runs `main()`).

1. 10 000 reminders through the loopback fake Slack Web API (in its own
   process) with no limit: sends per second.
2. The same through a Slack-like limit (1 message/s per channel and a
   workspace budget per minute, both enforced by the fake): total time
   divided by the rate-limit floor (goal <= 1.05). The number of channels is
   chosen from (1) so the run stays well under a minute.
3. Planning a year for 10 000 pairs (next nudge, stall watch and every event
   reminder for 20 000 participants), and planning it again (idempotent).

One tick over a million pending rows is `bench/tick_scale.py`.

Prints a table and writes `bench/results/fanout.json`.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import sqlalchemy as sa
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.outbound import SlackPort
from bot.clock import SystemClock, VirtualClock
from bot.config import Config
from bot.ports import Delivery
from bot.store.db import Database
from bot.store.migrate import upgrade
from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "fanout.json"
T = Reminder.__table__
N = 10_000
PG_URL = os.environ.get("MENTORBOT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


# ------------------------------------------------------------------ helpers


def start_fake(tmp: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port_file = tmp / f"fake-{time.monotonic_ns()}.url"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.slack_api", "--port-file", str(port_file), "--no-params", *extra],
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    for _ in range(200):
        if port_file.exists():
            return proc, port_file.read_text(encoding="utf-8").strip()
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the fake Slack API did not start")


async def fresh_sqlite(tmp: Path, name: str) -> Database:
    db = Database(f"sqlite:///{tmp / name}")
    await upgrade(db)
    return db


async def seed_posts(db: Database, count: int, channels: int, due: datetime) -> None:
    """`count` channel posts spread round-robin over `channels` channels."""
    rows = [
        {
            "key": f"bench:{i}",
            "kind": "failure",
            "template": "scheduler/unreachable",
            "subject": "bench",
            "address": {
                "platform": "slack",
                "tenant": "T0FAKE",
                "conversation": f"C{i % channels:05d}",
                "where": "channel",
            },
            "context": {"who": f"C{i % channels:05d}", "what": "bench", "why": "bench", "attempts": 0},
            "due_at": due,
            "status": "pending",
            "attempts": 0,
        }
        for i in range(count)
    ]
    async with db.write() as session:
        conn = await session.connection()
        for start in range(0, count, 2000):
            await conn.execute(sa.insert(T), rows[start : start + 2000])


async def drain(dispatcher: Dispatcher, total: int) -> dict:
    """Tick until `total` rows are sent; sleep only until the next due row."""
    sent = retried = ticks = 0
    started = time.perf_counter()
    while sent < total:
        result = await dispatcher.tick()
        ticks += 1
        sent += result.sent
        retried += result.retried
        if result.failed:
            raise RuntimeError(f"{result.failed} sends failed")
        due = await dispatcher.next_due()
        if due is not None:
            wait = (due - dispatcher.clock.now()).total_seconds()
            if wait > 0:
                await asyncio.sleep(min(wait, 0.25))
    return {"seconds": time.perf_counter() - started, "sent": sent, "rescheduled": retried, "ticks": ticks}


def slack_port(base_url: str, http: aiohttp.ClientSession, interval: float, max_wait: float = 0.0) -> SlackPort:
    client = AsyncWebClient(token="xoxb-bench", base_url=base_url, session=http)
    return SlackPort("xoxb-bench", base_url, max_wait=max_wait, channel_interval=interval, client=client)


# ------------------------------------------------------------------- the runs


async def unlimited(tmp: Path) -> dict:
    fake, url = start_fake(tmp)
    db = await fresh_sqlite(tmp, "unlimited.db")
    try:
        await seed_posts(db, N, N, datetime.now(UTC) - timedelta(seconds=1))
        async with aiohttp.ClientSession() as http:
            port = slack_port(url, http, 0.0)
            dispatcher = Dispatcher(
                db, Delivery({port.platform: port}), SystemClock(), Config(), concurrency=128, batch=500
            )
            run = await drain(dispatcher, N)
    finally:
        fake.terminate()
        fake.wait()
        await db.dispose()
    run["per_second"] = N / run["seconds"]
    return run


async def rate_limited(tmp: Path, unlimited_rate: float) -> dict:
    # Enough channels that the per-channel limit, not our own speed, sets the pace.
    channels = max(50, min(500, int(unlimited_rate * 0.6) // 10 * 10))
    per_channel = math.ceil(N / channels)
    budget = 12_000  # messages per rolling minute in the workspace
    channel_floor = (per_channel - 1) / 1.0
    budget_floor = 60.0 * math.floor((N - 1) / budget)
    floor = max(channel_floor, budget_floor)
    fake, url = start_fake(tmp, "--channel-rate", "1", "--workspace-per-minute", str(budget))
    db = await fresh_sqlite(tmp, "limited.db")
    try:
        await seed_posts(db, N, channels, datetime.now(UTC) - timedelta(seconds=1))
        async with aiohttp.ClientSession() as http:
            # The dispatcher paces each channel at 1 post/s, counted from
            # when Slack accepted the last post (its `ts`, mapped to our
            # clock); the port's own reservation spacing is off.
            port = slack_port(url, http, 0.0)
            dispatcher = Dispatcher(
                db,
                Delivery({port.platform: port}),
                SystemClock(),
                Config(),
                concurrency=128,
                batch=2000,
                pace={port.platform: 1.0},
            )
            run = await drain(dispatcher, N)
            async with http.get(url.replace("/api/", "/_calls"), params={"method": "chat.postMessage"}) as resp:
                calls = await resp.json()
    finally:
        fake.terminate()
        fake.wait()
        await db.dispose()
    by_channel: dict[str, list[float]] = {}
    for c in calls:
        if c["status"] == 200:
            by_channel.setdefault(c["params"].get("channel") if c["params"] else c["result"].get("channel"), []).append(
                c["at"]
            )
    gaps = [b - a for times in by_channel.values() for a, b in zip(sorted(times), sorted(times)[1:])]
    firsts = [min(times) for times in by_channel.values()]
    run.update(
        mean_gap_seconds=sum(gaps) / len(gaps) if gaps else None,
        first_posts_spread_seconds=max(firsts) - min(firsts) if firsts else None,
    )
    run.update(
        channels=channels,
        per_channel=per_channel,
        workspace_per_minute=budget,
        floor_seconds=floor,
        ratio=run["seconds"] / floor,
        throttled_429=sum(1 for c in calls if c["status"] == 429),
        early=sum(1 for c in calls if c["early"]),
    )
    return run


async def planning(tmp: Path, pairs: int = 10_000) -> dict:
    from bot.reminders.planner import plan_program
    from bot.store.models import Enrollment, Pairing, Person, Program, ProgramEvent

    db = await fresh_sqlite(tmp, "planning.db")
    clock = VirtualClock(datetime(2027, 1, 20, 10, 0, tzinfo=UTC))
    try:
        async with db.write() as session:
            conn = await session.connection()
            program = Program(slug="big", name="Big program", start=date(2027, 1, 19), end=date(2028, 1, 19))
            session.add(program)
            await session.flush()
            await conn.execute(sa.insert(Person.__table__), [{"id": i + 1, "name": f"P{i}"} for i in range(2 * pairs)])
            await conn.execute(
                sa.insert(Enrollment.__table__),
                [
                    {
                        "id": i + 1,
                        "program_id": program.id,
                        "person_id": i + 1,
                        "role": "adept" if i < pairs else "mentor",
                        "status": "active",
                        "answers": {},
                        "capacity": 1,
                        "waitlisted": False,
                    }
                    for i in range(2 * pairs)
                ],
            )
            await conn.execute(
                sa.insert(Pairing.__table__),
                [
                    {
                        "program_id": program.id,
                        "adept_id": i + 1,
                        "mentor_id": pairs + i + 1,
                        "status": "announced",
                        "announced_at": clock.now(),
                        "pinned": False,
                        "score": 0.0,
                        "rationale": [],
                    }
                    for i in range(pairs)
                ],
            )
            for kind, when in (
                ("kickoff", datetime(2027, 1, 28, 12)),
                ("mentor_training", datetime(2027, 2, 22, 8)),
                ("inspiration", datetime(2027, 5, 12, 11)),
                ("closing", datetime(2028, 1, 19, 14)),
            ):
                session.add(ProgramEvent(program_id=program.id, kind=kind, starts_at=when.replace(tzinfo=UTC)))
        # Rows counted in the table: plan_program returns the rows it offered
        # (insert-if-absent), which planning again offers anew.
        started = time.perf_counter()
        async with db.write() as session:
            program = await session.get(Program, 1)
            await plan_program(session, program, clock.now())
        first = time.perf_counter() - started
        inserted = await _reminder_count(db)
        started = time.perf_counter()
        async with db.write() as session:
            await plan_program(session, await session.get(Program, 1), clock.now())
        second = time.perf_counter() - started
        again = await _reminder_count(db) - inserted
    finally:
        await db.dispose()
    return {"pairs": pairs, "rows_planned": inserted, "seconds": first, "replan_rows": again, "replan_seconds": second}


async def _reminder_count(db: Database) -> int:
    async with db.read() as session:
        return int((await (await session.connection()).execute(sa.text("SELECT count(*) FROM reminder"))).scalar_one())


# ---------------------------------------------------------------------- main


async def run_all() -> dict:
    with tempfile.TemporaryDirectory(prefix="mentorbot-fanout-") as tmp_name:
        tmp = Path(tmp_name)
        a = await unlimited(tmp)
        b = await rate_limited(tmp, a["per_second"])
        c = await planning(tmp)
    return {"unlimited": a, "rate_limited": b, "planning": c}


def table(r: dict) -> str:
    a, b, c = r["unlimited"], r["rate_limited"], r["planning"]
    lines = [
        f"{'measure':<58s} {'value':>14s}",
        f"{'(a) 10 000 reminders, no limit: sends/s':<58s} {a['per_second']:>14.0f}",
        f"{'(a) total seconds':<58s} {a['seconds']:>14.1f}",
        f"{'(b) channels x messages each (1 msg/s/channel)':<58s} {b['channels']:>8d} x {b['per_channel']:<4d}",
        f"{'(b) workspace budget per minute':<58s} {b['workspace_per_minute']:>14d}",
        f"{'(b) rate-limit floor, seconds':<58s} {b['floor_seconds']:>14.1f}",
        f"{'(b) total seconds':<58s} {b['seconds']:>14.1f}",
        f"{'(b) total / floor (goal <= 1.05)':<58s} {b['ratio']:>14.3f}",
        f"{'(b) 429 answers / calls back before Retry-After':<58s} {b['throttled_429']:>8d} / {b['early']:<4d}",
        f"{'(c) plan a year for 10 000 pairs: rows, seconds':<58s} {c['rows_planned']:>8d} / {c['seconds']:<5.1f}",
        f"{'(c) plan it again (idempotent): new rows, seconds':<58s} {c['replan_rows']:>8d} / {c['replan_seconds']:<5.1f}",
    ]
    return "\n".join(lines)


def main() -> int:
    results = asyncio.run(run_all())
    print(table(results))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    ratio = results["rate_limited"]["ratio"]
    from bench.goals import record

    record("fanout", {"fanout.ratio": [ratio]}, note=f"{results['rate_limited'].get('channels')} channels")
    print(f"rate-limit goal (total / floor <= 1.05): {'met' if ratio <= 1.05 else 'NOT met'} ({ratio:.3f})")
    return 0  # a ratio above the goal is a figure to report, not a failure


if __name__ == "__main__":
    sys.exit(main())
