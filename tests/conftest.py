"""Shared fixtures: real databases, a virtual clock, and a guard that fails any
test reaching a host other than loopback."""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import pytest

from bot.clock import VirtualClock
from bot.store.db import Database
from bot.store.migrate import upgrade

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = os.environ.get("MENTORBOT_TEST_PG", f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test")

# ----------------------------------------------------------------- network guard

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check(address) -> None:
    if isinstance(address, tuple) and address:
        host = address[0]
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            if host != "localhost":
                raise RuntimeError(f"test tried to reach non-loopback host {host!r}") from None
            return
        if not ip.is_loopback:
            raise RuntimeError(f"test tried to reach non-loopback address {host!r}")


def _guarded_connect(self, address):
    _check(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _check(address)
    return _real_connect_ex(self, address)


def pytest_configure(config):
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex


# ----------------------------------------------------------------------- clock


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(datetime(2027, 1, 4, 8, 0, tzinfo=UTC))


# ------------------------------------------------------------------- databases


@pytest.fixture
async def sqlite_db(tmp_path):
    async with migrated(f"sqlite:///{tmp_path / 'mentorbot.db'}") as db:
        yield db


def _pg_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    """Skip without a server; under CI=true a missing server is a failure."""
    if _pg_reachable():
        return
    reason = f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}"
    if IN_CI:
        pytest.fail(f"{reason}, and CI=true requires it")
    pytest.skip(reason)


@asynccontextmanager
async def fresh_pg_database():
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    require_postgres()
    import asyncpg

    name = f"mentorbot_t_{uuid.uuid4().hex[:12]}"
    admin = PG_ADMIN_URL.replace("postgresql://", "postgres://")
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@asynccontextmanager
async def migrated(url: str):
    db = Database(url)
    await upgrade(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def pg_url():
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture
async def pg_db():
    async with fresh_pg_database() as url, migrated(url) as db:
        yield db


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_db(request, tmp_path):
    """A database with no tables yet, on a SQLite file and on PostgreSQL: for
    a test that upgrades it a step at a time (the rows an older version left,
    then the migration)."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.db'}")
        try:
            yield db
        finally:
            await db.dispose()
    else:
        async with fresh_pg_database() as url:
            db = Database(url)
            try:
                yield db
            finally:
                await db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def any_db(request, tmp_path):
    """The same test on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        async with migrated(f"sqlite:///{tmp_path / 'mentorbot.db'}") as db:
            yield db
    else:
        async with fresh_pg_database() as url, migrated(url) as db:
            yield db
