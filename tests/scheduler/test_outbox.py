"""A message a turn wrote to the outbox is delivered by the dispatcher
exactly as written; if it never gets through, the coordinator is told who
missed what."""

import dataclasses
from datetime import timedelta

from bot.config import BotSettings, Config
from bot.messages import (
    Address,
    Button,
    Buttons,
    Card,
    Choice,
    Fields,
    Heading,
    Input,
    MessageRef,
    Option,
    Outbound,
    Platform,
    Text,
    Where,
)
from bot.outbox import address_to_dict, decode, encode
from bot.ports import Delivery, DeliveryError
from bot.reminders.store import Planned, insert_if_absent
from scheduler.dispatcher import Dispatcher
from tests.scheduler.helpers import RecordingPort, make_person, reminders

EVA = Address(Platform.CONSOLE, "local", "dm:eva", "eva", Where.DM)
INTRO = Outbound(
    text="Hej Eva! Din mentor är Mats.",
    card=Card(
        (
            Heading("Ert par"),
            Text("Mats, Håbo kommun"),
            Fields((("Ämnen", "Att leda förändring"),)),
            Buttons((Button("nudge.met", "Vi har träffats", "7", "primary"),)),
            Choice("dlg:1:2:3", "Välj", (Option("a", "A"), Option("b", "B")), multi=True, selected=("a",)),
            Input("wish", "Önskemål", "skriv här", True, ""),
        ),
        "form.send",
        "Skicka",
    ),
    to=EVA,
    kind="matching/intro",
    locale="sv",
    replace=MessageRef(Platform.CONSOLE, "dm:eva", "12"),
)


async def keep(db, clock, message: Outbound, *, due_in: timedelta = timedelta(seconds=30)) -> None:
    """The row a turn writes for a message it could not send at once."""
    async with db.write() as s:
        await insert_if_absent(
            s,
            [
                Planned(
                    key="message:test",
                    kind="message",
                    template=message.kind,
                    due_at=clock.now() + due_in,
                    subject="",
                    address=address_to_dict(message.to),
                    context={"message": encode(message)},
                )
            ],
            clock.now(),
        )


POST = dataclasses.replace(INTRO, replace=None)  # a new message, not an update of one shown


def test_a_message_survives_the_round_trip_through_the_outbox():
    assert decode(encode(INTRO), EVA) == INTRO


async def test_a_deferred_message_is_sent_by_the_dispatcher(sqlite_db, clock):
    port = RecordingPort()
    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config())
    await keep(sqlite_db, clock, POST, due_in=timedelta(seconds=20))
    assert (await dispatcher.tick()).claimed == 0  # not before the platform's Retry-After
    clock.advance(timedelta(seconds=20))
    assert (await dispatcher.tick()).sent == 1
    assert [dataclasses.replace(m, outbox=None) for m in port.to("eva")] == [POST]
    assert [r.status for r in await reminders(sqlite_db)] == ["sent"]


async def test_a_message_that_never_gets_through_is_reported_to_the_coordinator(sqlite_db, clock):
    async with sqlite_db.write() as s:
        await make_person(s, "Eva")
        await make_person(s, "Cecilia", locale="en")
    port = RecordingPort({"eva": DeliveryError("user blocked the app", permanent=True)})
    config = Config(bot=BotSettings(coordinators=("console:local:cecilia",)))
    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: port}), clock, config)
    await keep(sqlite_db, clock, POST)
    clock.advance(timedelta(minutes=1))
    await dispatcher.tick()
    await dispatcher.tick()
    (report,) = port.to("cecilia")
    assert "Eva" in report.text and "user blocked the app" in report.text
