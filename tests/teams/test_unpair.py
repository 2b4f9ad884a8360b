"""`avsluta-par N MOTIVERING` in Teams asks first (the confirm card), and
its Yes button, submitted as Teams submits it (the button's data, carrying
the command line, not a position), ends the pair: both members are told.
Nothing ends before the press. The stall digest's "End the pair" button,
submitted with its data (action id and value) through the SDK's
authentication, asks the same question, and its Yes ends the pair."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.store.models import Pairing, PairStatus
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.teams.helpers import announce_pair, teams_server, user
from tests.teams.people import TeamsPerson, actions_of

HANNA = user("Hanna", 80)  # coordinator
ANNA = user("Anna", 81)
BO = user("Bo", 82)


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


async def test_the_digest_end_the_pair_button_pressed_by_value_asks_and_its_yes_ends_the_pair(
    sqlite_db, clock, connector, keys
):
    """Through the SDK's own authentication (every activity signed as the
    Bot Framework signs it, as `serve` runs it): the weekly stall digest
    reaches the coordinator's personal chat with a row of buttons per quiet
    pair; "End the pair", submitted as Teams submits it (the button's data:
    its action id and value, the pair's number), brings the question
    `unpair` asks, and its Yes, submitted by its data (the command line),
    ends the pair with the digest's reason: both are told, and the
    coordinator reads that the pair has ended."""
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        hanna, anna, bo = (TeamsPerson(server, connector, who) for who in (HANNA, ANNA, BO))
        for person in (hanna, anna, bo):
            await person.type("status")
        await announce_pair(sqlite_db, clock, ANNA, BO)  # on Monday 4 January 2027
        n = (await _pairing(sqlite_db)).id
        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
        await run_until(dispatcher, clock, datetime(2027, 3, 2, tzinfo=UTC))  # 56 days: the digest of 1 March
        (digest,) = [c for c in hanna.inbox() if c.card is not None and "stå still" in c.shown_text()]
        await hanna.click(digest, _data(digest, "stall.unpair", str(n)))
        # The digest is a list, one row of buttons per pair: a press answers its row, not
        # the digest, which stays as it was (not frozen to its first line, its pairs gone).
        assert [c for c in connector.of("update") if c.activity_id == digest.result_id] == []
        question = hanna.last_card()
        shown = question.shown_text()
        assert f"Avsluta paret #{n} Anna → Bo" in shown and "veckosammanfattningen" in shown, shown
        assert (await _pairing(sqlite_db)).status == PairStatus.ANNOUNCED  # nothing done yet
        told = len(anna.inbox()), len(bo.inbox())
        (yes,) = [a["data"] for a in actions_of(question.card) if a["data"]["mentorbot"]["a"] == "confirm.confirm"]
        await hanna.click(question, yes)
        pairing = await _pairing(sqlite_db)
        assert (pairing.status, pairing.end_reason) == (PairStatus.ENDED, "har inte träffats (veckosammanfattningen)")
        said = [c.shown_text() for c in hanna.inbox()]
        assert any(f"Paret #{n} Anna → Bo är avslutat. Båda har fått veta." in t for t in said), said
        for person, before in zip((anna, bo), told, strict=True):
            assert any("avslutat av samordnaren" in c.shown_text() for c in person.inbox()[before:])
    assert any(path.endswith("/v1/keys") for path in keys.requests)  # the SDK really checked the signatures


def _data(call, action_id: str, value: str) -> dict:
    """The data of the button `action_id` whose value is `value` (the row of one pair on the digest)."""
    (data,) = [
        a["data"]
        for a in actions_of(call.card)
        if a["data"]["mentorbot"]["a"] == action_id and a["data"]["mentorbot"].get("v") == value
    ]
    return data
