"""`match` solves before the turn's write transaction: other people's turns
go on while the solver runs, and a cohort that changed meanwhile is not
drafted from a stale solution."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlmodel import select

from bot.commands.registry import COMMANDS
from bot.store.models import Enrollment, EnrollmentStatus, Person
from tests.core.harness import texts
from tests.matching.test_chat_flow import _pairs, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.parametrize("world", ["sv"], indirect=True)


async def test_other_turns_go_on_while_the_solver_runs(world, monkeypatch):  # noqa: F811 (the fixture)
    match = COMMANDS[("match",)]
    solving, release = asyncio.Event(), asyncio.Event()
    original = match.prepare

    async def slow_solver(turn, args):
        solving.set()
        await release.wait()  # the solver takes its time
        return await original(turn, args)

    monkeypatch.setitem(COMMANDS, ("match",), dataclasses.replace(match, prepare=slow_solver))
    matching = asyncio.ensure_future(world["Anna"].say("match"))
    await asyncio.wait_for(solving.wait(), timeout=30)
    # Meanwhile another person writes (a write transaction: on SQLite it
    # would wait for the whole solve if `match` held the write lock).
    answered = await asyncio.wait_for(world["Cecilia"].say("language en"), timeout=30)
    assert answered and not matching.done()
    release.set()
    await matching
    assert len(await _pairs(world.db)) == 3


async def test_a_cohort_that_changed_while_solving_is_not_drafted(world, monkeypatch):  # noqa: F811 (the fixture)
    match = COMMANDS[("match",)]
    original = match.prepare

    async def solver_then_someone_leaves(turn, args):
        solved = await original(turn, args)
        async with world.db.write() as s:  # during the solve, Erik leaves the program
            person = (await s.exec(select(Person).where(Person.name == "Erik"))).one()
            enrollment = (await s.exec(select(Enrollment).where(Enrollment.person_id == person.id))).one()
            enrollment.status = EnrollmentStatus.LEFT
            s.add(enrollment)
        return solved

    monkeypatch.setitem(COMMANDS, ("match",), dataclasses.replace(match, prepare=solver_then_someone_leaves))
    replies = await world["Anna"].say("match")
    assert "medan jag matchade" in texts(replies)
    assert await _pairs(world.db) == {}
