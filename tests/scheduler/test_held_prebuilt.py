"""A message written whole by a turn (an invitation, an introduction) to
someone already marked unreachable is held without trying the platform
again, and goes when they write to the bot."""

from __future__ import annotations

from sqlmodel import select

from bot.config import BotSettings, Config
from bot.messages import Address, Outbound, Platform, Where
from bot.outbox import KIND, address_to_dict, encode
from bot.people import reachable_again
from bot.ports import Delivery
from bot.reminders.store import HELD_UNTIL
from bot.store.models import Identity, Reminder
from scheduler.dispatcher import Dispatcher
from tests.scheduler.helpers import RecordingPort, make_person


async def test_a_message_to_someone_marked_unreachable_waits_for_them_untried(sqlite_db, clock):
    to = Address(Platform.CONSOLE, "local", user="anna", where=Where.DM)
    async with sqlite_db.write() as s:
        anna = await make_person(s, "Anna")
        identity = (await s.exec(select(Identity).where(Identity.person_id == anna.id))).one()
        identity.unreachable, identity.unreachable_reason = True, "console: blocked"
        s.add(identity)
        message = Outbound(text="Hej Anna! Du är inbjuden.", kind="commands/invitation", to=to)
        s.add(
            Reminder(
                key="message:test:1",
                kind=KIND,
                template="commands/invitation",
                person_id=anna.id,
                address=address_to_dict(to),
                context={"message": encode(message)},
                due_at=clock.now(),
                created_at=clock.now(),
            )
        )
    port = RecordingPort()
    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config(bot=BotSettings()))
    await dispatcher.tick()
    assert port.sent == []  # not tried at the platform
    async with sqlite_db.read() as s:
        row = (await s.exec(select(Reminder).where(Reminder.key == "message:test:1"))).one()
    assert row.status == "pending" and row.due_at == HELD_UNTIL
    async with sqlite_db.write() as s:  # Anna writes to the bot again
        identity = (await s.exec(select(Identity).where(Identity.person_id == anna.id))).one()
        await reachable_again(s, identity, clock.now())
    await dispatcher.tick()
    assert [m.text for _, m in port.sent] == ["Hej Anna! Du är inbjuden."]
