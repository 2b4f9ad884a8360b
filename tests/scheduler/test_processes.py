"""Fault tests with real processes and a loopback fake of the Slack Web API:
dispatchers killed with SIGKILL five times during 5 000 sends (SQLite, and
two replicas on PostgreSQL), PostgreSQL dropping every connection mid-run,
two dispatchers on PostgreSQL at once, and a Web API that answers 429 to
every other call."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa

from adapters.slack.outbound import SlackPort
from bot.clock import SystemClock
from bot.config import Config
from bot.ports import Delivery
from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher
from tests.conftest import PG_ADMIN_URL, fresh_pg_database, migrated
from tests.fakes.slack_api import FakeSlackAPI

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


async def seed(db, count: int, *, due: datetime) -> None:
    """`count` channel posts, one per channel C00000.., all due now."""
    rows = [
        {
            "key": f"fault:{i}",
            "kind": "failure",
            "template": "scheduler/unreachable",
            "subject": "fault",
            "address": {"platform": "slack", "tenant": "T0FAKE", "conversation": f"C{i:05d}", "where": "channel"},
            "context": {"who": f"C{i:05d}", "what": "test", "why": "test", "attempts": 0},
            "due_at": due,
            "status": "pending",
            "attempts": 0,
        }
        for i in range(count)
    ]
    async with db.write() as session:
        conn = await session.connection()
        for start in range(0, count, 1000):
            await conn.execute(sa.insert(Reminder.__table__), rows[start : start + 1000])


async def start_dispatcher(db_url: str, api_url: str, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.scheduler.dispatcher_process",
        db_url,
        api_url,
        *extra,
        cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def delivered_per_channel(fake: FakeSlackAPI) -> Counter:
    return Counter(c.channel for c in fake.delivered())


async def statuses(db) -> Counter:
    async with db.read() as session:
        conn = await session.connection()
        t = Reminder.__table__
        return Counter(dict((await conn.execute(sa.select(t.c.status, sa.func.count()).group_by(t.c.status))).all()))


@asynccontextmanager
async def database(backend: str, tmp_path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fault.db'}"
    else:
        async with fresh_pg_database() as url:
            yield url


def tally(fake: FakeSlackAPI, total: int) -> tuple[int, int]:
    per_channel = delivered_per_channel(fake)
    return total - len(per_channel), sum(n - 1 for n in per_channel.values())


@pytest.mark.parametrize("backend,replicas", [("sqlite", 1), pytest.param("postgres", 2, marks=pytest.mark.postgres)])
async def test_five_sigkills_during_5000_sends_lose_nothing_and_repeat_nothing(backend, replicas, tmp_path, capsys):
    """Each post carries its row key in Slack's message metadata; a row whose
    holder died comes back unconfirmed and is looked up before it is sent
    again, so on Slack a crash repeats nothing."""
    total, kills = 5000, 5
    async with database(backend, tmp_path) as url, migrated(url) as db, FakeSlackAPI() as fake:
        await seed(db, total, due=datetime.now(UTC) - timedelta(seconds=1))
        procs = [await start_dispatcher(url, fake.base_url, "--lease", "2") for _ in range(replicas)]
        killed_at = []
        for kill in range(kills):
            target = (kill + 1) * total // (kills + 2)
            while len(fake.delivered()) < target and any(p.returncode is None for p in procs):  # noqa: ASYNC110 (polling another process)
                await asyncio.sleep(0.01)
            victim = kill % replicas
            if procs[victim].returncode is None:
                procs[victim].send_signal(signal.SIGKILL)
                await procs[victim].wait()
                killed_at.append(len(fake.delivered()))
            procs[victim] = await start_dispatcher(url, fake.base_url, "--lease", "2")
        codes = await asyncio.wait_for(asyncio.gather(*(p.wait() for p in procs)), 300)
        lost, duplicates = tally(fake, total)
        with capsys.disabled():
            print(
                f"\n[sigkill x{len(killed_at)}, {backend}, {replicas} replica(s)] killed at {killed_at} of {total} "
                f"delivered; lost {lost}, duplicates {duplicates}"
            )
        assert len(killed_at) == kills and codes == [0] * replicas
        assert lost == 0 and duplicates == 0
        assert (await statuses(db)) == Counter({"sent": total})


async def test_postgresql_connections_dropped_mid_run_lose_and_repeat_nothing(pg_url, capsys):
    """The database goes away under a running dispatcher (every connection of
    its database terminated, again and again for a while): records fail,
    the batch stops, and what was sent but not recorded is found on Slack."""
    total = 3000
    async with migrated(pg_url) as db, FakeSlackAPI() as fake:
        await seed(db, total, due=datetime.now(UTC) - timedelta(seconds=1))
        proc = await start_dispatcher(pg_url, fake.base_url, "--lease", "2")
        while len(fake.delivered()) < total // 3:  # noqa: ASYNC110 (polling another process)
            await asyncio.sleep(0.01)
        name = pg_url.rsplit("/", 1)[1]
        admin = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql://", "postgres://"))
        try:
            for _ in range(25):  # about five seconds of a database that keeps dropping everyone
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid()",
                    name,
                )
                await asyncio.sleep(0.2)
        finally:
            await admin.close()
        assert await asyncio.wait_for(proc.wait(), 300) == 0
        lost, duplicates = tally(fake, total)
        with capsys.disabled():
            print(f"\n[postgres outage] {total} sends: lost {lost}, duplicates {duplicates}")
        assert lost == 0 and duplicates == 0


async def test_two_dispatchers_on_postgresql_send_each_reminder_exactly_once(pg_url, capsys):
    total = 5000
    async with migrated(pg_url) as pg_db, FakeSlackAPI() as fake:
        await seed(pg_db, total, due=datetime.now(UTC) - timedelta(seconds=1))
        procs = [await start_dispatcher(pg_url, fake.base_url, "--worker", f"w{i}") for i in (1, 2)]
        codes = await asyncio.wait_for(asyncio.gather(*(p.wait() for p in procs)), 120)
        assert codes == [0, 0]
        per_channel = delivered_per_channel(fake)
        assert len(per_channel) == total  # none lost
        assert max(per_channel.values()) == 1  # none twice
        async with pg_db.read() as session:
            t = Reminder.__table__
            by_worker = dict(
                (
                    await (await session.connection()).execute(
                        sa.select(t.c.claimed_by, sa.func.count()).group_by(t.c.claimed_by)
                    )
                ).all()
            )
        with capsys.disabled():
            print(f"\n[two dispatchers] {total} sent, split {by_worker}")
        assert (await statuses(pg_db)) == Counter({"sent": total})
        assert set(by_worker) == {"w1", "w2"}  # both did part of the work


async def test_429_to_half_the_calls_all_delivered_none_before_retry_after(sqlite_db):
    total = 60
    await seed(sqlite_db, total, due=datetime.now(UTC) - timedelta(seconds=1))
    async with FakeSlackAPI(throttle_every=2, retry_after=1) as fake:
        port = SlackPort("xoxb-test", fake.base_url, max_wait=0.0)
        dispatcher = Dispatcher(sqlite_db, Delivery({port.platform: port}), SystemClock(), Config())
        retried = 0
        while (await statuses(sqlite_db)).get("sent", 0) < total:
            result = await dispatcher.tick()
            retried += result.retried
            await asyncio.sleep(0.1)
        throttled = [c for c in fake.calls_to("chat.postMessage") if c.status == 429]
        assert throttled and retried >= len(throttled)
        assert len(delivered_per_channel(fake)) == total
        assert max(delivered_per_channel(fake).values()) == 1
        assert not [c for c in fake.calls if c.early], "a call came back before its Retry-After"
        # Each throttled channel's delivery came at least Retry-After after its 429.
        for call in throttled:
            ok = [c for c in fake.delivered() if c.channel == call.channel]
            assert ok and ok[0].at >= call.at + call.retry_after - 0.01
        await port.close()
