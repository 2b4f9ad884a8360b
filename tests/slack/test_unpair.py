"""`/mentor avsluta-par N MOTIVERING` on Slack asks first (the confirm card,
ephemeral through the response_url), and its Yes button, clicked as Slack
sends it (signed `block_actions` with the button's value, which carries the
command line), ends the pair: both members are told in their DMs. Nothing
ends before the click. The stall digest's "End the pair" button, pressed by
its value, asks the same question, and its Yes ends the pair the same way."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from sqlmodel import select

from bot.store.models import Pairing, PairStatus
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
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


async def test_the_digest_end_the_pair_button_pressed_by_value_asks_and_its_yes_ends_the_pair(server, sqlite_db, clock):
    """The weekly stall digest reaches the coordinator's DM with a row of
    buttons per quiet pair; "End the pair", pressed as Slack sends it (a
    signed `block_actions` carrying the button's value, the pair's number),
    brings the question `unpair` asks, and its Yes, pressed by its value (the
    command line), ends the pair with the digest's reason: both are told, and
    the coordinator reads that the pair has ended."""
    for who in (COORDINATOR, ADEPT, MENTOR):
        await server.dm("status", user=who)
    await server.settle()
    n = await _pair(sqlite_db, clock)  # announced on Monday 4 January 2027
    dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
    await run_until(dispatcher, clock, datetime(2027, 3, 2, tzinfo=UTC))  # 56 days: the digest of Monday 1 March
    (digest,) = [c for c in dms(server.fake, COORDINATOR) if _key(c).startswith("digest:")]
    shown = copy.deepcopy(server.fake.messages[(digest.result["channel"], digest.result["ts"])])
    pressed, _ = await server.click(digest, "stall.unpair", user=COORDINATOR, value=str(n))
    assert pressed == 200
    await server.settle()
    # The digest is a list, one row of buttons per pair: a press answers its row, not the
    # digest, which stays as it was (not "you answered: End the pair", its buttons gone).
    assert server.fake.messages[(digest.result["channel"], digest.result["ts"])] == shown
    (question,) = [c for c in dms(server.fake, COORDINATOR) if f"Avsluta paret #{n} Adam → Maria" in c.params["text"]]
    assert "har inte träffats (veckosammanfattningen)" in question.params["text"], question.params["text"]
    assert await _status(sqlite_db, n) == PairStatus.ANNOUNCED  # nothing done yet
    told = len(dms(server.fake, ADEPT)), len(dms(server.fake, MENTOR))
    (yes,) = [
        e
        for b in question.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "confirm.confirm"
    ]
    pressed, _ = await server.click(question, "confirm.confirm", user=COORDINATOR, value=yes["value"])
    assert pressed == 200
    await server.settle()
    async with sqlite_db.read() as s:
        pairing = await s.get(Pairing, n)
    assert (pairing.status, pairing.end_reason) == (PairStatus.ENDED, "har inte träffats (veckosammanfattningen)")
    said = [c.params["text"] for c in dms(server.fake, COORDINATOR)]
    assert any(f"Paret #{n} Adam → Maria är avslutat. Båda har fått veta." in t for t in said), said
    for who, before in zip((ADEPT, MENTOR), told, strict=True):
        notices = [c.params["text"] for c in dms(server.fake, who)[before:]]
        assert any("avslutat av samordnaren" in t or "ended by the coordinator" in t for t in notices), notices


def _key(call) -> str:
    """The outbox key a message carries in its metadata (what it was sent as)."""
    return (call.params.get("metadata") or {}).get("event_payload", {}).get("key", "")


def _element(call, action_id: str) -> dict:
    """The button `action_id` of a message as it was sent (its value: what Slack sends back)."""
    return next(
        e
        for b in call.params.get("blocks") or []
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )


async def test_the_fit_notices_rematch_pressed_by_value_asks_and_its_yes_ends_the_pair(server, sqlite_db, clock):
    """After the first meeting Maria answers that the pair does not fit; the
    coordinator's notice has "Matcha om", which ended the pair in one click.
    Pressed as Slack sends it (signed `block_actions`, the button's value),
    it now brings `unpair`'s question and leaves the notice as it was; the
    question's Yes, pressed by its value, ends the pair and both are told."""
    for who in (COORDINATOR, ADEPT, MENTOR):
        await server.dm("status", user=who)
    await server.settle()
    n = await _pair(sqlite_db, clock)
    await server.dm("träffats", user=ADEPT)
    await server.settle()
    (fit,) = [c for c in dms(server.fake, MENTOR) if "fit.no" in str(c.params.get("blocks"))]
    pressed, _ = await server.click(fit, "fit.no", user=MENTOR, value=_element(fit, "fit.no")["value"])
    assert pressed == 200
    await server.settle()
    (notice,) = [c for c in dms(server.fake, COORDINATOR) if "fitcheck.rematch" in str(c.params.get("blocks"))]
    shown = copy.deepcopy(server.fake.messages[(notice.result["channel"], notice.result["ts"])])
    rematch = _element(notice, "fitcheck.rematch")
    pressed, _ = await server.click(notice, "fitcheck.rematch", user=COORDINATOR, value=rematch["value"])
    assert pressed == 200
    await server.settle()
    # Only asked: the notice is not "you answered: Matcha om", its buttons are there after a No.
    assert server.fake.messages[(notice.result["channel"], notice.result["ts"])] == shown
    (question,) = [c for c in dms(server.fake, COORDINATOR) if f"Avsluta paret #{n} Adam → Maria" in c.params["text"]]
    assert "passade inte (efter första mötet)" in question.params["text"], question.params["text"]
    assert await _status(sqlite_db, n) == PairStatus.ANNOUNCED  # nothing done yet
    told = len(dms(server.fake, ADEPT)), len(dms(server.fake, MENTOR))
    yes = _element(question, "confirm.confirm")
    pressed, _ = await server.click(question, "confirm.confirm", user=COORDINATOR, value=yes["value"])
    assert pressed == 200
    await server.settle()
    async with sqlite_db.read() as s:
        pairing = await s.get(Pairing, n)
    assert (pairing.status, pairing.end_reason) == (PairStatus.ENDED, "passade inte (efter första mötet)")
    for who, before in zip((ADEPT, MENTOR), told, strict=True):
        notices = [c.params["text"] for c in dms(server.fake, who)[before:]]
        assert any("avslutat av samordnaren" in t or "ended by the coordinator" in t for t in notices), notices


async def test_a_ja_typed_right_after_the_question_answers_it_on_slack(server, sqlite_db, clock):
    """`avsluta-par` asks (as a slash command: the question comes through the
    response_url); the coordinator then writes `ja` in the DM: the pair ends,
    as the Yes button would end it (`bot.asked`)."""
    for who in (COORDINATOR, ADEPT, MENTOR):
        await server.dm("status", user=who)
    await server.settle()
    n = await _pair(sqlite_db, clock)
    await server.command(f"avsluta-par {n} flyttar", user=COORDINATOR, channel="D0COORD")
    await server.settle()
    assert await _status(sqlite_db, n) == PairStatus.ANNOUNCED  # nothing done yet
    await server.dm("ja", user=COORDINATOR)
    await server.settle()
    assert await _status(sqlite_db, n) == PairStatus.ENDED
