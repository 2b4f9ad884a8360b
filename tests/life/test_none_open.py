"""Programs run, but none is open to the person's organisation (trial 2,
finding 8): `join` says so instead of "no program is running, create one",
and `status` does not point back to `join`. A participant asked which
program is shown `program=`, not the coordinators' `program use` (finding
13). A declined invitee's `status` shows no "next event" of a program they
are not in, and the decline says `join` works (finding 32)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Organisation, Person
from tests.core.harness import World, enroll, make_core, texts, typed_cleanly

SETUP = (
    "program create Stockholm 2027 start=2027-01-19 end=2027-12-15",
    "program create Trafikverket 2027 start=2027-01-19 end=2027-12-15",
    "org add Solna stad program=stockholm-2027",
    "org add Täby kommun program=stockholm-2027",
    "org add Trafikverket program=trafikverket-2027",
    'event add kickoff 2027-01-19 13:00 place="Stadshuset" program=stockholm-2027',
)
SAY = {
    "sv": {
        "none_open": "Det pågår mentorprogram, men inget av dem är öppet för Nacka kommun",
        "coord_open": "Det pågår mentorprogram, men inget är öppet för Region Stockholm",
        "no_program": "Inget mentorprogram är igång",
        "join": "`gå med`",
        "use": "program välj",
        "next_event": "Nästa träff i programmet",
        "declined_join": "skriva `gå med`",
    },
    "en": {
        "none_open": "Mentor programs are running, but none of them is open to Nacka kommun",
        "coord_open": "Mentor programs are running, but none is open to Region Stockholm",
        "no_program": "No mentor program is running",
        "join": "`join`",
        "use": "program use",
        "next_event": "Next program event",
        "declined_join": "type `join`",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = World(make_core(sqlite_db, clock, locale=request.param, coordinators=("console:local:eva",)))
    await typed_cleanly(w["Eva"], SETUP)
    w.db, w.clock, w.say_, w.locale = sqlite_db, clock, SAY[request.param], request.param
    return w


async def _belongs(world, name: str, org: str) -> None:
    await world[name].say("help")
    async with world.db.write() as s:
        organisation = (await s.exec(select(Organisation).where(Organisation.name == org))).first()
        if organisation is None:
            organisation = Organisation(name=org)
            s.add(organisation)
            await s.flush()
        person = (await s.exec(select(Person).where(Person.name == name))).one()
        person.organisation_id = organisation.id
        s.add(person)


def _join(world) -> str:
    return "gå med" if world.locale == "sv" else "join"


async def test_a_participant_of_no_open_organisation_is_told_so_and_whom_to_ask(world):
    await _belongs(world, "Ingrid", "Nacka kommun")
    (reply,) = await world["Ingrid"].say(_join(world))
    assert reply.kind == "errors/no_program_open", reply.text
    assert world.say_["none_open"] in reply.text
    assert "stockholm-2027" not in reply.text  # a participant is told whom to ask, not the programs
    (status,) = await world["Ingrid"].say("status")
    assert world.say_["join"] not in status.text, status.text


async def test_a_coordinator_of_no_open_organisation_is_shown_the_programs_and_their_organisations(world):
    await _belongs(world, "Eva", "Region Stockholm")
    (reply,) = await world["Eva"].say(f"{_join(world)} roll=mentor" if world.locale == "sv" else "join role=mentor")
    assert reply.kind == "errors/no_program_open", reply.text
    assert world.say_["coord_open"] in reply.text
    assert "`stockholm-2027`" in reply.text and "Solna stad" in reply.text and "Trafikverket" in reply.text
    assert world.say_["no_program"] not in reply.text
    (status,) = await world["Eva"].say("status")
    assert world.say_["join"] not in status.text, status.text


async def test_status_still_points_to_join_when_a_program_is_open(world):
    await _belongs(world, "Lisa", "Solna stad")
    (status,) = await world["Lisa"].say("status")
    assert world.say_["join"] in status.text, status.text


async def test_a_participant_asked_which_program_is_not_told_to_use_a_coordinator_command(world):
    await enroll(world.db, world.clock, 1, "Bo", "mentor", "Solna stad", ["budget"])
    await enroll(world.db, world.clock, 2, "Bo", "mentor", "Solna stad", ["budget"])
    (reply,) = await world["Bo"].say("nominate Fredrik He is great")
    assert reply.kind == "errors/program_ambiguous", reply.text
    assert "program=" in reply.text and world.say_["use"] not in reply.text


async def test_a_declined_invitee_sees_no_next_event_and_is_told_join_works(world):
    await _belongs(world, "Dora", "Täby kommun")
    await world["Eva"].say("invite Dora program=stockholm-2027")
    (invitation,) = world["Dora"].inbox()
    declined = await world["Dora"].choose(2, [invitation])
    assert world.say_["declined_join"] in texts(declined)
    (status,) = await world["Dora"].say("status")
    assert world.say_["next_event"] not in status.text, status.text
