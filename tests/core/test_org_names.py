"""An organisation is one organisation whatever the case and spacing it is
typed with: `org add solna stad` after `org add Solna stad` answers that it
already takes part, by its stored spelling, and `org set`, `org remove`,
`broadcast org=` and `participants org=` find it the same way."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Organisation, ProgramOrganisation
from tests.core.cockpit import cockpit_world, enroll
from tests.core.harness import texts

ALREADY = {
    "sv": "Solna stad deltar redan i Mentorprogram 2027.",
    "en": "Solna stad already takes part in Mentorprogram 2027.",
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)  # Täby kommun and Knivsta kommun take part
    await w["Anna"].say("org add Solna stad")
    w.locale = request.param
    return w


async def _organisations(db) -> list[str]:
    async with db.read() as s:
        return sorted(o.name for o in (await s.exec(select(Organisation))).all())


@pytest.mark.parametrize("typed", ["solna stad", "SOLNA STAD", "  Solna   stad "])
async def test_a_second_add_in_another_spelling_is_the_same_organisation(world, sqlite_db, typed):
    (reply,) = await world["Anna"].say(f'org add "{typed}"')
    assert (reply.kind, reply.text) == ("commands/org_already", ALREADY[world.locale])
    assert await _organisations(sqlite_db) == ["Knivsta kommun", "Solna stad", "Täby kommun"]
    shown = texts(await world["Anna"].say("program show"))
    assert "Knivsta kommun, Solna stad, Täby kommun" in shown


async def test_letters_beyond_ascii_fold_too(world, sqlite_db):
    (reply,) = await world["Anna"].say("org add TÄBY KOMMUN")
    assert reply.kind == "commands/org_already" and "Täby kommun" in reply.text
    assert await _organisations(sqlite_db) == ["Knivsta kommun", "Solna stad", "Täby kommun"]


async def test_a_new_name_is_stored_with_single_spaces(world, sqlite_db):
    (reply,) = await world["Anna"].say('org add "  Håbo   kommun "')
    assert reply.kind == "commands/org_added" and "Håbo kommun" in reply.text
    assert "Håbo kommun" in await _organisations(sqlite_db)


async def test_an_organisation_known_from_another_program_is_linked_not_copied(world, sqlite_db):
    await world["Anna"].say("program create Nästa omgång start=2027-03-01 end=2028-02-28")
    (reply,) = await world["Anna"].say("org add solna stad program=nasta-omgang")
    assert reply.kind == "commands/org_added" and "Solna stad" in reply.text
    assert (await _organisations(sqlite_db)).count("Solna stad") == 1
    async with sqlite_db.read() as s:
        solna = (await s.exec(select(Organisation).where(Organisation.name == "Solna stad"))).one()
        links = (await s.exec(select(ProgramOrganisation).where(ProgramOrganisation.program_id == 2))).all()
    assert [link.organisation_id for link in links] == [solna.id]


async def test_org_set_and_remove_find_it_in_any_spelling(world, sqlite_db):
    anna = world["Anna"]
    (tenants,) = await anna.say("org set SOLNA  stad slack=T0SOLNA")
    assert tenants.kind == "commands/org_tenants" and "Solna stad" in tenants.text
    (removed,) = await anna.say("org remove solna STAD")
    assert removed.kind == "commands/org_removed" and "Solna stad" in removed.text
    assert "Solna stad" not in texts(await anna.say("program show"))


async def test_broadcast_and_participants_find_it_in_any_spelling(world):
    await enroll(world, "Cecilia", "adept", "Täby kommun")
    await enroll(world, "Frida", "mentor", "Knivsta kommun")
    (preview,) = await world["Anna"].say('broadcast org="täby  KOMMUN" Välkomna!')
    assert preview.kind == "broadcast/preview"
    assert {"sv": "1 person i Täby kommun", "en": "1 person in Täby kommun"}[world.locale] in preview.text
    listed = texts(await world["Anna"].say('participants org="TÄBY kommun"'))
    assert "Cecilia" in listed and "Frida" not in listed


async def test_console_org_option_finds_the_organisation_whatever_its_spelling(world, sqlite_db):
    """`mentorbot console --as Bo --org "solna  STAD"` joins Solna stad, not a second one."""
    from adapters.console import setup_person

    await setup_person(world.core, world["Bo"], org="  solna  STAD ")
    await setup_person(world.core, world["Cia"], org="Håbo  kommun")
    assert await _organisations(sqlite_db) == ["Håbo kommun", "Knivsta kommun", "Solna stad", "Täby kommun"]


NOT_TAKING_PART = {
    "sv": "”{name}” deltar inte i programmet. Organisationerna är: Knivsta kommun, Täby kommun.",
    "en": "“{name}” is not taking part in the program. The organisations are: Knivsta kommun, Täby kommun.",
}


@pytest.mark.parametrize(
    "typed",
    [
        'participants org="Solna stad" program=mentorprogram-2027',
        'participants org="solna" program=mentorprogram-2027',
        'participants org="Håbo kommun" program=mentorprogram-2027',
        'broadcast org="Solna stad" Hej program=mentorprogram-2027',
        'broadcast org="solna" Hej program=mentorprogram-2027',
        'broadcast org="Håbo kommun" Hej program=mentorprogram-2027',
    ],
)
async def test_filters_name_only_the_organisations_of_the_program_in_use(world, typed):
    """A removed organisation (Solna stad, whose Bo is still enrolled) and
    another program's (Håbo kommun) are neither accepted as `org=` nor
    listed among the organisations there are."""
    anna = world["Anna"]
    await enroll(world, "Bo", "adept", "Solna stad")
    await anna.say("org remove Solna stad confirm=yes")  # Bo takes part: asked first (`test_org_remove`)
    await anna.say("program create Nästa omgång start=2027-03-01 end=2028-02-28")
    await anna.say("org add Håbo kommun program=nasta-omgang")
    name = typed.split('"')[1]
    (reply,) = await anna.say(typed)
    assert reply.text == NOT_TAKING_PART[world.locale].format(name=name)
