"""Planning is idempotent by key: a row offered again is not inserted again
and does not overwrite the one there; a large offer (a sweep re-offering a
program's survey rows) reads the known keys first and sends only the new
rows to the INSERT."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from bot.reminders.store import LOOK_FIRST, Planned, insert_if_absent
from tests.scheduler.helpers import reminders


def offer(clock, keys, *, template="surveys/survey") -> list[Planned]:
    return [
        Planned(key=k, kind="survey", template=template, due_at=clock.now() + timedelta(days=1), subject=f"s:{k}")
        for k in keys
    ]


@pytest.mark.parametrize("size", [3, LOOK_FIRST + 4])
async def test_a_row_offered_again_is_neither_doubled_nor_overwritten(any_db, clock, size):
    keys = [f"k{i}" for i in range(size)]
    async with any_db.write() as s:
        await insert_if_absent(s, offer(clock, keys), clock.now())
    inserts: list[int] = []

    def seen(_conn, _cursor, statement, parameters, _context, executemany):
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(len(parameters) if executemany else 1)

    event.listen(any_db.units_engine, "before_cursor_execute", seen)
    try:
        async with any_db.write() as s:
            await insert_if_absent(s, offer(clock, [*keys, "new1", "new2"], template="changed"), clock.now())
    finally:
        event.remove(any_db.units_engine, "before_cursor_execute", seen)
    rows = {r.key: r for r in await reminders(any_db)}
    assert sorted(rows) == sorted([*keys, "new1", "new2"])
    assert {rows[k].template for k in keys} == {"surveys/survey"}  # the rows there were left as they were
    assert {rows[k].template for k in ("new1", "new2")} == {"changed"}
    if size >= LOOK_FIRST:  # only the new rows went to the INSERT
        assert inserts == [2]
