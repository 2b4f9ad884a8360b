"""Clicking an organisation on Teams (an Adaptive Card Action.Submit through
the fake Bot Connector) stores that organisation, with ids in the reverse
order of the positions shown."""

from __future__ import annotations

from sqlmodel import select

from bot.store.models import DialogState, Organisation
from tests.teams.helpers import teams_server, user
from tests.teams.people import TeamsPerson, actions_of

HANNA = user("Hanna", 10)
ANNA = user("Anna", 11)
SETUP = (
    "program create Mentorprogram 2027 start=2027-01-15 end=2027-12-31",
    "org add Täby kommun",
    "org add Knivsta kommun",
    "org add Enköpings kommun",
)


async def test_the_clicked_organisation_is_the_one_stored(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock, coordinators=(HANNA.key,)) as server:
        hanna, anna = TeamsPerson(server, connector, HANNA), TeamsPerson(server, connector, ANNA)
        for command in SETUP:
            await hanna.type(command)
        await anna.type("join")
        await anna.answer("ja")
        card = anna.last_card()
        buttons = [a for a in actions_of(card.card) if a.get("type") == "Action.Submit"]
        titles = [a["title"] for a in buttons][:3]
        assert titles == ["Enköpings kommun", "Knivsta kommun", "Täby kommun"]
        async with sqlite_db.read() as s:
            ids = {o.name: o.id for o in (await s.exec(select(Organisation))).all()}
        assert ids["Enköpings kommun"] == 3
        await anna.click(card, buttons[0]["data"])  # Enköping, shown first
        async with sqlite_db.read() as s:
            (state,) = (await s.exec(select(DialogState))).all()
        assert state.data["answers"]["organisation_id"] == ids["Enköpings kommun"]
