"""The closing event decides the day the pairs' nudges stop
(`bot.reminders.closeout.nudges_stop`): when a coordinator moves it, removes
it, restores it or adds one, every running pair's next nudge is planned
again in the turn of the command, not only at the next sweep. A nudge due
on or after the new closing day is cancelled; one the closing no longer
stops is planned again."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from bot.reminders.planner import plan_all
from bot.store.models import ProgramEvent, Reminder
from tests.core.harness import texts
from tests.life.helpers import Year

DECEMBER = "2027-12-14"


async def _pending_nudges(year: Year) -> dict[str, date]:
    """Key -> round day of every pending nudge."""
    async with year.db.read() as s:
        rows = (await s.exec(select(Reminder).where(Reminder.kind == "nudge", Reminder.status == "pending"))).all()
    return {r.key: date.fromisoformat(r.context["round"]) for r in rows}


async def _say(year: Year, line: str, kind: str) -> None:
    replies = await year["Anna"].say(line)
    assert [r.kind for r in replies] == [kind], texts(replies)


async def test_moving_removing_restoring_or_adding_the_closing_event_replans_the_pairs_nudges(sqlite_db, clock):
    year = Year(sqlite_db, clock, "sv")
    await year.start()
    await _say(year, f"event add closing {DECEMBER} 15:00", "commands/event_added")
    # An earlier event added after it: the closing's number (1) is not its place in the list (2).
    await _say(year, "event add kickoff 2027-02-01 13:00", "commands/event_added")
    async with year.db.read() as s:
        closing = (await s.exec(select(ProgramEvent).where(col(ProgramEvent.kind) == "closing"))).one()
    assert closing.id == 1
    await year.run_until(date(2027, 6, 1))

    planned = await _pending_nudges(year)
    assert planned, "every running pair has its next nudge"
    last = max(planned.values())
    before = {k for k, day in planned.items() if day < last}  # rounds the earlier closing does not stop
    stopped = set(planned) - before
    assert stopped

    # Moved earlier, to the day of the last planned round: that round is not sent.
    await _say(year, f"event edit {closing.id} date={last.isoformat()}", "commands/event_edited")
    assert set(await _pending_nudges(year)) == before
    async with year.db.read() as s:
        rows = (await s.exec(select(Reminder).where(col(Reminder.key).in_(stopped)))).all()
    assert {r.status for r in rows} == {"cancelled"}

    # Moved back later: the rounds come back.
    await _say(year, f"event edit {closing.id} date={DECEMBER}", "commands/event_edited")
    assert await _pending_nudges(year) == planned

    # Removed (the end date rules) and restored.
    await _say(year, f"event edit {closing.id} date={last.isoformat()}", "commands/event_edited")
    assert set(await _pending_nudges(year)) == before
    await _say(year, f"event remove {closing.id} confirm=yes", "commands/event_removed")
    assert await _pending_nudges(year) == planned
    await _say(year, f"event restore {closing.id}", "commands/event_restored")
    assert set(await _pending_nudges(year)) == before

    # A closing event added where there was none.
    await _say(year, f"event remove {closing.id} confirm=yes", "commands/event_removed")
    assert await _pending_nudges(year) == planned
    await _say(year, f"event add closing {last.isoformat()} 15:00", "commands/event_added")
    assert set(await _pending_nudges(year)) == before

    # Planning everything again changes nothing: the turn left the plan as the planner would.
    async with year.db.write() as s:
        await plan_all(s, year.clock.now())
    assert set(await _pending_nudges(year)) == before
