"""SQLite runs on the loop's thread (bot/store/sqlite_inline.py): writers of
one process take turns on the loop, a writer of another process is waited for
without stopping the loop, and a write inside a write is refused."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import text

from bot.store import sqlite_inline
from bot.store.db import Database
from bot.store.models import Person
from tests.conftest import migrated


@pytest.fixture
async def db(tmp_path):
    async with migrated(f"sqlite:///{tmp_path / 'inline.db'}") as database:
        yield database


async def test_writers_of_one_process_wait_on_the_loop_not_in_sqlite(db: Database, monkeypatch):
    retries = []
    real_sleep = asyncio.sleep

    async def counting_sleep(delay, *args):
        retries.append(delay)
        await real_sleep(delay, *args)

    monkeypatch.setattr(sqlite_inline.asyncio, "sleep", counting_sleep)
    order = []

    async def writer(name: str, hold: float):
        async with db.write() as session:
            order.append(f"{name} in")
            session.add(Person(name=name))
            await real_sleep(hold)  # e.g. awaiting something else inside the transaction
            order.append(f"{name} out")

    await asyncio.gather(writer("Anna", 0.2), writer("Bo", 0.0))
    assert order == ["Anna in", "Anna out", "Bo in", "Bo out"]
    assert retries == []  # Bo never knocked on SQLite's lock
    async with db.read() as session:
        conn = await session.connection()
        assert (await conn.execute(text("select count(*) from person"))).scalar_one() == 2


async def test_a_writer_of_another_process_is_waited_for_while_the_loop_runs(db: Database, tmp_path):
    other = sqlite3.connect(tmp_path / "inline.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def write():
        async with db.write() as session:
            session.add(Person(name="Cilla"))

    ticking = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.3)
    assert not writing.done()
    ticks_while_waiting = ticks
    other.execute("COMMIT")
    await asyncio.wait_for(writing, 10)
    ticking.cancel()
    other.close()
    assert ticks_while_waiting >= 5  # the loop was not stuck in SQLite's busy handler


async def test_a_write_inside_a_write_of_the_same_task_is_refused(db: Database):
    async with db.write():
        with pytest.raises(RuntimeError, match="inside another"):
            async with db.write():
                pass
