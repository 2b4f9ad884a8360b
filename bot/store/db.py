"""Async engine and units of work.

`Database.write()` is a write transaction: on SQLite it starts with
`BEGIN IMMEDIATE`, so two writers never both read-then-write on a stale
snapshot (with a deferred BEGIN, concurrent aiosqlite tasks silently lose
updates); on PostgreSQL it is an ordinary transaction. `Database.read()` is a
read-only unit. Both commit on success and roll back on any exception, so a
failed handler never leaves half-written state.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy import event, exc, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store import inline_session, sqlite_inline


def async_url(url: str) -> str:
    """Map a configured URL to its async driver: sqlite -> aiosqlite,
    postgresql -> asyncpg. URLs that already name a driver are kept."""
    u = make_url(url)
    if u.drivername == "sqlite":
        u = u.set(drivername="sqlite+aiosqlite")
    elif u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+asyncpg")
    return u.render_as_string(hide_password=False)


def masked_url(url: str) -> str:
    """The URL as an operator may see it in a log or an error: password as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "<database.url that is not a URL>"


_IN_WRITE: ContextVar[bool] = ContextVar("mentorbot_in_write", default=False)


class DatabaseUnreachable(Exception):
    """One line: which database (password masked) and why it cannot be reached."""


def _reason(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    words = str(cause).strip().splitlines()
    return (words[0] if words else type(cause).__name__)[:200]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    url = async_url(url)
    if is_sqlite(url):
        # Pooled connections that run on the loop's thread (bot/store/sqlite_inline.py).
        database = make_url(url).database or ":memory:"
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=5,
            max_overflow=20,
            async_creator=lambda: sqlite_inline.connect(database, uri=database.startswith("file:")),
        )
        _sqlite_begin(engine)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_begin(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("sqlite_begin", "IMMEDIATE") == "IMMEDIATE":
            sqlite_inline.begin_immediate(conn)
        else:
            conn.exec_driver_sql("BEGIN DEFERRED")


class Database:
    def __init__(self, url: str, *, echo: bool = False):
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.sqlite = is_sqlite(url)
        self._write_lock = asyncio.Lock()
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._read_engine = self.engine.execution_options(sqlite_begin="DEFERRED") if self.sqlite else self.engine
        self._read_sessions = async_sessionmaker(self._read_engine, class_=AsyncSession, expire_on_commit=False)
        # SQLite's units of work run through a synchronous engine on the same
        # file, without SQLAlchemy's greenlets (bot/store/inline_session.py).
        self._inline = None
        if self.sqlite:
            database = make_url(self.engine.url).database or ":memory:"
            self._inline = inline_session.make_sync_engine(database)
            self._kept = inline_session.KeptConnections(self._inline)

    @property
    def units_engine(self) -> Engine:
        """The synchronous engine that runs `read()` and `write()` (where
        its events, e.g. `before_cursor_execute`, see their statements)."""
        return self._inline if self._inline is not None else self.engine.sync_engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        if self._inline is not None:
            async with self.writer():
                async with self._inline_unit(write=True) as session:
                    yield session
            return
        async with self.writer():
            async with self._sessions() as session:
                async with session.begin():
                    yield session

    @asynccontextmanager
    async def writer(self) -> AsyncIterator[None]:
        """One writer at a time in this process on SQLite (which allows one
        at a time anyway): the others wait here, on the loop, rather than in
        SQLite's busy handler. A write inside a write of the same task would
        wait for itself, so it is refused."""
        if not self.sqlite:
            yield
            return
        if _IN_WRITE.get():
            raise RuntimeError("a write transaction inside another one of the same task")
        async with self._write_lock:
            token = _IN_WRITE.set(True)
            try:
                yield
            finally:
                _IN_WRITE.reset(token)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        if self._inline is not None:
            async with self._inline_unit(write=False) as session:
                yield session
            return
        async with self._read_sessions() as session:
            async with session.begin():
                yield session

    @asynccontextmanager
    async def _inline_unit(self, *, write: bool) -> AsyncIterator[AsyncSession]:
        """A SQLite transaction through the synchronous engine: committed when
        the block ends, rolled back on any exception (cancellation included)."""
        assert self._inline is not None
        kept = self._kept
        sync = kept.take()
        try:
            await inline_session.begin_unit(sync, write=write)
        except BaseException:
            kept.give_back(sync)
            raise
        try:
            yield inline_session.InlineSession(sync)
            inline_session.end_unit(sync)
        except BaseException:
            inline_session.fail_unit(sync)
            raise
        finally:
            kept.give_back(sync)

    async def ping(self) -> None:
        """Open a connection and run `SELECT 1`; DatabaseUnreachable if that fails."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (OSError, TimeoutError, exc.DBAPIError, exc.InterfaceError) as error:
            reason = _reason(error)
            password = make_url(self.url).password
            if password:
                reason = reason.replace(str(password), "***")
            raise DatabaseUnreachable(f"cannot reach the database {masked_url(self.url)}: {reason}") from None
        except Exception as error:  # asyncpg's own errors (bad password, no such database)
            if type(error).__module__.startswith("asyncpg"):
                raise DatabaseUnreachable(
                    f"cannot reach the database {masked_url(self.url)}: {_reason(error)}"
                ) from None
            raise

    async def dispose(self) -> None:
        if self._inline is not None:
            self._kept.close()
            self._inline.dispose()
        await self.engine.dispose()
