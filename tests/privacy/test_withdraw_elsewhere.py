"""`consent withdraw` erases the organisation the person gave in the intake
(`person.organisation_id`, kept under the consent now withdrawn) unless they
still take part in another program, which needs it. A sign-up elsewhere that
they declined, cancelled or left is no taking part (`GONE`): it kept the
organisation after the withdrawal. Nor is an invitation not yet answered, or
an intake not yet finished: that program's intake asks for the organisation
again and keeps the answer at its end, yet the invitation kept it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Enrollment, EnrollmentStatus, Organisation, Person, Program
from tests.core.harness import World, make_core, texts, typed_cleanly

SETUP = (
    "program create Stockholm 2027 start=2027-01-19 end=2027-12-15",
    "program create Trafikverket 2027 start=2027-01-19 end=2027-12-15",
    "org add Knivsta kommun program=stockholm-2027",
    "org add Solna stad program=stockholm-2027",
    "org add Solna stad program=trafikverket-2027",
)
# The adept intake, after `join …` and its consent question: Solna stad is the
# second organisation of Stockholm 2027 (listed by name) and the only one of Trafikverket 2027.
INTAKE = ("Hemtjänst Norr", "Enhetschef", "14", "1", "Att leda genom en omorganisation", "yes", "3", "Solna", "1")
SIGNED_UP = {"declined": ("no",), "cancelled": ("yes", "1", "cancel", "yes"), "left": ("yes", "1", *INTAKE, "1")}


async def _sign_up(chat, program: str, org_pick: str) -> None:
    await typed_cleanly(chat, (f"join program={program} role=adept", "yes", org_pick, *INTAKE))
    assert (await chat.say("1"))[-1].kind == "dialogs/done"  # confirm the summary


async def _world(db, clock) -> World:
    world = World(make_core(db, clock, locale="en", coordinators=("console:local:eva",)))
    await typed_cleanly(world["Eva"], SETUP)
    return world


async def _withdraw_from_stockholm(anna) -> None:
    asked = await anna.say("consent withdraw program=stockholm-2027")
    assert asked[-1].kind == "privacy/withdraw_confirm", texts(asked)
    assert (await anna.choose(1))[-1].kind == "privacy/withdrawn"


async def _anna(db) -> tuple[Person, dict[str, Enrollment]]:
    async with db.read() as s:
        person = (await s.exec(select(Person).where(Person.name == "Anna"))).one()
        rows = await s.exec(
            select(Program.slug, Enrollment)
            .join(Program, Program.id == Enrollment.program_id)
            .where(Enrollment.person_id == person.id)
        )
        return person, {slug: enrollment for slug, enrollment in rows.all()}


@pytest.mark.parametrize("elsewhere", ["declined", "cancelled", "left"])
async def test_a_sign_up_elsewhere_she_is_not_in_does_not_keep_her_organisation(sqlite_db, clock, elsewhere):
    world = await _world(sqlite_db, clock)
    anna = world["Anna"]
    await _sign_up(anna, "stockholm-2027", "2")
    # Her sign-up to Trafikverket 2027 ends before it began, or she leaves it.
    for line in ("join program=trafikverket-2027", *SIGNED_UP[elsewhere]):
        await anna.say(line)
    if elsewhere == "left":
        await anna.say("leave program=trafikverket-2027")
        await anna.choose(1)
    person, enrollments = await _anna(sqlite_db)
    assert enrollments["trafikverket-2027"].status == elsewhere
    assert person.organisation_id is not None  # given in the Stockholm intake

    await _withdraw_from_stockholm(anna)

    person, enrollments = await _anna(sqlite_db)
    assert person.organisation_id is None
    assert (enrollments["stockholm-2027"].answers, enrollments["stockholm-2027"].consent_at) == ({}, None)
    assert enrollments["trafikverket-2027"].status == elsewhere  # a no already said stays what it was
    assert "Solna stad" not in texts(await anna.say("mydata"))


async def test_taking_part_elsewhere_keeps_what_that_program_needs(sqlite_db, clock):
    world = await _world(sqlite_db, clock)
    anna = world["Anna"]
    await _sign_up(anna, "stockholm-2027", "2")
    await _sign_up(anna, "trafikverket-2027", "1")
    _, before = await _anna(sqlite_db)

    await _withdraw_from_stockholm(anna)

    person, enrollments = await _anna(sqlite_db)
    async with sqlite_db.read() as s:
        solna = (await s.exec(select(Organisation.id).where(Organisation.name == "Solna stad"))).one()
    assert person.organisation_id == solna  # Trafikverket 2027 still matches her by it
    assert enrollments["stockholm-2027"].answers == {}
    kept = enrollments["trafikverket-2027"]
    assert (kept.status, kept.answers, kept.consent_at) == (
        EnrollmentStatus.ACTIVE,
        before["trafikverket-2027"].answers,
        before["trafikverket-2027"].consent_at,
    )
    assert kept.answers["organisation_id"] == solna
    await world["Eva"].say("program use trafikverket-2027")
    assert "Anna, Solna stad" in texts(await world["Eva"].say("participants"))


# A program she has not gone through the intake of: invited (not answered), or in its intake.
NOT_THROUGH = {"invited": (), "onboarding": ("yes",)}


@pytest.mark.parametrize("elsewhere", list(NOT_THROUGH))
async def test_an_invitation_or_an_unfinished_intake_elsewhere_does_not_keep_her_organisation(
    sqlite_db, clock, elsewhere
):
    world = await _world(sqlite_db, clock)
    anna = world["Anna"]
    await _sign_up(anna, "stockholm-2027", "2")
    await typed_cleanly(anna, ("join program=trafikverket-2027 role=adept", *NOT_THROUGH[elsewhere]))
    person, enrollments = await _anna(sqlite_db)
    assert (enrollments["trafikverket-2027"].status, enrollments["trafikverket-2027"].answers) == (elsewhere, {})
    assert person.organisation_id is not None  # given in the Stockholm intake

    await _withdraw_from_stockholm(anna)

    person, enrollments = await _anna(sqlite_db)
    assert person.organisation_id is None
    assert enrollments["trafikverket-2027"].status == elsewhere  # the invitation or intake goes on
    assert "Solna stad" not in texts(await anna.say("mydata"))
    # Going on with Trafikverket 2027, the intake asks for the organisation and keeps the answer.
    if elsewhere == "invited":
        await anna.say("join program=trafikverket-2027")
        asked = await anna.say("yes")
    else:
        asked = [await anna.open_question()]
    assert asked[-1].kind == "dialogs/ask/organisation", texts(asked)
    await typed_cleanly(anna, ("1", *INTAKE))
    assert (await anna.say("1"))[-1].kind == "dialogs/done"
    person, _ = await _anna(sqlite_db)
    async with sqlite_db.read() as s:
        solna = (await s.exec(select(Organisation.id).where(Organisation.name == "Solna stad"))).one()
    assert person.organisation_id == solna
