"""Role conflicts are said before an invitation goes out (trial 2, finding 5):
a mentor invited as an adept, an adept nominated as a mentor, an adept
invited to a second program at the same time. The coordinator is told and
asked; Yes (the button, or the line again with `confirm=yes`) invites;
nothing reaches the person before that. A key obeys the same organisation
rule as a name (finding 34), and a participant who nominates someone who is
already a mentor is told so (finding 33)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Enrollment, EnrollmentStatus, Organisation, Pairing, PairStatus, Person, Program
from tests.core.harness import World, confirmed, enroll, make_core, texts, typed_cleanly

SETUP = (
    "program create Stockholm 2027 start=2027-01-19 end=2027-12-15",
    "program create Trafikverket 2027 start=2027-01-19 end=2027-12-15",
    "org add Solna stad program=stockholm-2027",
    "org add Täby kommun program=stockholm-2027",
    "org add Solna stad program=trafikverket-2027",
    "org add Trafikverket program=trafikverket-2027",
    "org add Region Stockholm program=stockholm-2027",
)
T = "program=trafikverket-2027"
SAY = {
    "sv": {
        "bo": "Bo är mentor i Stockholm 2027 (anmäld, 2 adepter)",
        "bo_years": "chef i 15 år – en adept ska ha varit chef i högst 36 månader",
        "invite_anyway": "Bjuda in Bo som adept i Trafikverket 2027 ändå?",
        "cecilia": "Cecilia är adept i Stockholm 2027 (anmäld)",
        "cecilia_months": "chef i 8 månader – en mentor ska ha varit chef i minst 5 år",
        "nominate_anyway": "Nominera Cecilia som mentor i Trafikverket 2027 ändå?",
        "anna": "Anna är adept i Stockholm 2027 (anmäld)",
        "gustav": "Gustav hör till Region Stockholm, som inte är med i Trafikverket 2027",
        "fredrik": "Fredrik är redan mentor i Stockholm 2027",
    },
    "en": {
        "bo": "Bo is a mentor in Stockholm 2027 (signed up, 2 mentees)",
        "bo_years": "a manager for 15 years – a mentee should have been a manager for at most 36 months",
        "invite_anyway": "Invite Bo as a mentee in Trafikverket 2027 anyway?",
        "cecilia": "Cecilia is a mentee in Stockholm 2027 (signed up)",
        "cecilia_months": "a manager for 8 months – a mentor should have been a manager for at least 5 years",
        "nominate_anyway": "Nominate Cecilia as a mentor in Trafikverket 2027 anyway?",
        "anna": "Anna is a mentee in Stockholm 2027 (signed up)",
        "gustav": "Gustav belongs to Region Stockholm, which does not take part in Trafikverket 2027",
        "fredrik": "Fredrik is already a mentor in Stockholm 2027",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = World(make_core(sqlite_db, clock, locale=request.param, coordinators=("console:local:eva",)))
    await typed_cleanly(w["Eva"], SETUP)
    w.db, w.clock, w.say_ = sqlite_db, clock, SAY[request.param]
    async with sqlite_db.read() as s:
        w.ids = {p.slug: p.id for p in (await s.exec(select(Program))).all()}
    stockholm = w.ids["stockholm-2027"]
    cast = (
        ("Bo", "mentor", "Solna stad", 180),
        ("Fredrik", "mentor", "Solna stad", 120),
        ("Anna", "adept", "Solna stad", 10),
        ("Cecilia", "adept", "Solna stad", 8),
        ("Dora", "adept", "Täby kommun", 12),
    )
    for name, role, org, months in cast:
        await w[name].say("hjälp" if request.param == "sv" else "help")  # has written to the bot: reachable
        await enroll(sqlite_db, clock, stockholm, name, role, org, ["budget"], capacity=2)
        await _set_months(w, name, months)
    await _pair(w, "Bo", "Anna", "Dora")
    for name in ("Bo", "Anna", "Cecilia", "Fredrik"):
        w[name].inbox()
    return w


async def _set_months(world, name: str, months: int) -> None:
    async with world.db.write() as s:
        person = (await s.exec(select(Person).where(Person.name == name))).one()
        enrollment = (await s.exec(select(Enrollment).where(Enrollment.person_id == person.id))).one()
        enrollment.answers = {**enrollment.answers, "months_as_manager": months}
        s.add(enrollment)


async def _pair(world, mentor: str, *adepts: str) -> None:
    async with world.db.write() as s:

        async def enrollment_of(name):
            person = (await s.exec(select(Person).where(Person.name == name))).one()
            return (await s.exec(select(Enrollment).where(Enrollment.person_id == person.id))).one()

        m = await enrollment_of(mentor)
        for adept in adepts:
            a = await enrollment_of(adept)
            s.add(Pairing(program_id=m.program_id, adept_id=a.id, mentor_id=m.id, status=PairStatus.ANNOUNCED))


async def _roles(world, name: str) -> dict[int, tuple[str, str]]:
    async with world.db.read() as s:
        person = (await s.exec(select(Person).where(Person.name == name))).one()
        rows = (await s.exec(select(Enrollment).where(Enrollment.person_id == person.id))).all()
        return {e.program_id: (e.role, e.status) for e in rows}


async def test_inviting_a_mentor_as_an_adept_asks_first_and_sends_nothing(world):
    asked = await world["Eva"].say(f"invite Bo {T}")
    assert asked[-1].kind == "commands/role_conflict_confirm", texts(asked)
    assert world.say_["bo"] in asked[-1].text and world.say_["bo_years"] in asked[-1].text
    assert world.say_["invite_anyway"] in asked[-1].text
    assert world.ids["trafikverket-2027"] not in await _roles(world, "Bo")
    assert world["Bo"].inbox() == []
    # Yes: the invitation goes out.
    done = await confirmed(world["Eva"], f"invite Bo {T}")
    assert done[-1].kind == "commands/invited", texts(done)
    assert (await _roles(world, "Bo"))[world.ids["trafikverket-2027"]] == ("adept", EnrollmentStatus.INVITED)
    assert [m.kind for m in world["Bo"].inbox()] == ["commands/invitation"]


async def test_typed_confirm_yes_invites_without_asking(world):
    yes = "bekräfta=ja" if world.say_ is SAY["sv"] else "confirm=yes"
    done = await world["Eva"].say(f"invite Bo {T} {yes}")
    assert done[-1].kind == "commands/invited", texts(done)


async def test_an_adept_invited_to_a_second_running_program_is_asked_about(world):
    asked = await world["Eva"].say(f"invite Anna {T}")
    assert asked[-1].kind == "commands/role_conflict_confirm", texts(asked)
    assert world.say_["anna"] in asked[-1].text
    assert world["Anna"].inbox() == []


async def test_nominating_an_adept_as_a_mentor_names_the_stored_months_and_the_rule(world):
    asked = await world["Eva"].say(f"nominate Cecilia {T} She is great")
    assert asked[-1].kind == "commands/role_conflict_confirm", texts(asked)
    assert world.say_["cecilia"] in asked[-1].text and world.say_["cecilia_months"] in asked[-1].text
    assert world.say_["nominate_anyway"] in asked[-1].text
    assert world["Cecilia"].inbox() == []
    assert world.ids["trafikverket-2027"] not in await _roles(world, "Cecilia")
    done = await confirmed(world["Eva"], f"nominate Cecilia {T} She is great")
    assert done[-1].kind == "commands/nominated", texts(done)
    assert (await _roles(world, "Cecilia"))[world.ids["trafikverket-2027"]] == ("mentor", EnrollmentStatus.INVITED)


async def test_a_mentor_nominated_for_a_second_program_is_no_conflict(world):
    done = await world["Eva"].say(f"nominate Fredrik {T}")
    assert done[-1].kind == "commands/nominated", texts(done)


async def test_no_conflict_invites_at_once(world):
    await world["Ivar"].say("help")
    done = await world["Eva"].say(f"invite console:local:ivar {T}")
    assert done[-1].kind == "commands/invited", texts(done)


async def test_invite_by_key_obeys_the_organisation_rule_of_a_name(world):
    gustav = world["Gustav"]
    await gustav.say("help")
    async with world.db.write() as s:
        person = (await s.exec(select(Person).where(Person.name == "Gustav"))).one()
        org = (await s.exec(select(Organisation).where(Organisation.name == "Region Stockholm"))).one()
        person.organisation_id = org.id
        s.add(person)
    by_name = await world["Eva"].say(f"invite Gustav {T}")
    assert by_name[-1].kind == "errors/person_outside_program", texts(by_name)
    by_key = await world["Eva"].say(f"invite console:local:gustav {T}")
    assert by_key[-1].kind == "errors/person_outside_program_org", texts(by_key)
    assert world.say_["gustav"] in by_key[-1].text
    assert gustav.inbox() == []
    # Someone whose organisation nobody knows yet may still be invited by key: the intake asks.
    fresh = await world["Eva"].say(f"invite console:local:nils {T}")
    assert fresh[-1].kind == "commands/invited", texts(fresh)


async def test_a_participant_nominating_an_active_mentor_is_told_so(world):
    told = await world["Anna"].say("nominate Fredrik program=stockholm-2027 He is great")
    assert told[-1].kind == "commands/nominated_already_mentor", texts(told)
    assert world.say_["fredrik"] in told[-1].text
