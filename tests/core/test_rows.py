"""bot.store.rows: what SQLModel's types cannot say, said once and checked."""

from __future__ import annotations

import pytest

from bot.store.models import AuditLog, Organisation, Person, Reminder
from bot.store.rows import fetch, pk, table_of


async def test_pk_is_the_stored_id_and_refuses_a_row_not_yet_flushed(sqlite_db):
    async with sqlite_db.write() as s:
        s.add_all([Person(id=41, name="Bo"), Organisation(id=7, name="Lund")])
        await s.flush()
        person = Person(name="Anna")
        with pytest.raises(ValueError, match="Person has no id yet"):
            pk(person)
        s.add(person)
        await s.flush()
        assert pk(person) == person.id == 42
        assert pk(await fetch(s, Organisation, 7)) == 7


async def test_fetch_gives_the_row_and_names_a_missing_one(sqlite_db):
    async with sqlite_db.write() as s:
        s.add_all([Person(id=41, name="Anna"), Person(id=42, name="Bo")])
        await s.flush()
    async with sqlite_db.read() as s:
        bo = await fetch(s, Person, 42)
        assert bo.name == "Bo"
        with pytest.raises(LookupError, match="Person 7 does not exist"):
            await fetch(s, Person, 7)


def test_table_of_is_the_model_table():
    assert table_of(Reminder) is Reminder.__table__
    assert table_of(AuditLog).name == "audit_log"
    assert "person_id" in table_of(Reminder).c
