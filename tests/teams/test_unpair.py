"""`avsluta-par N MOTIVERING` in Teams asks first (the confirm card), and
its Yes button, submitted as Teams submits it (the button's data, carrying
the command line, not a position), ends the pair: both members are told.
Nothing ends before the press."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Pairing, PairStatus
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.helpers import announce_pair, teams_server, user
from tests.teams.people import TeamsPerson

HANNA = user("Hanna", 80)  # coordinator
ANNA = user("Anna", 81)
BO = user("Bo", 82)


@pytest.fixture
async def connector():
    async with FakeBotConnector() as fake:
        yield fake


async def _pairing(db) -> Pairing:
    async with db.read() as s:
        return (await s.exec(select(Pairing))).one()


async def test_unpair_asks_in_teams_and_the_yes_button_ends_the_pair(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock, coordinators=(HANNA.key,)) as server:
        hanna, anna, bo = (TeamsPerson(server, connector, who) for who in (HANNA, ANNA, BO))
        for person in (hanna, anna, bo):
            await person.type("status")  # each has the app: their personal chat is known
        await announce_pair(sqlite_db, clock, ANNA, BO)
        n = (await _pairing(sqlite_db)).id
        await hanna.type(f"avsluta-par {n} flyttar")
        question = hanna.last_card()
        assert question is not None and f"Avsluta paret #{n}" in question.shown_text(), question.shown_text()
        assert (await _pairing(sqlite_db)).status == PairStatus.ANNOUNCED  # nothing done yet
        told = len(anna.inbox()), len(bo.inbox())
        await hanna.click_button("confirm.confirm", question)
        assert (await _pairing(sqlite_db)).status == PairStatus.ENDED
        for person, before in zip((anna, bo), told, strict=True):
            assert any("avslutat av samordnaren" in c.shown_text() for c in person.inbox()[before:])
