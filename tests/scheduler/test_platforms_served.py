"""`mentorbot serve` runs Slack and Teams, not the console. Started on a
database a console session used, it marked every due console message
failed ("no adapter for platform console") and told the coordinators of
each failure. Now a dispatcher that serves some platforms claims, and wakes
for, only their rows; the rest stay pending, untried, and `serve` says once
at start how many wait."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import select

from adapters.server import served_platforms, warn_waiting
from bot.config import BotSettings, Config, SlackConfig
from bot.messages import Address, Outbound, Platform, Where
from bot.outbox import KIND, address_to_dict, encode
from bot.ports import Delivery
from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher
from tests.scheduler.helpers import RecordingPort, make_person


def _reply(key: str, person_id: int, to: Address, text: str, due) -> Reminder:
    message = Outbound(text=text, kind="commands/status", to=to)
    return Reminder(
        key=key,
        kind=KIND,
        template="commands/status",
        person_id=person_id,
        address=address_to_dict(to),
        context={"message": encode(message)},
        due_at=due,
        created_at=due,
    )


async def test_rows_for_a_platform_the_process_does_not_run_stay_pending_untried(any_db, clock, caplog):
    now = clock.now()
    async with any_db.write() as s:
        anna = await make_person(s, "Anna")  # a console person
        bo = await make_person(s, "Bo", platform="slack")
        anna_at = Address(Platform.CONSOLE, "local", user="anna", where=Where.DM)
        bo_at = Address(Platform.SLACK, "local", user="bo", where=Where.DM)
        s.add(_reply("reply:console:1", anna.id, anna_at, "Hej Anna!", now - timedelta(minutes=1)))
        s.add(_reply("reply:slack:1", bo.id, bo_at, "Hej Bo!", now))
        # A row to a person, addressed when sent: Anna is reached on the console only.
        s.add(
            Reminder(
                key="nudge:anna",
                kind="nudge",
                template="nudges/nudge",
                person_id=anna.id,
                context={},
                due_at=now + timedelta(days=3),
                created_at=now,
            )
        )
    slack = RecordingPort()
    dispatcher = Dispatcher(
        any_db, Delivery({Platform.SLACK: slack}), clock, Config(bot=BotSettings()), platforms=frozenset({"slack"})
    )
    with caplog.at_level(logging.WARNING, logger="adapters.server"):
        assert await warn_waiting(dispatcher) == 2
    assert [r.getMessage() for r in caplog.records] == [
        "2 outbox messages wait for a platform this process does not run (it sends to: slack); "
        "they stay pending until a process that runs their platform sends them"
    ]
    result = await dispatcher.tick()
    assert [m.text for _, m in slack.sent] == ["Hej Bo!"] and result.failed == 0, result
    async with any_db.read() as s:
        rows = {r.key: r for r in (await s.exec(select(Reminder))).all()}
    console = rows["reply:console:1"]
    assert (console.status, console.attempts, console.last_error) == ("pending", 0, None)
    assert not [k for k in rows if k.startswith("failure")], sorted(rows)  # no coordinator told of a failure
    # Nothing it can send is due: an idle tick, and no wake-up for the console's rows.
    assert await dispatcher.next_due() is None
    assert (await dispatcher.tick()).claimed == 0
    # A process that runs every platform (the console's own) still sends them.
    console_port = RecordingPort()
    everyone = Dispatcher(any_db, Delivery({Platform.CONSOLE: console_port}), clock, Config(bot=BotSettings()))
    await everyone.tick()
    assert [m.text for _, m in console_port.sent] == ["Hej Anna!"]


def test_serve_delivers_to_the_platforms_configured_on():
    assert served_platforms(Config()) == frozenset()
    assert served_platforms(Config(slack=SlackConfig(bot_token="xoxb-1", signing_secret="s"))) == {"slack"}
