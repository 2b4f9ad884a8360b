"""Issue 13, point 4: broadcast by audience: a preview with the number of
recipients, then confirm; one outbox row per recipient, sent by the
dispatcher, audited; a double click sends nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.config import Config
from bot.messages import Platform
from bot.ports import Delivery
from bot.store.models import AuditLog, Reminder
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.core.cockpit import cockpit_world, enroll
from tests.core.harness import texts
from tests.scheduler.helpers import RecordingPort

SAY = {
    "sv": {
        "preview": "Det här går till 2 personer",
        "queued": "På väg till 2 personer",
        "from": "Från Anna",
        "nobody": "Ingen skulle få det",
        "refused": "är ett kommando för programmets samordnare",
    },
    "en": {
        "preview": "This goes to 2 people",
        "queued": "On its way to 2 people",
        "from": "From Anna",
        "nobody": "Nobody would get that",
        "refused": "is a command for the program's coordinators",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)
    await enroll(w, "Cecilia", "adept", "Täby kommun")
    await enroll(w, "David", "adept", "Knivsta kommun")
    await enroll(w, "Frida", "mentor", "Knivsta kommun")
    w.say = SAY[request.param]
    return w


def _button(replies, action_id):
    return next(
        b
        for m in replies
        if m.card
        for block in m.card.blocks
        for b in getattr(block, "buttons", ())
        if b.action_id == action_id
    )


async def _rows(db):
    async with db.read() as s:
        return list((await s.exec(select(Reminder).where(Reminder.kind == "broadcast"))).all())


async def test_preview_then_confirm_sends_one_paced_row_per_recipient(world, sqlite_db, clock):
    anna = world["Anna"]
    preview = await anna.say("broadcast adepts Kom ihåg att logga era möten!")
    assert world.say["preview"] in texts(preview) + "".join(
        b.text for b in preview[0].card.blocks if hasattr(b, "text")
    )
    assert await _rows(sqlite_db) == []  # a preview sends nothing
    send = _button(preview, "broadcast.send")
    assert world.say["queued"] in texts(await anna.click(send.action_id, send.value))
    assert world.say["queued"] not in texts(await anna.click(send.action_id, send.value))  # a double click
    rows = await _rows(sqlite_db)
    assert len(rows) == 2 and {r.key.rsplit(":", 1)[1] for r in rows} == {f"person{r.person_id}" for r in rows}

    port = RecordingPort()
    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config())
    await run_until(dispatcher, clock, clock.now() + timedelta(minutes=5), sweep_every=None)
    got = {a.user: m.text for a, m in port.sent}
    assert set(got) == {"cecilia", "david"}
    assert world.say["from"] in got["cecilia"] and "Kom ihåg att logga era möten!" in got["cecilia"]

    async with sqlite_db.read() as s:
        actions = [a.action for a in (await s.exec(select(AuditLog))).all()]
    assert "broadcast drafted" in actions and actions.count("broadcast sent") == 1


async def test_broadcast_to_an_organisation_and_to_nobody(world, sqlite_db):
    anna = world["Anna"]
    preview = await anna.say('broadcast org="Knivsta kommun" Fika på fredag')
    card = "".join(b.text for b in preview[0].card.blocks if hasattr(b, "text"))
    assert "Knivsta kommun" in card and "2" in card
    await anna.say("org add Enköpings kommun")
    assert world.say["nobody"] in texts(await anna.say('broadcast org="Enköpings kommun" Hej'))
    assert "Solna" in texts(await anna.say("broadcast org=Solna hej"))


async def test_cancel_and_refusal_send_nothing(world, sqlite_db):
    preview = await world["Anna"].say("broadcast all Hej alla")
    cancel = _button(preview, "broadcast.cancel")
    await world["Anna"].click(cancel.action_id, cancel.value)
    send = _button(preview, "broadcast.send")
    await world["Anna"].click(send.action_id, send.value)  # too late: it was cancelled
    assert world.say["refused"] in texts(await world["Bo"].say("broadcast all Hej"))
    assert world.say["refused"] in texts(await world["Bo"].click(send.action_id, send.value))
    assert await _rows(sqlite_db) == []
