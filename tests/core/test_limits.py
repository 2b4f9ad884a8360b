"""Limits: a per-person rate limit in the core (a burst, then one polite
"slow down", then silence), nominations only by the people the program
allows and at most a few a day, and stale or foreign buttons that do nothing
but say so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.i18n import render
from bot.ratelimit import BURST, RateLimit
from bot.store.models import AuditLog, Enrollment, Program
from tests.core.harness import World, enroll, make_core, texts


class FakeMonotonic:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_flood_gets_one_slow_down_and_others_are_answered_as_usual(sqlite_db, clock):
    tick = FakeMonotonic()
    world = World(make_core(sqlite_db, clock, locale="en", rate_limit=RateLimit(monotonic=tick)))
    flood = [await world["Mallory"].say("status") for _ in range(BURST + 40)]
    kinds = [replies[0].kind if replies else None for replies in flood]
    assert kinds[:BURST] == ["commands/status"] * BURST
    assert kinds[BURST] == "errors/slow_down"
    assert kinds[BURST + 1 :] == [None] * 39  # silence, and no database work
    assert (await world["Eva"].say("status"))[0].kind == "commands/status"  # someone else: unaffected
    tick.now += 5  # a few seconds later Mallory may speak again
    assert (await world["Mallory"].say("status"))[0].kind == "commands/status"


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_by_default_only_the_program_participants_and_coordinators_nominate(sqlite_db, clock, locale):
    world = World(make_core(sqlite_db, clock, locale=locale))
    await world["Anna"].say("program create P start=2027-01-19 end=2027-12-31")
    await world["Anna"].say("org add Täby kommun")
    async with sqlite_db.read() as session:
        program = (await session.exec(select(Program))).one()
    assert program.nominators == "participants"  # nobody chose it: the default
    refused = await world["Stranger"].say("nominate console:local:bo Great")
    assert texts(refused) == render(locale, "errors/nominators_only_participants", program=program)
    assert world["Bo"].inbox() == []
    async with sqlite_db.read() as session:
        assert (await session.exec(select(Enrollment))).all() == []
    await enroll(sqlite_db, clock, program.id, "Eva", "adept", "Täby kommun", ["ledarskap"])  # she takes part
    assert (await world["Eva"].say("nominate console:local:bo Great"))[0].kind == "commands/nominated"
    assert (await world["Anna"].say("nominate console:local:cid Great"))[0].kind == "commands/nominated"
    await world["Anna"].say("program set nominators=anyone")  # the program opens it to area managers
    assert (await world["Stranger"].say("nominate console:local:dan Great"))[0].kind == "commands/nominated"


async def test_nominations_are_capped_per_day(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    await world["Anna"].say("program create P start=2027-01-19 end=2027-12-31")
    await world["Anna"].say("program set nominators=anyone")  # the cap holds whoever may nominate
    eva = world["Eva"]
    answers = [(await eva.say(f"nominate console:local:person{n} Good"))[0].kind for n in range(7)]
    assert answers == ["commands/nominated"] * 5 + ["errors/nomination_cap"] * 2
    clock.advance(timedelta(days=1, minutes=1))
    assert (await eva.say("nominate console:local:person9 Good"))[0].kind == "commands/nominated"
    # A coordinator is not capped.
    for n in range(7):
        assert (await world["Anna"].say(f"nominate console:local:c{n} Good"))[0].kind == "commands/nominated"


async def test_a_stale_leave_button_does_nothing_but_say_so(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    await world["Anna"].say("program create P start=2027-01-19 end=2027-12-31")
    async with sqlite_db.read() as session:
        program_id = (await session.exec(select(Program.id))).one()
    for _ in range(20):
        answer = await world["Mallory"].click("leave.confirm", str(program_id))
        assert answer[0].kind == "errors/stale_action"
    assert world["Anna"].inbox() == []  # no "X has left" for the coordinators
    async with sqlite_db.read() as session:
        assert "leave" not in (await session.exec(select(AuditLog.action))).all()
