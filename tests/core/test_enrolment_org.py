"""The organisation someone is in a program for is the one they gave in its
intake (`bot.programs.org_id_of`); the organisation of a later platform or
console session (`--org`) is only a default before they answer. Every view
of the program uses it: `participants`, `person`, `broadcast org=`, the
partner's organisation in `status`, and the matching, whose mentor must
come from another organisation than that one. In Swedish and English."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adapters.console import setup_person
from bot.commands.broadcast import recipients
from bot.store.models import Enrollment, Pairing, Person, Program
from tests.core.cockpit import cockpit_world, enroll
from tests.core.harness import texts

PARTICIPANTS = {"sv": "deltagare", "en": "participants"}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)  # Täby kommun and Knivsta kommun take part
    await enroll(w, "Anna Berg", "adept", "Knivsta kommun")  # her intake answer
    await enroll(w, "Frida", "mentor", "Knivsta kommun")
    await enroll(w, "Gustav", "mentor", "Täby kommun")
    # Later she writes from a console session of another organisation.
    await setup_person(w.core, w["Anna Berg"], org="Täby kommun")
    await w["Anna Berg"].say("status")
    return w


async def test_the_session_changed_the_default_only(world, sqlite_db):
    async with sqlite_db.read() as s:
        anna = (await s.exec(select(Person).where(Person.name == "Anna Berg"))).one()
        taby = (await s.exec(select(Person.organisation_id).where(Person.name == "Gustav"))).one()
    assert anna.organisation_id == taby  # the precondition: the session's organisation is stored


async def test_participants_and_person_show_the_organisation_of_the_intake(world):
    listed = texts(await world["Anna"].say(PARTICIPANTS[world.locale]))
    assert "Anna Berg, Knivsta kommun" in listed, listed
    (shown,) = await world["Anna"].say("person Anna Berg")
    assert shown.text.startswith("Anna Berg, Knivsta kommun"), shown.text


async def test_a_broadcast_to_an_organisation_reaches_those_who_gave_it(world, sqlite_db):
    async with sqlite_db.read() as s:
        program = (await s.exec(select(Program))).one()
        anna = (await s.exec(select(Person.id).where(Person.name == "Anna Berg"))).one()
        assert anna in await recipients(s, program, "all", "Knivsta kommun")
        assert anna not in await recipients(s, program, "all", "Täby kommun")


async def test_the_mentor_comes_from_another_organisation_than_the_one_of_the_intake(world, sqlite_db):
    await world["Anna"].say("match")
    async with sqlite_db.read() as s:
        rows = (
            await s.exec(
                select(Person.name)
                .join(Enrollment, Enrollment.person_id == Person.id)
                .join(Pairing, Pairing.mentor_id == Enrollment.id)
            )
        ).all()
    assert list(rows) == ["Gustav"]  # from Täby kommun; Frida is of Knivsta kommun, as Anna Berg is


async def test_the_partner_sees_the_organisation_of_the_intake(world):
    for line in ("match", "match approve", "match announce"):
        await world["Anna"].say(line)
    shown = texts(await world["Gustav"].say("status"))
    assert {"sv": "Din adept: Anna Berg, Knivsta kommun", "en": "Your pair: Anna Berg, Knivsta kommun"}[
        world.locale
    ] in shown, shown


JOIN = {"sv": "gå med", "en": "join"}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_someone_of_an_organisation_outside_the_program_is_told_before_its_intake(sqlite_db, clock, locale):
    """Naming the program does not lead into an intake whose organisation
    question offers only the program's organisations (a dead end): they are
    told whose program it is and to ask the coordinator. Someone of a taking
    part organisation, or of none known yet, goes on into the intake."""
    w = await cockpit_world(sqlite_db, clock, locale)  # Täby kommun and Knivsta kommun take part
    await setup_person(w.core, w["Olle"], org="Uppsala kommun")
    slug = await _program_slug(sqlite_db)
    (answer,) = await w["Olle"].say(f"{JOIN[locale]} {slug}")
    assert answer.kind == "errors/not_for_your_organisation", answer.text
    assert "Täby kommun" in answer.text and "Knivsta kommun" in answer.text
    async with sqlite_db.read() as s:
        olle = (await s.exec(select(Person.id).where(Person.name == "Olle"))).one()
        assert (await s.exec(select(Enrollment).where(Enrollment.person_id == olle))).first() is None
    await setup_person(w.core, w["Tove"], org="Täby kommun")
    await setup_person(w.core, w["Nils"])  # no organisation known: the intake asks
    for who in ("Tove", "Nils"):
        replies = await w[who].say(f"{JOIN[locale]} {slug}")
        assert all(m.kind != "errors/not_for_your_organisation" for m in replies), texts(replies)


async def _program_slug(db) -> str:
    async with db.read() as s:
        return (await s.exec(select(Program.slug))).one()
