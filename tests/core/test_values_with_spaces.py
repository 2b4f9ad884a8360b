"""A named value with spaces typed without quotes (`org=Solna stad`) is
answered with how it is written (`org="Solna stad"`, the whole line
written out), not with an unrelated error or a wrong result; nothing is
done. A line that does not read with the words in the value either keeps
its own answer."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import ProgramEvent
from tests.core.cockpit import paired_world


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    return await paired_world(sqlite_db, clock, request.param)


HINT = {"sv": "ett värde med mellanslag skriver du inom citattecken", "en": "put a value with spaces in quotes"}


@pytest.mark.parametrize(
    "line, quoted, written",
    [
        ("deltagare org=solna stad", 'org="solna stad"', 'deltagare org="solna stad"'),
        ("participants org=Solna stad", 'org="Solna stad"', 'participants org="Solna stad"'),
        ("participants org=Täby kommun role=adept", 'org="Täby kommun"', 'participants org="Täby kommun" role=adept'),
    ],
)
async def test_an_organisation_with_spaces_without_quotes(world, line, quoted, written):
    (answer,) = await world["Anna"].say(line)
    assert answer.kind == "errors/value_in_quotes", answer.text
    assert HINT[world.locale] in answer.text, answer.text
    assert f"`{quoted}`" in answer.text and f"`{written}`" in answer.text, answer.text


async def test_a_place_with_spaces_before_the_time(world, sqlite_db):
    (answer,) = await world["Anna"].say("event add inspiration 2027-09-14 place=Sal 2 10:00")
    assert answer.kind == "errors/value_in_quotes", answer.text
    assert '`event add inspiration 2027-09-14 place="Sal 2" 10:00`' in answer.text, answer.text
    async with sqlite_db.read() as s:
        places = {e.place for e in (await s.exec(select(ProgramEvent))).all()}
    assert "Sal" not in places


async def test_a_line_that_does_not_read_either_way_keeps_its_answer(world):
    (answer,) = await world["Anna"].say("event add place=Sal kickoff 2027-13-01")
    assert answer.kind == "errors/no_such_month", answer.text
