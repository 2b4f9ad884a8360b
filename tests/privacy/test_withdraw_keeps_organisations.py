"""Withdrawing consent, and `forget`, remove the person's own data only: an
organisation is no personal data, so one the person's console session
created stays, with the program's link to it, the coordinator's view of the
program's organisations, a colleague's intake choice of it and her answers."""

from __future__ import annotations

from sqlmodel import select

from adapters.console import setup_person
from bot.store.models import Organisation, ProgramOrganisation
from tests.dialogs.conftest import COORDINATOR, make_world, text_of
from tests.dialogs.script import ADEPT, run

ORG = "Sundbybergs stad"


async def test_withdrawing_and_forgetting_leave_the_organisation_and_others_choices(sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale="en")
    cecilia, dora, hanna = world.chat("Cecilia"), world.chat("Dora"), world.chat(COORDINATOR)
    await setup_person(world.core, cecilia, org=ORG)  # her session creates the organisation
    await setup_person(world.core, dora, org=ORG)
    await hanna.say("language en")
    await hanna.say(f"org add {ORG}")
    async with sqlite_db.read() as s:
        org_id = (await s.exec(select(Organisation.id).where(Organisation.name == ORG))).one()
    sundbyberg = str(sorted([*world.org_ids, ORG]).index(ORG) + 1)  # the intake lists them by name
    script = [(sundbyberg, asked) if n == 2 else (line, asked) for n, (line, asked) in enumerate(ADEPT)]
    await run(cecilia, script, "en")
    await cecilia.say("1")  # confirm
    await run(dora, script, "en", upto=5)  # Dora, from the same organisation, is in her intake

    await cecilia.say("consent withdraw")
    await cecilia.choose(1)
    await cecilia.say("forget")
    await cecilia.choose(1)

    async with sqlite_db.read() as s:
        assert (await s.exec(select(Organisation.name).where(Organisation.id == org_id))).one() == ORG
        assert await s.get(ProgramOrganisation, (world.program_id, org_id)) is not None
    assert (await world.person("Dora")).organisation_id == org_id
    (state,) = await world.states("Dora")
    assert state.data["answers"]["organisation_id"] == org_id  # her choice, untouched
    assert ORG in text_of(await hanna.say("program show"))
    assert f"Dora, {ORG}" in text_of(await hanna.say("participants"))
    erik = world.chat("Erik")
    await erik.say("join")
    assert ORG in text_of(await erik.say("yes"))  # the intake still offers it
