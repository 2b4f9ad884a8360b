"""Storage: migrations from empty, the start-up check, and no lost updates."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.store.db import Database
from bot.store.migrate import SchemaOutdated, check_current, current_revision, head_revision, upgrade
from bot.store.models import Organisation, Program

TABLES = {
    "organisation", "person", "identity", "program", "program_event", "coordinator",
    "enrollment", "pairing", "meeting", "reminder", "dialog_state", "survey_response",
    "audit_log", "processed_event",
}


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda c: __import__("sqlalchemy").inspect(c).get_table_names()))


async def test_migrations_from_empty_create_every_table(any_db):
    assert TABLES <= await _tables(any_db)
    assert await current_revision(any_db) == head_revision()
    await check_current(any_db)  # does not raise


async def test_unmigrated_database_is_refused(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaOutdated):
        await check_current(db)
    await upgrade(db)
    await check_current(db)
    await db.dispose()


@pytest.mark.postgres
async def test_unmigrated_postgres_is_refused(pg_url):
    db = Database(pg_url)
    with pytest.raises(SchemaOutdated):
        await check_current(db)
    await db.dispose()


async def test_sqlite_runs_in_wal_mode(sqlite_db):
    async with sqlite_db.read() as s:
        mode = (await s.exec(text("PRAGMA journal_mode"))).scalar_one()
    assert mode.lower() == "wal"


async def test_concurrent_writers_lose_no_update(any_db):
    """20 tasks each read-modify-write the same counter 50 times."""
    async with any_db.write() as s:
        s.add(Program(slug="p", name="P", start=date(2027, 1, 1), end=date(2027, 12, 31), nudge_min_days=0))

    async def writer() -> None:
        for _ in range(50):
            async with any_db.write() as s:
                prog = (
                    await s.exec(select(Program).where(Program.slug == "p").with_for_update())
                ).one()
                prog.nudge_min_days += 1
                s.add(prog)

    await asyncio.gather(*(writer() for _ in range(20)))
    async with any_db.read() as s:
        prog = (await s.exec(select(Program).where(Program.slug == "p"))).one()
    assert prog.nudge_min_days == 20 * 50


async def test_failed_write_leaves_nothing(any_db):
    with pytest.raises(RuntimeError):
        async with any_db.write() as s:
            s.add(Organisation(name="Täby kommun"))
            await s.flush()
            raise RuntimeError("handler failed half-way")
    async with any_db.read() as s:
        assert (await s.exec(select(Organisation))).all() == []


def test_the_head_revision_read_from_the_files_is_alembics():
    from alembic.script import ScriptDirectory

    from bot.store.migrate import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
