"""SQLite units of work without greenlets: an `AsyncSession` whose methods
call a synchronous `Session` directly.

SQLAlchemy's asyncio layer runs every session call in a greenlet of its own
and switches back to the loop for each await inside the driver: five spawns
and about twenty switches for a read transaction of one statement, which
took 330 µs that way and takes about 125 µs here (the statement's own work
is about 25 µs). SQLite runs on the loop's thread anyway
(`bot.store.sqlite_inline`), so nothing is gained by the switching: here the
session's calls run straight through a synchronous engine on the same
database file, and the coroutines finish without suspending.

The class is an `AsyncSession` (the code and its types stay the same): the
calls the code makes are overridden to run directly; anything else falls
through to SQLAlchemy's own greenlet path, which works the same over a
synchronous session, only slower. PostgreSQL keeps the ordinary
`AsyncSession` over asyncpg, where awaiting the network is real.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Mapping
from typing import Any

from sqlalchemy import Select, bindparam, event, exc, select, util
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine, Result, create_engine
from sqlalchemy.orm.util import identity_key
from sqlalchemy.pool import QueuePool
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store import sqlite_inline

# As SQLAlchemy's AsyncSession does: ORM results are fetched completely
# before the call returns, so they stay readable after the transaction.
_BUFFERED = util.immutabledict({"prebuffer_rows": True})


def make_sync_engine(database: str) -> Engine:
    """Pooled synchronous connections to the SQLite file, each beginning its
    transaction as the unit of work asks (execution option `sqlite_begin`)."""
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite_inline.connect_sync(database, uri=database.startswith("file:")),
        poolclass=QueuePool,
        # The connection given back last is taken next (as `KeptConnections`
        # does for the units of work): units that follow one another share one
        # connection, whose page cache stays valid (SQLite drops a
        # connection's cache whenever another connection has written).
        pool_use_lifo=True,
        pool_size=5,
        # No limit: a synchronous pool that ran out would block the loop's
        # thread waiting for a connection only another coroutine on that same
        # loop can give back. Units wait on the loop instead (writers on the
        # write lock); extra connections are closed when given back.
        max_overflow=-1,
    )

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN DEFERRED")

    return engine


class DirectConnection:
    """What the code asks of `await session.connection()`: `execute`."""

    __slots__ = ("sync_connection",)

    def __init__(self, connection):
        self.sync_connection = connection

    async def execute(self, statement, parameters=None, *, execution_options=None) -> Result:
        return self.sync_connection.execute(statement, parameters, execution_options=execution_options)


class _Parts:
    """`session.stream(...)`'s result, as far as the code reads it: its parts."""

    def __init__(self, result: Result):
        self._result = result

    async def partitions(self, size: int | None = None) -> AsyncIterator[Any]:
        for part in self._result.partitions(size):
            yield part


@functools.cache
def _by_key(entity) -> Select | None:
    """`SELECT entity WHERE key = :key`, for an entity with a one-column primary key."""
    keys = sa_inspect(entity).primary_key
    return select(entity).where(keys[0] == bindparam("key")) if len(keys) == 1 else None


class InlineSession(AsyncSession):
    """An `AsyncSession` over a synchronous `Session` (see the module's doc)."""

    def __init__(self, sync: Session):  # not AsyncSession.__init__: it would make a second Session
        self._async_bind = None
        self._async_binds = {}
        self.sync_session = self._proxied = sync

    @property
    def bind(self):
        """The synchronous engine (what callers read of it: `.dialect`)."""
        return self.sync_session.bind

    @bind.setter
    def bind(self, value) -> None:
        raise AttributeError("an inline session stays bound to its engine")

    async def exec(self, statement, *, params=None, execution_options: Mapping = util.EMPTY_DICT, **kw):
        options = util.immutabledict(execution_options).union(_BUFFERED) if execution_options else _BUFFERED
        return self.sync_session.exec(statement, params=params, execution_options=options, **kw)

    async def stream(self, statement, params=None, **kw):
        return _Parts(self.sync_session.execute(statement, params, **kw))

    async def get(self, entity, ident, **kw):
        """`Session.get` for a one-column key through a statement built once
        per entity (SQLAlchemy's own builds and keys a new one each call);
        the identity map first, as `Session.get` does."""
        by_key = None if kw or isinstance(ident, tuple | dict) else _by_key(entity)
        if by_key is None:
            return self.sync_session.get(entity, ident, **kw)
        found = self.sync_session.identity_map.get(identity_key(entity, ident))
        if found is not None:
            return found
        return self.sync_session.execute(by_key, {"key": ident}, execution_options=_BUFFERED).scalars().first()

    async def flush(self, objects=None) -> None:
        self.sync_session.flush(objects)

    async def delete(self, instance) -> None:
        self.sync_session.delete(instance)

    async def connection(self, **kw) -> DirectConnection:  # type: ignore[override]
        return DirectConnection(self.sync_session.connection(**kw))


class KeptConnections:
    """The engine's connections, each with a session bound to it, kept open
    between units of work (last given back, first taken): a unit uses one
    instead of checking a connection out of the pool and making a session,
    which builds a SQLAlchemy `Connection` and a `Session` and resets the
    connection on return each time (about 0.15 ms of a read unit's 0.25,
    more than its statement). A session is closed at the end of each unit
    (its transaction ended, its objects let go, its `info` emptied) and used
    again by the next.
    Only units on the loop's thread use them, one unit at a time per
    connection; a connection that was invalidated, or is still in a
    transaction, is closed instead of kept."""

    KEEP = 5  # connections kept idle; more are opened when units overlap, closed when given back

    def __init__(self, engine: Engine):
        self.engine = engine
        self._idle: list[Session] = []

    def take(self, *, write: bool) -> Session:
        """A closed session on a connection whose next transaction begins as
        a writer's (`BEGIN IMMEDIATE`) or a reader's; readers and writers
        share the connections, so a read after a write finds the pages the
        write left cached."""
        if self._idle:
            session = self._idle.pop()
        else:
            session = Session(bind=self.engine.connect(), expire_on_commit=False)
        connection(session).execution_options(sqlite_begin="IMMEDIATE" if write else "DEFERRED")
        return session

    def give_back(self, session: Session) -> None:
        """After `session.close()`. What a unit noted in `session.info` is
        gone for the next, as it would be with a session of its own."""
        session.info.clear()
        bound = connection(session)
        if bound.invalidated or bound.in_transaction() or len(self._idle) >= self.KEEP:
            bound.close()
        else:
            self._idle.append(session)

    def close(self) -> None:
        while self._idle:
            connection(self._idle.pop()).close()


def connection(session: Session) -> Connection:
    bound = session.bind
    assert isinstance(bound, Connection), "a kept session is bound to its connection"
    return bound


async def begun(session: Session, *, write: bool) -> Session:
    """`session` (closed, on its kept connection) with its transaction begun.
    A writer's `BEGIN IMMEDIATE` that meets another process's write
    transaction is tried again after an asyncio sleep (the loop keeps
    running; each try waits at most SQLite's short busy timeout), for up to
    30 s (`sqlite_inline.busy_pauses`)."""
    for pause in sqlite_inline.busy_pauses():
        session.begin()
        if not write:
            return session  # a read begins with its first statement
        try:
            session.connection()
            return session
        except exc.OperationalError as error:
            session.close()
            if not sqlite_inline.is_locked(error) or pause is None:
                raise
        await asyncio.sleep(pause)
    raise AssertionError("busy_pauses ends with None")  # pragma: no cover
