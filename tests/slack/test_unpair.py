"""`/mentor avsluta-par N MOTIVERING` on Slack asks first (the confirm card,
ephemeral through the response_url), and its Yes button, clicked as Slack
sends it (signed `block_actions` with the button's value, which carries the
command line), ends the pair: both members are told in their DMs. Nothing
ends before the click."""

from __future__ import annotations

from sqlmodel import select

from bot.store.models import Pairing, PairStatus
from tests.scheduler.helpers import pair_of_users
from tests.slack.helpers import ADEPT, COORDINATOR, MENTOR, dms


async def _pair(db, clock) -> int:
    """Adam (adept) and Maria (mentor), who have written to the bot, as an announced pair."""
    async with db.write() as s:
        return (await pair_of_users(s, clock, ADEPT, MENTOR)).id


async def _status(db, n: int) -> str:
    async with db.read() as s:
        return (await s.exec(select(Pairing.status).where(Pairing.id == n))).one()


async def test_unpair_asks_on_slack_and_the_yes_click_ends_the_pair(server, sqlite_db, clock):
    for who in (ADEPT, MENTOR):
        await server.dm("status", user=who)
    await server.settle()
    n = await _pair(sqlite_db, clock)
    await server.command(f"avsluta-par {n} flyttar", user=COORDINATOR, channel="D0COORD")
    await server.settle()
    (card,) = server.fake.calls_to("response_url")
    assert f"Avsluta paret #{n}" in card.params["text"] and card.params["blocks"], card.params
    assert await _status(sqlite_db, n) == PairStatus.ANNOUNCED  # nothing done yet
    told = len(dms(server.fake, ADEPT)), len(dms(server.fake, MENTOR))
    status, _ = await server.click_ephemeral(card, "confirm.confirm", user=COORDINATOR, channel="D0COORD")
    assert status == 200
    await server.settle()
    assert await _status(sqlite_db, n) == PairStatus.ENDED
    for who, before in zip((ADEPT, MENTOR), told, strict=True):
        notices = [c.params["text"] for c in dms(server.fake, who)[before:]]
        assert any("avslutat av samordnaren" in t or "ended by the coordinator" in t for t in notices), notices
