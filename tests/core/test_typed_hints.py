"""What a new user types in the console and is answered with: an unknown
option after a quoted value is an unknown option (with the nearest real
one), not a value to quote."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import ProgramEvent
from tests.core.cockpit import paired_world


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    return await paired_world(sqlite_db, clock, request.param)  # today is 4 January 2027


async def _customs(db) -> list[ProgramEvent]:
    async with db.read() as s:
        return list((await s.exec(select(ProgramEvent).where(ProgramEvent.kind == "custom"))).all())


TITLE = {"sv": "`rubrik=`", "en": "`title=`"}
DID_YOU_MEAN = {"sv": "Menade du", "en": "Did you mean"}


@pytest.mark.parametrize(
    "line",
    [
        'event add custom 2027-03-05 10:00 plats="Knivsta bibliotek" titel="Adeptträff"',
        'event add custom 2027-03-05 10:00 place="Knivsta bibliotek" titel="X2"',
        'event add custom 2027-03-05 10:00 titel="X2" place="Knivsta bibliotek"',
        "event add custom 2027-03-05 10:00 place=Bibliotek titel=X2",
    ],
)
async def test_an_unknown_option_after_a_quoted_value_is_an_unknown_option(world, sqlite_db, line):
    (answer,) = await world["Anna"].say(line)
    assert answer.kind == "errors/unknown_option", answer.text
    assert "`titel=`" in answer.text, answer.text
    assert f"{DID_YOU_MEAN[world.locale]} {TITLE[world.locale]}" in answer.text, answer.text
    assert 'titel=Adeptträff"' not in answer.text and 'titel=X2"' not in answer.text, answer.text
    assert await _customs(sqlite_db) == []


async def test_an_unknown_option_close_to_nothing_gets_no_guess(world):
    (answer,) = await world["Anna"].say('event add custom 2027-03-05 10:00 place="Sal 2" zzqx=1')
    assert answer.kind == "errors/unknown_option", answer.text
    assert DID_YOU_MEAN[world.locale] not in answer.text, answer.text
