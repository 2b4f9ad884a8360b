"""How many SQL statements rendering a due row costs (issue 17: in a
200-person year the dispatcher's rendering issued about five per row).
A row reads its reader, their identities and its program in one statement,
and what its kind needs in one more; the two nudges of a pair, rendered in
one transaction, read the pair once. Counted on the real SQLite file
through an SQLAlchemy listener, BEGIN included."""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Config
from bot.i18n import translator_for
from bot.reminders.planner import plan_program
from bot.reminders.render import Ready, Renderer, Skip
from bot.store.models import Enrollment, EnrollmentStatus, ProgramEvent, Reminder, ReminderStatus
from tests.scheduler.helpers import make_event, make_pair, make_person, make_program

PAIRS = 3


@contextmanager
def counted():
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_rest):
        seen.append(statement[:100].replace("\n", " "))

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", listener)


async def a_planned_year(db, clock) -> dict[str, list[Reminder]]:
    """Three running pairs in a program with its meetings, everything planned:
    the pending rows by kind."""
    async with db.write() as s:
        program = await make_program(s)
        await make_event(s, program, "kickoff", datetime(2027, 2, 2, 8, 0, tzinfo=UTC))
        await make_event(s, program, "inspiration", datetime(2027, 4, 15, 8, 0, tzinfo=UTC))
        await make_event(s, program, "closing", datetime(2027, 12, 9, 13, 0, tzinfo=UTC))
        for n in range(PAIRS):
            adept, mentor = await make_person(s, f"Adept{n}"), await make_person(s, f"Mentor{n}")
            await make_pair(s, program, adept, mentor, clock.now())
        await plan_program(s, program, clock.now())
    async with db.read() as s:
        query = select(Reminder).where(Reminder.status == ReminderStatus.PENDING).order_by(Reminder.id)
        rows = list((await s.exec(query)).all())
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    return by_kind


async def test_a_due_row_costs_at_most_two_statements_and_a_pair_is_read_once(sqlite_db, clock):
    by_kind = await a_planned_year(sqlite_db, clock)
    renderer = Renderer(Config(), translator_for(Config()))
    costs = {}
    for kind in ("nudge", "event", "closeout", "survey", "survey_reminder"):
        rows = by_kind[kind]
        assert rows, f"no {kind} row was planned"
        with counted() as seen:
            async with sqlite_db.read() as s:  # as the dispatcher renders a chunk: one read transaction
                prepared = [await renderer.prepare(s, row, clock.now()) for row in rows]
        assert all(isinstance(p, Ready) for p in prepared), (kind, prepared)
        costs[kind] = (len(rows), len(seen), seen)
    for kind, (n, count, seen) in costs.items():
        # BEGIN, then per row: its reader and program, and what its kind needs
        # (a nudge's pair is read once for both of its members).
        most = 1 + (n + n // 2 if kind == "nudge" else 2 * n)
        assert count <= most, f"{n} {kind} rows took {count} statements (at most {most}):\n" + "\n".join(seen)


async def test_what_rows_share_in_a_transaction_is_read_again_after_a_write(sqlite_db, clock):
    """The pair and closing moment read for one nudge are not believed after
    the session wrote: the closing event moved before the round meanwhile,
    and the pair's other member's nudge is not sent."""
    by_kind = await a_planned_year(sqlite_db, clock)
    renderer = Renderer(Config(), translator_for(Config()))
    first = by_kind["nudge"][0]
    (second,) = [r for r in by_kind["nudge"][1:] if r.context["pairing_id"] == first.context["pairing_id"]]
    async with sqlite_db.write() as s:
        assert isinstance(await renderer.prepare(s, first, clock.now()), Ready)
        closing = (await s.exec(select(ProgramEvent).where(ProgramEvent.kind == "closing"))).one()
        closing.starts_at = clock.now()
        s.add(closing)
        await s.flush()
        what = await renderer.prepare(s, second, clock.now())
    assert what == Skip("the close-out has begun: the program's pairs are not nudged any more")


async def test_a_reader_no_longer_active_gets_no_event_reminder(sqlite_db, clock):
    """The event's reminder asks, in the same statement as the event, whether
    its reader still takes part."""
    by_kind = await a_planned_year(sqlite_db, clock)
    renderer = Renderer(Config(), translator_for(Config()))
    row = by_kind["event"][0]
    async with sqlite_db.write() as s:
        enrollment = (await s.exec(select(Enrollment).where(Enrollment.person_id == row.person_id))).one()
        enrollment.status = EnrollmentStatus.LEFT
        s.add(enrollment)
    async with sqlite_db.read() as s:
        what = await renderer.prepare(s, row, clock.now())
    assert what == Skip("no longer an active participant")
