"""`org remove` while people from the organisation take part (the probe:
`organisation ta-bort Ljungby kommun` with two people in running pairs went
through at once): the coordinator is told what it affects and asked, with
Yes / No buttons or the same line with `confirm=yes` (`bekräfta=ja`); an
organisation nobody in the program comes from goes at once. Swedish and
English, through the console."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Enrollment, EnrollmentStatus, ProgramOrganisation
from tests.core.cockpit import paired_world
from tests.core.harness import texts

SAY = {
    "sv": {
        "asked": "2 personer från Knivsta kommun är med i Mentorprogram 2027, och 1 av dem i 1 par som pågår. "
        "Tar du bort Knivsta kommun ur programmet fortsätter paren och ligger anmälningarna kvar, men ingen mer "
        "från Knivsta kommun kan gå med",
        "removed": "Knivsta kommun deltar inte längre i Mentorprogram 2027.",
        "kept": "Okej, jag gjorde ingenting.",
        "typed": "organisation ta-bort Knivsta kommun bekräfta=ja",
    },
    "en": {
        "asked": "2 people from Knivsta kommun take part in Mentorprogram 2027, 1 of them in 1 pair that is "
        "running. If you remove Knivsta kommun from the program, the pairs go on and their sign-ups stay, but "
        "nobody else from Knivsta kommun can join",
        "removed": "Knivsta kommun no longer takes part in Mentorprogram 2027.",
        "kept": "All right, I did nothing.",
        "typed": "org remove Knivsta kommun confirm=yes",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    """Frida (Knivsta) is Cecilia's (Täby) mentor; Erik (Knivsta) waits for approval."""
    w = await paired_world(sqlite_db, clock, request.param)
    w.say = SAY[request.param]
    return w


async def _taking_part(world) -> set[int]:
    async with world.core.db.read() as s:
        return {link.organisation_id for link in (await s.exec(select(ProgramOrganisation))).all()}


async def test_removing_an_organisation_people_take_part_from_asks_first(world):
    anna, say = world["Anna"], world.say
    before = await _taking_part(world)
    asked = await anna.say("org remove Knivsta kommun")
    assert [m.kind for m in asked] == ["commands/org_remove_confirm"]
    assert say["asked"] in asked[0].text, asked[0].text
    assert await _taking_part(world) == before  # nothing done yet
    assert say["kept"] in texts(await anna.choose(2, asked))  # No
    assert await _taking_part(world) == before
    asked = await anna.say("org remove Knivsta kommun")
    assert say["removed"] in texts(await anna.choose(1, asked))  # Yes
    assert len(await _taking_part(world)) == len(before) - 1


async def test_the_confirmation_can_be_typed_and_an_organisation_nobody_comes_from_goes_at_once(world):
    anna, say = world["Anna"], world.say
    assert say["removed"] in texts(await anna.say(say["typed"]))
    await anna.say("org add Solna stad")
    (reply,) = await anna.say("org remove Solna stad")
    assert reply.kind == "commands/org_removed"


async def test_people_who_left_do_not_count(world):
    async with world.core.db.write() as s:
        for row in (await s.exec(select(Enrollment))).all():
            row.status = EnrollmentStatus.LEFT
            s.add(row)
    (reply,) = await world["Anna"].say("org remove Knivsta kommun")
    assert reply.kind == "commands/org_removed"
