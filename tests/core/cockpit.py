"""A small program for the coordinator's cockpit tests: two municipalities,
a kickoff, people enrolled directly with intake answers (no dialogue)."""

from __future__ import annotations

from sqlmodel import select

from adapters.console import TENANT, user_id
from bot.messages import Actor, Platform
from bot.people import person_for_actor
from bot.store.models import Enrollment, EnrollmentStatus, Organisation
from tests.core.harness import World, make_core

SETUP = (
    "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19",
    "org add Täby kommun",
    "org add Knivsta kommun",
    'event add kickoff 2027-01-19 13:00 place="Stadshuset"',
    'event add inspiration 2027-05-12 09:00 place="Knivsta bibliotek"',
)


def answers(org_id: int, **over) -> dict:
    base = {
        "organisation_id": org_id,
        "department": "Hemtjänst",
        "role_title": "enhetschef",
        "topics": ["conflict"],
        "format": "mixed",
        "place": "Knivsta",
        "languages": ["sv"],
        "sensitive": [],
        "eligible": True,
        "pending_reasons": [],
    }
    base.update(over)
    if base.get("wishes"):
        base["sensitive"] = ["wishes"]
    return base


async def enroll(
    world: World, name: str, role: str, org: str, *, status: str = EnrollmentStatus.ACTIVE, capacity: int = 1, **over
) -> int:
    db, clock = world.core.db, world.core.clock
    async with db.write() as s:
        person, _ = await person_for_actor(
            s, Actor(Platform.CONSOLE, TENANT, user_id(name), display_name=name), clock.now()
        )
        organisation = (await s.exec(select(Organisation).where(Organisation.name == org))).one()
        person.organisation_id = organisation.id
        s.add(person)
        row = Enrollment(
            program_id=1,
            person_id=person.id,
            role=role,
            status=status,
            capacity=capacity,
            consent_at=clock.now(),
            answers=answers(organisation.id, **over),
        )
        s.add(row)
        await s.flush()
        return row.id


async def cockpit_world(db, clock, locale: str) -> World:
    world = World(make_core(db, clock, locale=locale))
    for line in SETUP:
        await world["Anna"].say(line)
    world.locale = locale
    return world


async def announce(world: World) -> None:
    """The coordinator drafts, approves and announces the pairs."""
    for line in ("match", "match approve", "match announce"):
        await world["Anna"].say(line)


async def paired_world(db, clock, locale: str) -> World:
    """Cecilia (Täby) paired with Frida (Knivsta) and announced; Erik waits for approval."""
    world = await cockpit_world(db, clock, locale)
    await enroll(world, "Cecilia", "adept", "Täby kommun")
    await enroll(world, "Erik", "adept", "Knivsta kommun", status=EnrollmentStatus.PENDING, pending_reasons=["months"])
    await enroll(world, "Frida", "mentor", "Knivsta kommun")
    await announce(world)
    return world
