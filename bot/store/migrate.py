"""Alembic, driven from code: `mentorbot db upgrade` and the start-up check.

Upgrades are serialised: on PostgreSQL under a transaction-scoped advisory
lock, on SQLite under an exclusive lock on a file beside the database
(`<db>.migrate.lock`). A second `db upgrade` started at the same time waits
for the first, then finds the database at head and does nothing.
"""

from __future__ import annotations

import asyncio
import fcntl
import re
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# One advisory lock key for every mentorbot database (a signed 64-bit number).
ADVISORY_LOCK_KEY = zlib.crc32(b"mentorbot.migrations")


class SchemaOutdated(Exception):
    """The database is not at the newest migration."""


def alembic_config() -> Config:
    from alembic.config import Config  # alembic (some 9 MB) only when migrating

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([^'\"\s]+|None)['\"]?\s*$", re.MULTILINE)


def head_revision() -> str:
    """The newest migration, read from the migration files' `revision` and
    `down_revision` lines (what alembic's ScriptDirectory reads, without
    importing alembic at every start; a test keeps the two equal)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((name, value) for name, value in _REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision"))
    heads = sorted(revisions - parents)
    if len(heads) != 1:  # pragma: no cover - the package always ships one chain of migrations
        raise SchemaOutdated(f"migration heads: {heads or 'none'}")
    return heads[0]


def sqlite_lock_path(url: str) -> Path | None:
    """The lock file beside a SQLite database file; None for memory databases."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database + ".migrate.lock")


def _open_lock_file(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "a+b")


@asynccontextmanager
async def _file_lock(path: Path) -> AsyncIterator[None]:
    handle = await asyncio.to_thread(_open_lock_file, path)
    try:
        # flock blocks, so wait for it in a thread; released when the file closes.
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()


async def _advisory_lock(conn: AsyncConnection) -> None:
    """Held until the upgrade's transaction ends (commit or rollback)."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})


async def upgrade(db: Database, revision: str = "head") -> str:
    """Apply migrations up to `revision`; returns the revision now current."""
    lock_path = sqlite_lock_path(db.url) if db.sqlite else None
    if lock_path is not None:
        async with _file_lock(lock_path):
            await _upgrade(db, revision)
    else:
        await _upgrade(db, revision)
    return await current_revision(db) or ""


async def _upgrade(db: Database, revision: str) -> None:
    cfg = alembic_config()

    def _run(connection) -> None:
        from alembic import command

        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with db.writer(), db.engine.begin() as conn:
        if db.dialect == "postgresql":
            await _advisory_lock(conn)
        await conn.run_sync(_run)


async def current_revision(db: Database) -> str | None:
    """The revision in alembic's own table (None on an empty database)."""
    async with db.engine.connect() as conn:
        try:
            return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        except exc.DBAPIError as error:  # no table yet: nothing was ever migrated
            if "alembic_version" in str(error):
                return None
            raise


async def check_current(db: Database) -> None:
    """Raise SchemaOutdated unless the database is at head."""
    current = await current_revision(db)
    head = head_revision()
    if current != head:
        raise SchemaOutdated(current or "empty")
