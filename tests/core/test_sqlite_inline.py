"""SQLite runs on the loop's thread (bot/store/sqlite_inline.py) through a
synchronous session (bot/store/inline_session.py): writers of one process take
turns on the loop, a writer of another process is waited for without
stopping the loop, a write inside a write is refused, a unit that fails or is
cancelled leaves nothing, and no greenlet is switched to."""

from __future__ import annotations

import asyncio
import sqlite3

import greenlet
import pytest
from sqlalchemy import event, exc, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.store import inline_session
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

    monkeypatch.setattr(inline_session.asyncio, "sleep", counting_sleep)
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


async def test_a_write_that_fails_or_is_cancelled_leaves_nothing(db: Database):
    with pytest.raises(ValueError):
        async with db.write() as session:
            session.add(Person(name="Dag"))
            await session.flush()  # written inside the transaction, then the block fails
            raise ValueError("a handler's bug")

    started = asyncio.Event()

    async def slow_write():
        async with db.write() as session:
            session.add(Person(name="Eva"))
            await session.flush()
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_write())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with db.read() as session:
        assert (await session.exec(select(Person))).all() == []
    async with db.write() as session:  # the lock and the connection were given back
        session.add(Person(name="Frej"))


async def test_results_stay_readable_after_the_unit_ends(db: Database):
    async with db.write() as session:
        session.add_all([Person(name=f"P{i}") for i in range(30)])
    async with db.read() as session:
        result = await session.exec(select(Person).order_by(Person.id))
    assert [p.name for p in result.all()] == [f"P{i}" for i in range(30)]


async def test_a_unit_of_work_switches_no_greenlet(db: Database):
    switches = []
    previous = greenlet.settrace(lambda event, args: switches.append(event))
    try:
        async with db.write() as session:
            session.add(Person(name="Gun"))
            await session.flush()
            await session.get(Person, 1)
        async with db.read() as session:
            (await session.exec(select(Person))).all()
            await (await session.connection()).execute(text("select 1"))
    finally:
        greenlet.settrace(previous)
    assert switches == []


async def test_many_units_open_at_once_never_wait_for_a_connection(db: Database):
    """Forty readers suspended inside their units at once (a dispatcher
    rendering, a match reading in parts, turns): none waits for a pooled
    connection, which on the loop's own thread would wait for ever."""
    inside = 0

    async def reader():
        nonlocal inside
        async with db.read() as session:
            (await session.exec(select(Person))).all()
            inside += 1
            await asyncio.sleep(0.05)

    await asyncio.wait_for(asyncio.gather(*(reader() for _ in range(40))), 10)
    assert inside == 40


async def test_units_that_follow_one_another_share_one_connection(db: Database):
    """A connection's page cache is dropped whenever another connection has
    written: units run one after the other take the connection given back
    last, so a read after a write finds its pages still cached."""

    async def reader(gate: asyncio.Event):
        async with db.read() as session:
            await (await session.connection()).execute(text("select 1"))
            await gate.wait()

    gate = asyncio.Event()
    readers = [asyncio.ensure_future(reader(gate)) for _ in range(3)]
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(*readers)  # three connections now wait in the pool
    seen = []
    for write in (True, False, True, False):
        async with db.write() if write else db.read() as session:
            conn = await session.connection()
            seen.append(id(conn.sync_connection.connection.dbapi_connection))
            await conn.execute(text("select 1"))
    assert len(set(seen)) == 1


async def test_kept_connections_come_back_clean_and_no_more_than_kept(db: Database):
    """Units keep their connections between them (`KeptConnections`): one
    given back after a failed or cancelled unit is out of SQLite's
    transaction (SQLAlchemy's stays open while the session is kept),
    and overlapping units open more that are closed, not hoarded."""

    async def overlapping(gate: asyncio.Event):
        async with db.read() as session:
            await (await session.connection()).execute(text("select 1"))
            await gate.wait()

    gate = asyncio.Event()
    readers = [asyncio.ensure_future(overlapping(gate)) for _ in range(12)]
    await asyncio.sleep(0.01)
    gate.set()
    await asyncio.gather(*readers)
    with pytest.raises(RuntimeError):
        async with db.write() as session:
            session.add(Person(name="Dora"))
            await session.flush()
            raise RuntimeError("a handler failed")
    kept = db._kept._idle
    assert 1 <= len(kept) <= inline_session.KeptConnections.KEEP
    assert not any(inline_session.driver(c).in_transaction or inline_session.connection(c).closed for c in kept)
    async with db.read() as session:
        assert (await session.exec(select(Person).where(Person.name == "Dora"))).first() is None
    await db.dispose()
    assert not db._kept._idle and all(inline_session.connection(c).closed for c in kept)


async def test_what_a_unit_notes_on_its_session_is_gone_for_the_next(db: Database):
    """Units share kept sessions: what one noted in `session.info` (a turn's
    "no dialogue open") must not reach the next unit, another person's turn."""
    async with db.write() as session:
        session.sync_session.info["noted"] = "by the first unit"
    for unit in (db.read, db.write):
        async with unit() as session:
            assert "noted" not in session.sync_session.info


async def test_units_on_a_kept_session_leave_sqlalchemys_transaction_alone(db: Database):
    """A unit of work begins and commits SQLite's transaction on the driver
    connection: after the first unit on a kept session, SQLAlchemy's own
    transaction machinery (its `begin` event, a BEGIN through its pipeline)
    is not run again, for writers and readers alike; listeners that count
    statements still see each unit's BEGIN."""
    async with db.write() as session:
        session.add(Person(name="Anna"))
    begins: list[object] = []

    statements: list[str] = []

    def begun(conn) -> None:
        begins.append(conn)

    def executed(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement.split()[0])

    event.listen(db.units_engine, "begin", begun)
    event.listen(Engine, "before_cursor_execute", executed)
    try:
        for unit in (db.write, db.read, db.write, db.read):
            async with unit() as session:
                await session.exec(select(Person))
    finally:
        event.remove(db.units_engine, "begin", begun)
        event.remove(Engine, "before_cursor_execute", executed)
    assert begins == []
    assert statements == ["BEGIN", "SELECT"] * 4


async def test_an_object_of_one_unit_is_read_afresh_by_the_next(db: Database, tmp_path):
    """What one unit loaded is not handed to the next from the kept session's
    identity map: a row another process changed in between reads as changed."""
    async with db.write() as session:
        session.add(Person(name="Anna"))
    async with db.read() as session:
        first = (await session.exec(select(Person))).one()
    other = sqlite3.connect(tmp_path / "inline.db", isolation_level=None)
    other.execute("UPDATE person SET name = 'Anna B'")
    other.close()
    for unit in (db.read, db.write):
        async with unit() as session:
            again = (await session.exec(select(Person))).one()
            assert again.name == "Anna B" and again is not first


async def test_a_unit_whose_flush_failed_leaves_its_session_usable(db: Database):
    """A flush that fails (a constraint) rolls the unit back; the kept session
    it ran on serves the next unit (SQLAlchemy's state reset, not stuck in
    "rolled back due to a previous exception")."""
    async with db.write() as session:
        session.add(Person(name="Anna"))
    with pytest.raises(exc.IntegrityError):
        async with db.write() as session:
            session.add(Person(name="Bo"))
            session.add(Person(name="Cecilia", organisation_id=999))  # no such organisation
    for unit in (db.write, db.read, db.write):
        async with unit() as session:
            names = (await session.exec(select(Person.name))).all()
            assert names == ["Anna"]
