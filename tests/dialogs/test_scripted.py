"""The demo's adepts and mentors onboard through the real dialogues."""

from __future__ import annotations

from sqlmodel import select

from bot.dialogs.scripted import DEMO_PEOPLE, onboard
from bot.store.models import Enrollment, Organisation, Person, Program, ProgramOrganisation
from tests.dialogs.conftest import make_world
from tests.dialogs.script import type_raw

NETWORK = ("Upplands Väsby kommun", "Håbo kommun")


async def test_demo_people_onboard_from_five_municipalities(sqlite_db, clock):
    world = await make_world(sqlite_db, clock, nominators="anyone")  # Karin, an area manager, nominates
    async with world.db.write() as s:
        program = await s.get(Program, world.program_id)
        for name in NETWORK:
            org = Organisation(name=name)
            s.add(org)
            await s.flush()
            s.add(ProgramOrganisation(program_id=program.id, organisation_id=org.id))
    hanna = world.chat("Hanna")
    await hanna.say("invite console:local:niklas console:local:lina console:local:omar")
    karin = world.chat("Karin")
    await karin.say("nominate console:local:sara Lång erfarenhet av HR-frågor")
    await karin.say("nominate console:local:mats Klok och lugn")

    for name, answers in DEMO_PEOPLE.items():
        chat = world.chat(name)
        chat.inbox()
        last = await onboard(lambda line, c=chat: type_raw(c, line), answers)
        assert last[-1].kind == "dialogs/done", (name, [r.text for r in last])

    async with world.db.read() as s:
        rows = (
            await s.exec(
                select(Person.name, Enrollment.role, Enrollment.status, Organisation.name)
                .join(Enrollment, Enrollment.person_id == Person.id)
                .join(Organisation, Organisation.id == Person.organisation_id)
            )
        ).all()
    found = {name: (role, status, org) for name, role, status, org in rows}
    assert found == {
        "Niklas": ("adept", "active", "Enköpings kommun"),
        "Lina": ("adept", "active", "Täby kommun"),
        "Omar": ("adept", "active", "Knivsta kommun"),
        "Sara": ("mentor", "active", "Upplands Väsby kommun"),
        "Mats": ("mentor", "active", "Håbo kommun"),
    }
    lina = await world.enrollment("Lina")
    assert lina.answers["topics"] == ["staffing", "conflict", "time_management"]
    assert (await world.enrollment("Omar")).answers["topics"] == ["communication", "own_role"]
    mats = await world.enrollment("Mats")
    assert mats.answers["topics"] == ["change", "strategy", "budget"] and mats.answers["format"] == "in_person"
