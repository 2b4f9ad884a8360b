"""The program a person's turn is about when it names none, read with the
person in the turn's first statement (`bot.people.turn_start`): the running
program they joined first and have not left or declined, else none: not
another program that merely runs (`bot.language`, rule 4)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.messages import Actor, Platform
from bot.people import person_for_actor, turn_start
from bot.store.models import Enrollment, EnrollmentStatus, Program
from tests.scheduler.helpers import make_program

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
EVA = Actor(Platform.CONSOLE, "local", "eva", display_name="Eva")


async def program_of(db, actor: Actor = EVA):
    async with db.write() as s:
        _, _, _, program = await turn_start(s, actor, NOW, f"press:{actor.key}|")
    return program.slug if program is not None else None


async def _set(db, model, row_id: int, **values) -> None:
    async with db.write() as s:
        row = await s.get(model, row_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        s.add(row)


async def test_the_turns_program_is_the_running_one_they_joined_first_else_none(any_db):
    assert await program_of(any_db) is None  # no program at all (and Eva is met just now)
    async with any_db.write() as s:
        alfa = await make_program(s, slug="alfa")
        beta = await make_program(s, slug="beta")
        gamma = await make_program(s, slug="gamma")
        eva, _ = await person_for_actor(s, EVA, NOW)
        alfa_id, beta_id, gamma_id, eva_id = alfa.id, beta.id, gamma.id, eva.id
    assert await program_of(any_db) is None  # enrolled nowhere: none, whatever runs
    assert await program_of(any_db, Actor(Platform.CONSOLE, "local", "new")) is None  # met just now: the same

    async with any_db.write() as s:
        for program_id in (beta_id, alfa_id):  # beta first, then alfa
            s.add(Enrollment(program_id=program_id, person_id=eva_id, role="adept", status=EnrollmentStatus.ACTIVE))
        await s.flush()
        declined = Enrollment(program_id=gamma_id, person_id=eva_id, role="mentor", status=EnrollmentStatus.DECLINED)
        s.add(declined)
        await s.flush()
        declined_id = declined.id
    assert await program_of(any_db) == "beta"  # the one they joined first: a later one changes nothing

    await _set(any_db, Program, beta_id, status="closed")
    assert await program_of(any_db) == "alfa"  # beta no longer runs: the next they joined

    await _set(any_db, Program, alfa_id, status="closed")
    assert await program_of(any_db) is None  # gamma runs, but they declined it
    await _set(any_db, Enrollment, declined_id, status=EnrollmentStatus.INVITED)
    assert await program_of(any_db) == "gamma"  # invited: theirs, until they say no
    await _set(any_db, Program, gamma_id, status="closed")
    assert await program_of(any_db) is None  # nothing of theirs runs
