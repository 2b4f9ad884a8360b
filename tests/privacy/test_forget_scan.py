"""`forget` after a whole program year leaves nothing that names the person:
every text and JSON column of every table is searched for their name,
e-mail, platform ids and each answer they gave, on SQLite and PostgreSQL.
Leaving out any one erasure step makes the scan (or the link check) fail."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from bot.privacy import erase
from bot.store.db import Database
from tests.conftest import fresh_pg_database, migrated
from tests.privacy.year import Year, build_year, forget, needles, scan, traces

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def sqlite_year(tmp_path_factory):
    """One year on a SQLite file, built once; each test works on a copy."""
    path = tmp_path_factory.mktemp("year") / "year.db"

    async def build() -> Year:
        async with migrated(f"sqlite:///{path}") as db:
            return await build_year(f"sqlite:///{path}", db)

    return path, asyncio.run(build())


def copy_of(sqlite_year, tmp_path) -> tuple[str, Year]:
    path, year = sqlite_year
    copy = tmp_path / "copy.db"
    shutil.copyfile(path, copy)
    return f"sqlite:///{copy}", year


async def leaks(db: Database, year: Year) -> list[str]:
    words = needles(year.adept) + needles(year.mentor)
    return await scan(db, words) + await traces(db, year.adept) + await traces(db, year.mentor)


async def test_the_year_names_them_before_forget(sqlite_year, tmp_path):
    url, year = copy_of(sqlite_year, tmp_path)
    db = Database(url)
    try:
        found = await leaks(db, year)
    finally:
        await db.dispose()
    tables = {f.split(".")[0] for f in found}
    # The scan is only worth something if every place a person is named is populated.
    assert {
        "person",
        "identity",
        "enrollment",
        "audit_log",
        "reminder",
        "coordinator",
        "survey_response",
        "dialog_state",
    } <= tables, tables


async def test_forget_after_a_year_leaves_nothing_on_sqlite(sqlite_year, tmp_path):
    url, year = copy_of(sqlite_year, tmp_path)
    db = Database(url)
    try:
        await forget(db, url, year.adept, year.mentor)
        assert await leaks(db, year) == []
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_forget_after_a_year_leaves_nothing_on_postgres():
    async with fresh_pg_database() as url, migrated(url) as db:
        year = await build_year(url, db)
        assert await leaks(db, year)
        await forget(db, url, year.adept, year.mentor)
        assert await leaks(db, year) == []


@pytest.mark.parametrize("step", erase.STEPS)
async def test_leaving_out_any_step_leaves_a_trace(sqlite_year, tmp_path, monkeypatch, step):
    async def skipped(session, subject, now):
        return None

    monkeypatch.setattr(erase, step, skipped)
    url, year = copy_of(sqlite_year, tmp_path)
    db = Database(url)
    try:
        await forget(db, url, year.adept, year.mentor)
        assert await leaks(db, year), f"without the {step!r} step forget still looks complete"
    finally:
        await db.dispose()
