"""`coordinator add|remove` take a person the way other commands do
(`bot.people.resolve_person`): the name of someone who has written to the
bot, of several words, with or without quotes, in any case, besides a
mention, a key or an e-mail address; a name no one has is answered with
every form that is accepted. In Swedish and English."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Coordinator
from tests.core.harness import commands_world, texts

ADD = {"sv": "samordnare lägg-till", "en": "coordinator add"}
REMOVE = {"sv": "samordnare ta-bort", "en": "coordinator remove"}
SHOW = {"sv": "program visa", "en": "program show"}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await commands_world(sqlite_db, clock, request.param)
    await w["Emma Clarke"].say("hej")  # known by name: she has written to the bot
    return w


async def _keys(db) -> list[str]:
    async with db.read() as s:
        return sorted((await s.exec(select(Coordinator.key))).all())


@pytest.mark.parametrize("typed", ["Emma Clarke", '"Emma Clarke"', "emma clarke"])
async def test_a_name_makes_that_person_a_coordinator(world, sqlite_db, typed):
    (reply,) = await world["Anna"].say(f"{ADD[world.locale]} {typed}")
    assert reply.kind == "commands/coordinator_added", reply.text
    assert await _keys(sqlite_db) == ["console:local:emma.clarke"]
    assert "Mentorprogram 2027" in texts(await world["Emma Clarke"].say(SHOW[world.locale]))


async def test_a_name_removes_the_coordinator_it_names(world, sqlite_db):
    await world["Anna"].say(f"{ADD[world.locale]} console:local:emma.clarke")
    (reply,) = await world["Anna"].say(f"{REMOVE[world.locale]} Emma Clarke")
    assert reply.kind == "commands/coordinator_removed", reply.text
    assert await _keys(sqlite_db) == []


async def test_a_name_no_one_has_is_answered_with_what_is_accepted(world, sqlite_db):
    (reply,) = await world["Anna"].say(f"{ADD[world.locale]} Emma Clark")
    assert reply.kind == "errors/bad_coordinator_key", reply.text
    accepted = {
        "sv": (
            "`Emma Clark`",
            "namnet på någon som har skrivit till mig",
            "@namn",
            "`slack:T0123:U0456`",
            "e-postadress",
        ),
        "en": (
            "`Emma Clark`",
            "name of someone who has written to me",
            "@name",
            "`slack:T0123:U0456`",
            "e-mail address",
        ),
    }[world.locale]
    for words in accepted:
        assert words in reply.text, (words, reply.text)
    assert await _keys(sqlite_db) == []
