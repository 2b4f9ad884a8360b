"""Storage: migrations from empty, the start-up check, and no lost updates."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.store.db import Database
from bot.store.migrate import SchemaOutdated, check_current, current_revision, head_revision, upgrade
from bot.store.models import Identity, Organisation, Program

TABLES = {
    "organisation",
    "person",
    "identity",
    "program",
    "program_event",
    "coordinator",
    "enrollment",
    "pairing",
    "meeting",
    "reminder",
    "dialog_state",
    "survey_response",
    "audit_log",
    "processed_event",
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
                prog = (await s.exec(select(Program).where(Program.slug == "p").with_for_update())).one()
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


async def test_accounts_that_exist_before_spoke_at_count_as_having_written_unless_only_named(tmp_path):
    """Migration 0010: an account whose person has a name of their own (from
    the platform's profile) wrote; one named only by its id did not."""
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(db, "0008")
        async with db.engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO person (id, name, created_at) VALUES (7, 'Maria Holm', '2027-01-02 08:00:00'),"
                " (9, 'U0456', '2027-01-03 08:00:00')"
            )
            await conn.exec_driver_sql(
                "INSERT INTO identity (person_id, platform, tenant, user_id, unreachable) VALUES"
                " (7, 'slack', 'T1', 'U0123', 0), (9, 'slack', 'T1', 'U0456', 0)"
            )
        await upgrade(db)
        async with db.read() as session:
            spoke = {i.user_id: i.spoke_at for i in (await session.exec(select(Identity))).all()}
        assert spoke["U0456"] is None
        assert spoke["U0123"] is not None and spoke["U0123"].day == 2
    finally:
        await db.dispose()


def test_the_head_revision_read_from_the_files_is_alembics():
    from alembic.script import ScriptDirectory

    from bot.store.migrate import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
