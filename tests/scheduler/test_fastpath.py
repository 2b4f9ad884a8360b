"""The adapter's send right after a turn (`scheduler.fastpath`): every
message is recorded, and the outcomes of sends that were already over
when the recorder ran share one transaction."""

import asyncio

from sqlalchemy import event

from bot.config import Config
from bot.messages import Actor, Address, Inbound, Kind, MessageRef, Outbound, Platform, Sent, Where
from bot.outbox import stage
from bot.ports import Delivery, DeliveryError
from scheduler.dispatcher import Dispatcher
from scheduler.fastpath import claimed_row, send_turn
from tests.scheduler.helpers import reminders

EVA = Address(Platform.CONSOLE, "local", "dm:eva", "eva", Where.DM)


async def staged_turn(db, clock, texts: list[str]) -> list[Outbound]:
    inbound = Inbound(actor=Actor(Platform.CONSOLE, "local", "eva"), where=EVA, kind=Kind.TEXT, text="hej")
    async with db.write() as session:
        return await stage(session, inbound, [Outbound(text=t) for t in texts], [], now=clock.now(), worker="w1")


def counting_writes(dispatcher: Dispatcher) -> list[int]:
    """How many outcomes each of the recorder's transactions wrote."""
    written: list[int] = []
    apply_many = dispatcher.recorder._apply_many

    async def counted(session, items, now):
        written.append(len(items))
        return await apply_many(session, items, now)

    dispatcher.recorder._apply_many = counted  # type: ignore[method-assign]
    return written


async def test_a_turns_messages_are_recorded_in_one_transaction(sqlite_db, clock):
    dispatcher = Dispatcher(sqlite_db, Delivery({}), clock, Config(), worker="w1")
    written = counting_writes(dispatcher)
    sent: list[str] = []

    async def send(message: Outbound) -> Sent:
        sent.append(message.text)
        return Sent(MessageRef(Platform.CONSOLE, "dm:eva", str(len(sent))))

    messages = await staged_turn(sqlite_db, clock, ["svar", "nästa fråga", "tack"])
    assert await send_turn(dispatcher, messages, send) == ["sent", "sent", "sent"]
    assert sent == ["svar", "nästa fråga", "tack"]
    assert written == [3]
    assert [(r.status, r.message_id) for r in await reminders(sqlite_db)] == [
        ("sent", "1"),
        ("sent", "2"),
        ("sent", "3"),
    ]


async def test_a_failed_send_is_recorded_with_the_others_and_holds_the_rest_of_its_conversation(sqlite_db, clock):
    dispatcher = Dispatcher(sqlite_db, Delivery({}), clock, Config(), worker="w1")
    written = counting_writes(dispatcher)

    async def send(message: Outbound) -> Sent:
        if message.text == "nästa fråga":
            raise DeliveryError("rate limited", retry_after=20)
        return Sent(MessageRef(Platform.CONSOLE, "dm:eva", message.text))

    messages = await staged_turn(sqlite_db, clock, ["svar", "nästa fråga", "tack"])
    assert await send_turn(dispatcher, messages, send) == ["sent", "retried", "retried"]
    assert written == [3]
    rows = await reminders(sqlite_db)
    assert [r.status for r in rows] == ["sent", "pending", "pending"]
    assert rows[1].due_at < rows[2].due_at, "the held message stays behind the one that failed"


async def test_an_outcome_submitted_inside_a_write_is_written_once_that_write_ends(sqlite_db, clock):
    """The recorder's writer runs in a context of its own: a sender inside a
    write transaction does not make the writer's own transaction look nested."""
    dispatcher = Dispatcher(sqlite_db, Delivery({}), clock, Config(), worker="w1")
    (message,) = await staged_turn(sqlite_db, clock, ["svar"])
    row = claimed_row(message)
    async with sqlite_db.write():
        outcome = dispatcher.recorder.submit(row, "sent", "m1")
        await asyncio.sleep(0.01)  # the writer starts meanwhile, and waits for this write to end
    assert await outcome == "sent"
    assert not dispatcher.recorder.broken
    assert [(r.status, r.message_id) for r in await reminders(sqlite_db)] == [("sent", "m1")]


# Eva by her user id alone: the platform names the conversation it opened when it sends.
EVA_BY_ID = Address(Platform.CONSOLE, "local", None, "eva", Where.DM)


async def test_sends_recorded_together_keep_the_opened_conversation_in_one_statement_and_forget_a_transient_one(
    any_db, clock
):
    """Several sends to a user id alone are recorded by one UPDATE, each with
    the conversation the platform opened (what a later update of the message
    needs); a transient one keeps no address even so (`_forget_transient`
    runs after every send is recorded)."""
    dispatcher = Dispatcher(any_db, Delivery({}), clock, Config(), worker="w1")
    inbound = Inbound(actor=Actor(Platform.CONSOLE, "local", "eva"), where=EVA, kind=Kind.TEXT, text="hej")
    out = [Outbound(text="ett", to=EVA_BY_ID), Outbound(text="två", to=EVA_BY_ID, transient=True)]
    async with any_db.write() as session:
        messages = await stage(session, inbound, out, [], now=clock.now(), worker="w1")
    updates: list[str] = []

    def seen(conn, cursor, statement, *_):
        if statement.startswith("UPDATE reminder"):
            updates.append(statement)

    event.listen(any_db.units_engine, "before_cursor_execute", seen)
    try:

        async def send(message: Outbound) -> Sent:
            return Sent(MessageRef(Platform.CONSOLE, "dm-opened:eva", message.text))

        assert await send_turn(dispatcher, messages, send) == ["sent", "sent"]
    finally:
        event.remove(any_db.units_engine, "before_cursor_execute", seen)
    kept, transient = await reminders(any_db)
    assert (kept.status, kept.message_id, kept.address["conversation"]) == ("sent", "ett", "dm-opened:eva")
    assert (transient.status, transient.address, transient.context) == ("sent", None, {})
    assert len(updates) == 2, updates  # the sends together, then the transient one forgotten
