"""The program a person's turn is about, read with the person in the turn's
first statement (`bot.people.turn_start`): the newest running program they
are enrolled in, else the first running one, else none."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.messages import Actor, Platform
from bot.people import person_for_actor, turn_start
from bot.store.models import Enrollment, EnrollmentStatus
from tests.scheduler.helpers import make_program

NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
EVA = Actor(Platform.CONSOLE, "local", "eva", display_name="Eva")


async def program_of(db, actor: Actor = EVA):
    async with db.write() as s:
        _, _, _, program = await turn_start(s, actor, NOW, f"press:{actor.key}|")
    return program.slug if program is not None else None


async def test_the_turns_program_is_their_newest_running_one_else_the_first_running(any_db):
    assert await program_of(any_db) is None  # no program at all (and Eva is met just now)
    async with any_db.write() as s:
        alfa = await make_program(s, slug="alfa")
        beta = await make_program(s, slug="beta")
        gamma = await make_program(s, slug="gamma")
        eva, _ = await person_for_actor(s, EVA, NOW)
        alfa_id, beta_id, gamma_id, eva_id = alfa.id, beta.id, gamma.id, eva.id
    assert await program_of(any_db) == "alfa"  # enrolled nowhere: the first running
    assert await program_of(any_db, Actor(Platform.CONSOLE, "local", "new")) == "alfa"  # met just now: the same

    async with any_db.write() as s:
        for program_id in (alfa_id, beta_id):
            s.add(Enrollment(program_id=program_id, person_id=eva_id, role="adept", status=EnrollmentStatus.ACTIVE))
    assert await program_of(any_db) == "beta"  # the newest they are in, not gamma

    async with any_db.write() as s:
        closed = await s.get(type(beta), beta_id)
        assert closed is not None
        closed.status = "closed"
        s.add(closed)
    assert await program_of(any_db) == "alfa"  # beta no longer runs

    async with any_db.write() as s:
        for program_id in (alfa_id, gamma_id):
            ended = await s.get(type(beta), program_id)
            assert ended is not None
            ended.status = "closed"
            s.add(ended)
    assert await program_of(any_db) is None  # nothing runs
