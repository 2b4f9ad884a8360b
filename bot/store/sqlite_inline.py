"""SQLite on the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

aiosqlite runs each connection in a worker thread and hands every call
across: a statement costs four thread round trips (cursor, execute, fetch,
close), 100-400 µs of switching for work SQLite does in 10-20 µs. Here the
same calls run directly; the coroutines finish without suspending.

What makes that safe:

- Writers in one process never meet inside SQLite: `Database.write()` takes
  an asyncio lock before `BEGIN IMMEDIATE`, so a writer waits on the loop,
  not in SQLite's busy handler (which would block the loop while the holder
  of the lock cannot run).
- A writer in another process (a `mentorbot db …` command next to `serve`)
  is waited for by retrying `BEGIN IMMEDIATE` with an asyncio sleep between
  tries, so the loop keeps running meanwhile (`inline_session.begin_unit` for the
  units of work, which run through a synchronous engine without SQLAlchemy's
  greenlets; `begin_immediate` for the async engine's own transactions, the
  migrations).
- Readers never wait in WAL mode.

The price: a statement that takes SQLite long runs on the loop. Statements
here are indexed lookups and small writes; bulk work (matching a cohort)
runs off the loop in its own thread (bot/matching).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy.util import await_

from bot.private_files import create_private, sqlite_path

# The busy handler's wait for the rare statement that meets a lock it did not
# expect (a checkpoint); BEGIN IMMEDIATE never waits in it (see begin_immediate).
BUSY_TIMEOUT_MS = 50


class InlineCursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor):
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters if parameters is not None else ())
        return self

    async def executemany(self, sql: str, seq_of_parameters: Any) -> InlineCursor:
        self._cursor.executemany(sql, seq_of_parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    def __aiter__(self) -> InlineCursor:
        return self

    async def __anext__(self) -> Any:
        row = self._cursor.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class _RunNow:
    """Stands in for aiosqlite's request queue: SQLAlchemy's isolation-level
    setter puts `(future, function)` on it; here the function runs at once."""

    __slots__ = ()

    def put_nowait(self, item: tuple[asyncio.Future, Any]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller
            future.set_exception(error)


class InlineConnection:
    """The part of `aiosqlite.Connection` SQLAlchemy's adapter uses."""

    _tx = _RunNow()

    def __init__(self, connection: sqlite3.Connection):
        self._conn = connection

    @property
    def _connection(self) -> sqlite3.Connection | None:  # the adapter checks it before commit/rollback
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    def stop(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._conn.create_function(*args, **kw)


def connect_sync(database: str, *, uri: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (BEGIN is ours, see bot/store/db.py)
    with the project's PRAGMAs, usable from any thread. A database file it
    creates is owner-only (`bot.private_files`)."""
    path = None if uri else sqlite_path(database)
    if path is not None and path.parent.is_dir():
        create_private(path)
    connection = sqlite3.connect(
        database, uri=uri, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    for pragma in ("journal_mode=WAL", f"busy_timeout={BUSY_TIMEOUT_MS}", "foreign_keys=ON", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


async def connect(database: str, **kw: Any) -> InlineConnection:
    """`async_creator` for `create_async_engine` (`connect_sync`, behind
    aiosqlite's interface)."""
    kw.pop("timeout", None)
    return InlineConnection(connect_sync(database, uri=bool(kw.pop("uri", False))))


def busy_pauses(patience_s: float = 30.0) -> Iterator[float | None]:
    """The pauses between tries of a `BEGIN IMMEDIATE` that met another
    process's writer: 2 ms doubling to 50 ms, then None once `patience_s`
    has passed (give up)."""
    give_up = time.monotonic() + patience_s
    pause = 0.002
    while time.monotonic() < give_up:
        yield pause
        pause = min(pause * 2, 0.05)
    yield None


def is_locked(error: Exception) -> bool:
    """SQLITE_BUSY: another connection holds the write lock."""
    return "locked" in str(error)


def begin_immediate(conn: Any) -> None:
    """`BEGIN IMMEDIATE`, waiting for another process's writer with asyncio
    sleeps (called from SQLAlchemy's sync `begin` event inside its greenlet,
    so `await_` hands the wait to the loop)."""
    for pause in busy_pauses():
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except Exception as error:  # sqlalchemy.exc.OperationalError wrapping SQLITE_BUSY
            if not is_locked(error) or pause is None:
                raise
        await_(asyncio.sleep(pause))
