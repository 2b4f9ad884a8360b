"""A person's name is one name whatever its Unicode form, case and spacing
(`bot.names`), in Swedish and English: a decomposed `Ö` (as macOS writes
it) is stored composed, a name typed in the other form or in lower case
finds the person, and two people whose names are then the same are asked
about, with each one's key and organisation, never one picked silently."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pytest
from sqlmodel import select

from adapters.console import TENANT, Chat
from bot.messages import Actor, Address, Platform
from bot.store.models import Enrollment, EnrollmentStatus, Identity, Organisation, Pairing, PairStatus, Person
from tests.core.cockpit import answers, cockpit_world
from tests.core.harness import World

NFC = "Lars Öst"
NFD = unicodedata.normalize("NFD", NFC)
assert NFC != NFD


@dataclass
class Someone(Chat):
    """A console person whose account is `uid` (two people may show the same name)."""

    uid: str = ""

    @property
    def actor(self) -> Actor:
        return Actor(Platform.CONSOLE, TENANT, self.uid, display_name=self.name)

    @property
    def address(self) -> Address:
        return Address(Platform.CONSOLE, TENANT, f"dm:{self.uid}", self.uid)


def someone(world: World, uid: str, name: str) -> Someone:
    return Someone(world.core, world.port, name, uid=uid)


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    return await cockpit_world(sqlite_db, clock, request.param)  # Täby kommun and Knivsta kommun take part


async def _person(db, uid: str) -> Person:
    async with db.read() as s:
        identity = (await s.exec(select(Identity).where(Identity.user_id == uid))).one()
        return (await s.exec(select(Person).where(Person.id == identity.person_id))).one()


async def _stored_as(
    db, uid: str, name: str, org: str | None = None, role: str = "adept", *, enrol: bool = True, **enrolled
) -> int:
    """Store `uid`'s name exactly as `name` (a row from before names were
    composed) and their organisation `org`, and enrol them in the program
    (`enrol`); the enrolment's id."""
    async with db.write() as s:
        identity = (await s.exec(select(Identity).where(Identity.user_id == uid))).one()
        person = (await s.exec(select(Person).where(Person.id == identity.person_id))).one()
        person.name = name
        s.add(person)
        if org is None:
            return 0
        org_id = (await s.exec(select(Organisation.id).where(Organisation.name == org))).one()
        person.organisation_id = org_id
        if not enrol:
            return 0
        row = Enrollment(
            program_id=1,
            person_id=person.id,
            role=role,
            status=enrolled.get("status", EnrollmentStatus.ACTIVE),
            answers=answers(org_id),
        )
        s.add(row)
        await s.flush()
        return row.id


async def test_a_decomposed_display_name_is_stored_composed(world, sqlite_db):
    await someone(world, "lars", NFD).say("hej")
    assert (await _person(sqlite_db, "lars")).name == NFC


async def test_a_name_in_either_form_finds_the_one_person_stored_in_the_other(world, sqlite_db):
    await someone(world, "lars", NFC).say("hej")
    await _stored_as(sqlite_db, "lars", NFD, "Täby kommun")  # as an older database holds it
    for typed in (NFC, NFD):
        (reply,) = await world["Anna"].say(f"person {typed}")
        assert reply.kind == "commands/person", reply.text
        assert "Täby kommun" in reply.text


async def test_two_people_called_the_same_in_two_forms_are_asked_about_not_picked(world, sqlite_db):
    await someone(world, "lars.adept", NFC).say("hej")
    await someone(world, "lars.mentor", NFD).say("hej")
    await _stored_as(sqlite_db, "lars.adept", NFC, "Täby kommun", status=EnrollmentStatus.PENDING)
    await _stored_as(sqlite_db, "lars.mentor", NFD, "Knivsta kommun", role="mentor")
    approve = {"sv": "godkänn-deltagare", "en": "approve-participant"}[world.locale]
    for line in (f"person {NFC}", f"{approve} {NFC}", f"person {NFD}"):
        (reply,) = await world["Anna"].say(line)
        assert reply.kind == "errors/person_ambiguous", (line, reply.text)
        # Each one's key, to type instead, and their organisation.
        assert "`console:local:lars.adept`, Täby kommun" in reply.text, reply.text
        assert "`console:local:lars.mentor`, Knivsta kommun" in reply.text, reply.text
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Enrollment.status).where(Enrollment.role == "adept"))).one() == "pending"
    (reply,) = await world["Anna"].say(f"{approve} console:local:lars.adept")
    assert "errors/" not in reply.kind, reply.text
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Enrollment.status).where(Enrollment.role == "adept"))).one() == "active"


async def test_a_name_typed_in_lower_case_finds_the_person(world, sqlite_db):
    await world["Björn Ärlig"].say("hej")
    await _stored_as(sqlite_db, "björn.ärlig", "Björn Ärlig", "Täby kommun", status=EnrollmentStatus.PENDING)
    approve = {"sv": "godkänn-deltagare", "en": "approve-participant"}[world.locale]
    (reply,) = await world["Anna"].say(f"{approve} björn ärlig")
    assert "errors/" not in reply.kind, reply.text
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Enrollment.status))).one() == "active"
    (shown,) = await world["Anna"].say("person BJÖRN  ÄRLIG")
    assert shown.kind == "commands/person" and shown.text.startswith("Björn Ärlig"), shown.text


async def test_a_list_of_people_reads_names_in_any_case(world, sqlite_db):
    for name in ("Björn Ärlig", "Bo"):
        await world[name].say("hej")
        await _stored_as(sqlite_db, name.lower().replace(" ", "."), name, "Täby kommun", enrol=False)
    (reply,) = await world["Anna"].say({"sv": "bjud-in björn ärlig bo", "en": "invite björn ärlig bo"}[world.locale])
    assert reply.kind == "commands/invited", reply.text
    assert "Björn Ärlig" in reply.text and "Bo" in reply.text


async def test_two_people_whose_names_differ_only_in_case_are_asked_about(world, sqlite_db):
    await someone(world, "bjorn.1", "Björn Ärlig").say("hej")
    await someone(world, "bjorn.2", "BJÖRN ÄRLIG").say("hej")
    await _stored_as(sqlite_db, "bjorn.1", "Björn Ärlig", "Täby kommun", enrol=False)
    await _stored_as(sqlite_db, "bjorn.2", "BJÖRN ÄRLIG", "Knivsta kommun", enrol=False)
    (reply,) = await world["Anna"].say("person björn ärlig")
    assert reply.kind == "errors/person_ambiguous", reply.text
    assert "`console:local:bjorn.1`" in reply.text and "`console:local:bjorn.2`" in reply.text


async def test_a_participant_who_nominates_by_a_shared_name_is_not_shown_who_has_it(world, sqlite_db):
    await world["Anna"].say("program set nominators=participants")
    await someone(world, "lars.1", NFC).say("hej")
    await someone(world, "lars.2", NFD).say("hej")
    await _stored_as(sqlite_db, "lars.1", NFC, "Täby kommun")
    await _stored_as(sqlite_db, "lars.2", NFD, "Knivsta kommun")
    await world["Cecilia"].say("hej")
    await _stored_as(sqlite_db, "cecilia", "Cecilia", "Täby kommun")
    (reply,) = await world["Cecilia"].say({"sv": "nominera", "en": "nominate"}[world.locale] + f' "{NFC}"')
    assert reply.kind == "errors/person_ambiguous", reply.text
    assert "console:local:lars" not in reply.text and "Knivsta" not in reply.text


async def test_a_help_request_from_a_pair_of_namesakes_says_which_one_asks(world, sqlite_db):
    await someone(world, "lars.adept", NFC).say("hej")
    await someone(world, "lars.mentor", NFD).say("hej")
    adept = await _stored_as(sqlite_db, "lars.adept", NFC, "Täby kommun")
    mentor = await _stored_as(sqlite_db, "lars.mentor", NFD, "Knivsta kommun", role="mentor")
    async with sqlite_db.write() as s:
        pairing = Pairing(program_id=1, adept_id=adept, mentor_id=mentor, status=PairStatus.ANNOUNCED)
        s.add(pairing)
        await s.flush()
        pair_id = pairing.id
    await someone(world, "lars.adept", NFC).click("nudge.help", str(pair_id))
    (told,) = [m for to, m in world.port.sent if to.user == "anna" and m.kind == "nudges/help_request"]
    expected = {
        "sv": "Adepten Lars Öst i paret Lars Öst (adept, Täby kommun) och Lars Öst (mentor, Knivsta kommun)",
        "en": "The mentee Lars Öst in the pair Lars Öst (mentee, Täby kommun) and Lars Öst (mentor, Knivsta kommun)",
    }[world.locale]
    shown = unicodedata.normalize("NFC", told.text)  # the mentor's row is stored decomposed
    assert expected in shown, told.text
    assert {"sv": "till adepten Lars Öst (Täby kommun).", "en": "with the mentee Lars Öst (Täby kommun)."}[
        world.locale
    ] in shown
