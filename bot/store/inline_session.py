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
import sqlite3
from collections.abc import AsyncIterator, Mapping
from typing import Any

from sqlalchemy import Select, bindparam, event, select, util
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

# The `sqlite_begin` execution option of a kept session's connection: its
# SQLAlchemy transaction issues no BEGIN, the units issue their own.
UNIT = "UNIT"


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
        if mode != UNIT:  # a kept session's units begin their own transactions (`begin_unit`)
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
    between units of work (last given back, first taken).

    SQLAlchemy's own transaction bookkeeping (a session transaction, a
    connection transaction, the `begin` event, the `BEGIN` through the
    execution pipeline, a commit that checks states and snapshots) cost
    about 0.3 ms of every unit, ten times SQLite's own `BEGIN` and `COMMIT`.
    So a kept session stays inside one SQLAlchemy transaction for as long
    as it is kept, which issues no SQL (`UNIT`), and each unit of work
    begins and ends its SQLite transaction on the driver connection
    (`begin_unit`, `end_unit`): the ORM sees one long transaction, SQLite
    sees one per unit. What a unit leaves behind is dropped at its end as a
    closed session drops it: its objects (expunged), its `info`.

    A unit that fails is rolled back through SQLAlchemy (which resets the
    session's state and rolls back SQLite's transaction) and its session
    is closed; the next unit that takes it begins SQLAlchemy's transaction
    anew. Only units on the loop's thread use these sessions, one unit at
    a time per connection."""

    KEEP = 5  # connections kept idle; more are opened when units overlap, closed when given back

    def __init__(self, engine: Engine):
        self.engine = engine
        self._idle: list[Session] = []

    def take(self) -> Session:
        """A kept session inside its SQLAlchemy transaction, no SQLite transaction open."""
        if self._idle:
            session = self._idle.pop()
        else:
            session = Session(bind=self.engine.connect().execution_options(sqlite_begin=UNIT), expire_on_commit=False)
        if not session.in_transaction():
            session.connection()  # SQLAlchemy's transaction: bookkeeping only, no SQL (`UNIT`)
        return session

    def give_back(self, session: Session) -> None:
        """After `end_unit` or a rollback. What a unit left in the session
        (objects, `info`) is gone for the next."""
        session.expunge_all()
        session.info.clear()
        bound = connection(session)
        if bound.invalidated or driver(session).in_transaction or len(self._idle) >= self.KEEP:
            session.close()
            bound.close()
        else:
            self._idle.append(session)

    def close(self) -> None:
        while self._idle:
            session = self._idle.pop()
            session.close()
            connection(session).close()


def connection(session: Session) -> Connection:
    bound = session.bind
    assert isinstance(bound, Connection), "a kept session is bound to its connection"
    return bound


def driver(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under a kept session."""
    return connection(session).connection.dbapi_connection  # type: ignore[return-value]


async def begin_unit(session: Session, *, write: bool) -> None:
    """Begin a unit's SQLite transaction on a kept session's connection: a
    writer's `BEGIN IMMEDIATE` that meets another process's write
    transaction is tried again after an asyncio sleep (the loop keeps
    running; each try waits at most SQLite's short busy timeout), for up to
    30 s (`sqlite_inline.busy_pauses`); a reader's `BEGIN DEFERRED` takes
    no lock until its first statement."""
    bound = connection(session)
    raw: sqlite3.Connection = bound.connection.dbapi_connection  # type: ignore[assignment]
    statement = "BEGIN IMMEDIATE" if write else "BEGIN DEFERRED"
    # Listeners that count or log statements still see the BEGIN (it does not
    # pass through SQLAlchemy's execution pipeline, which fires the event).
    bound.dispatch.before_cursor_execute(bound, None, statement, (), None, False)
    for pause in sqlite_inline.busy_pauses() if write else (None,):
        try:
            raw.execute(statement)
            return
        except sqlite3.OperationalError as error:
            if not sqlite_inline.is_locked(error) or pause is None:
                raise
        await asyncio.sleep(pause)
    raise AssertionError("busy_pauses ends with None")  # pragma: no cover


def end_unit(session: Session) -> None:
    """Write what the unit left unflushed (as a commit does) and commit SQLite's transaction."""
    for _ in range(100):  # a flush's events may add more to flush, as `Session.commit` allows for
        if not (session.new or session.dirty or session.deleted):
            break
        session.flush()
    driver(session).commit()


def fail_unit(session: Session) -> None:
    """Roll the unit back through SQLAlchemy (states reset, SQLite's
    transaction rolled back) and close the session; `take` begins its
    SQLAlchemy transaction anew."""
    try:
        session.rollback()
    finally:
        session.close()
