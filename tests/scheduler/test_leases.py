"""The dispatcher's crash guarantees: a record applies only while the lease is
held, a row whose last send is unconfirmed is checked on Slack before it is
sent again, a group introduction that cannot be opened falls back to DMs,
and a record the database refuses stops the batch."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.slack.outbound import SlackPort
from bot.config import BotSettings, Config
from bot.messages import Address, Outbound, Platform, Where
from bot.outbox import address_to_dict, encode
from bot.ports import Delivery
from bot.reminders.store import Planned, insert_if_absent
from bot.store.db import Database
from scheduler.dispatcher import Dispatcher
from scheduler.record import UNCONFIRMED
from tests.fakes.slack_api import FakeSlackAPI
from tests.scheduler.helpers import RecordingPort, make_person, reminders

TEAM = "T0FAKE"


def dm(user: str, platform: Platform = Platform.SLACK) -> Address:
    return Address(platform, TEAM if platform == Platform.SLACK else "local", user=user, where=Where.DM)


async def keep(db, clock, key: str, to: Address, text: str, **context) -> None:
    async with db.write() as s:
        await insert_if_absent(
            s,
            [
                Planned(
                    key=key,
                    kind="message",
                    template="test/message",
                    due_at=clock.now(),
                    subject="",
                    address=address_to_dict(to),
                    context={"message": encode(Outbound(text=text, to=to)), **context},
                )
            ],
            clock.now(),
        )


async def test_a_lease_that_runs_out_during_a_slow_send_repeats_nothing_on_slack(sqlite_db, clock):
    fake = FakeSlackAPI(post_delay=1.5)
    await fake.start()
    try:
        fake.add_user("U1", "Eva")
        port = SlackPort("xoxb-test", fake.base_url, max_wait=0)
        delivery = Delivery({Platform.SLACK: port})
        first = Dispatcher(sqlite_db, delivery, clock, Config(), worker="replica-a")
        second = Dispatcher(sqlite_db, delivery, clock, Config(), worker="replica-b")
        await keep(sqlite_db, clock, "message:intro-eva", dm("U1"), "Hej Eva!")

        slow = asyncio.ensure_future(first.tick())
        while not fake.calls_to("chat.postMessage"):  # the post has reached Slack, the answer is late  # noqa: ASYNC110 (polling a fake in another task)
            await asyncio.sleep(0.02)
        clock.advance(first.lease + timedelta(seconds=1))  # ... and replica A's lease runs out meanwhile
        taken = await second.tick()
        late = await slow

        assert taken.reclaimed == 1 and taken.sent == 1  # B took the row, found the post, sent nothing
        assert late.lost == 1 and late.sent == 0  # A's late record is refused: B holds the row now
        assert len(fake.calls_to("chat.postMessage", ok=True)) == 1
        (row,) = await reminders(sqlite_db)
        assert row.status == "sent" and row.claimed_by == "replica-b"
        await port.close()
    finally:
        await fake.stop()


async def test_an_unconfirmed_row_not_found_on_slack_is_sent(sqlite_db, clock):
    fake = FakeSlackAPI()
    await fake.start()
    try:
        fake.add_user("U1", "Eva")
        port = SlackPort("xoxb-test", fake.base_url, max_wait=0)
        dispatcher = Dispatcher(sqlite_db, Delivery({Platform.SLACK: port}), clock, Config())
        await keep(sqlite_db, clock, "message:never-went", dm("U1"), "Hej Eva!")
        async with sqlite_db.write() as s:  # a claim whose holder died before sending
            from sqlalchemy import update

            from bot.store.models import Reminder

            await s.exec(update(Reminder).values(last_error=UNCONFIRMED))
        assert (await dispatcher.tick()).sent == 1
        assert [c.method for c in fake.calls] == ["conversations.open", "conversations.history", "chat.postMessage"]
        await port.close()
    finally:
        await fake.stop()


async def test_a_group_that_cannot_be_opened_gets_the_introduction_in_each_dm(sqlite_db, clock):
    fake = FakeSlackAPI(method_errors={"conversations.open": "missing_scope"})
    await fake.start()
    try:
        for user in ("U1", "U2"):
            fake.add_user(user, user)
        port = SlackPort("xoxb-test", fake.base_url, max_wait=0)
        dispatcher = Dispatcher(sqlite_db, Delivery({Platform.SLACK: port}), clock, Config())
        group = SlackPort.group_address(TEAM, ["U1", "U2"])
        await keep(
            sqlite_db,
            clock,
            "message:intro-pair",
            group,
            "Eva, möt Mats!",
            fallback=[address_to_dict(dm("U1")), address_to_dict(dm("U2"))],
        )
        await dispatcher.tick()
        delivered = sorted((c.params["channel"], c.params["text"]) for c in fake.calls_to("chat.postMessage", ok=True))
        assert delivered == [("U1", "Eva, möt Mats!"), ("U2", "Eva, möt Mats!")]
        statuses = {r.key: r.status for r in await reminders(sqlite_db)}
        assert statuses == {
            "message:intro-pair": "failed",
            "message:intro-pair:fallback0": "sent",
            "message:intro-pair:fallback1": "sent",
        }, "and no failure report: it was delivered"
        await port.close()
    finally:
        await fake.stop()


async def _ten_kept(sqlite_db, clock, *, concurrency: int, to) -> tuple[RecordingPort, Dispatcher]:
    """Ten console messages in the outbox (message n to `to(n)`) and a dispatcher for them."""
    async with sqlite_db.write() as s:
        await make_person(s, "Eva")
    port = RecordingPort()
    dispatcher = Dispatcher(
        sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config(bot=BotSettings()), concurrency=concurrency
    )
    for n in range(10):
        await keep(sqlite_db, clock, f"message:{n}", dm(to(n), Platform.CONSOLE), f"nr {n}")
    return port, dispatcher


async def test_a_record_the_database_refuses_stops_the_batch(sqlite_db, clock, tmp_path):
    port, dispatcher = await _ten_kept(sqlite_db, clock, concurrency=1, to=lambda n: "eva")
    # The database goes away right after the first send.
    real_send, gone = port.send, Database(f"sqlite:///{tmp_path}/no/such/dir/db.sqlite")

    async def send_then_lose_the_database(to, message):
        sent = await real_send(to, message)
        dispatcher.recorder.db = gone
        return sent

    port.send = send_then_lose_the_database
    result = await dispatcher.tick()
    assert len(port.sent) == 1, "nothing more is sent once a record fails"
    assert result.sent == 0
    await gone.dispose()

    # The database is back; after the lease the rows come back, the sent one marked unconfirmed.
    dispatcher.recorder.db = sqlite_db
    port.send = real_send
    clock.advance(dispatcher.lease + timedelta(seconds=1))
    again = await dispatcher.tick()
    assert again.reclaimed == 10 and again.sent == 10
    assert {r.status for r in await reminders(sqlite_db)} == {"sent"}
    # This port cannot tell what arrived, so the one unrecorded send is repeated:
    # at most `concurrency` repeats (on Slack, none: see the tests above).
    assert len(port.sent) == 11


async def test_an_outcome_is_recorded_only_by_the_lease_holder(sqlite_db, clock):
    """A replica whose lease ran out must not overwrite the row another one
    has claimed since (say, turn it back to pending or failed)."""
    from scheduler.record import Claimed, Recorder

    await keep(sqlite_db, clock, "message:contested", dm("eva", Platform.CONSOLE), "Hej")
    holder = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: RecordingPort()}), clock, Config(), worker="b")
    (row,) = await holder.claim()
    late = Recorder(sqlite_db, clock, "a")
    stale = Claimed(**{**row.__dict__})
    from bot.ports import DeliveryError

    assert await late.record(stale, "sent", "ts-from-a") == "lost"
    assert await late.record(stale, "error", DeliveryError("timeout")) == "lost"
    (kept,) = await reminders(sqlite_db)
    assert (kept.status, kept.claimed_by, kept.message_id) == ("claimed", "b", None)
    assert await holder.recorder.record(row, "sent", "ts-from-b") == "sent"


async def test_while_records_wait_for_the_database_no_more_than_the_concurrency_is_sent(sqlite_db, clock):
    """The bound on what a crash can repeat: a send's gate slot is freed only
    when its outcome is written, so a database that takes no records stops
    the sending after `concurrency` messages (all recorded once it is back)."""
    port, dispatcher = await _ten_kept(sqlite_db, clock, concurrency=3, to=lambda n: f"user{n}")
    held, release = asyncio.Event(), asyncio.Event()

    async def hold_the_database():
        async with sqlite_db.writer():  # no other write gets in meanwhile
            held.set()
            await release.wait()

    real_send, holder = port.send, []

    async def send_while_the_database_is_held(to, message):
        if not holder:  # the batch is claimed; from now on no record can be written
            holder.append(asyncio.ensure_future(hold_the_database()))
            await held.wait()
        return await real_send(to, message)

    port.send = send_while_the_database_is_held
    tick = asyncio.ensure_future(dispatcher.tick())
    for _ in range(100):  # until it stops sending
        await asyncio.sleep(0.01)
        if len(port.sent) >= 3:
            break
    await asyncio.sleep(0.3)  # had it more slots, more sends would arrive now
    assert len(port.sent) == 3, "sent but unrecorded: at most the concurrency"
    release.set()
    result = await tick
    await holder[0]
    assert result.sent == 10 and len(port.sent) == 10
    assert {r.status for r in await reminders(sqlite_db)} == {"sent"}


async def test_a_row_whose_lease_ran_short_while_it_waited_its_turn_goes_back_unsent(sqlite_db, clock):
    """A row waiting behind others to the same conversation may wait long; one
    whose lease is nearly over when its turn comes is not sent (another
    dispatcher may take it soon) but put back in line, no attempt used."""
    port = RecordingPort()
    dispatcher = Dispatcher(
        sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config(bot=BotSettings()), pace={Platform.CONSOLE: 0.01}
    )
    for n in range(2):
        await keep(sqlite_db, clock, f"message:{n}", dm("eva", Platform.CONSOLE), f"nr {n}")
    real_send = port.send

    async def slow_send(to, message):  # the first send takes nearly the whole lease
        sent = await real_send(to, message)
        clock.advance(dispatcher.lease - timedelta(seconds=3))
        return sent

    port.send = slow_send
    result = await dispatcher.tick()
    assert result.sent == 1 and result.retried == 1 and [m.text for _, m in port.sent] == ["nr 0"]
    second = next(r for r in await reminders(sqlite_db) if r.key == "message:1")
    assert second.status == "pending" and second.attempts == 0
    port.send = real_send
    assert (await dispatcher.tick()).sent == 1
    assert [m.text for _, m in port.sent] == ["nr 0", "nr 1"]


async def test_a_row_put_back_unsent_keeps_its_unconfirmed_mark(sqlite_db, clock):
    """A row taken back after a crash (its last send may have arrived) and
    then put back unsent (its lease ran short while it waited its turn) is
    still checked on the platform before it is sent."""
    await keep(sqlite_db, clock, "message:maybe", dm("eva", Platform.CONSOLE), "Hej")
    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: RecordingPort()}), clock, Config())
    (row,) = await dispatcher.claim()
    row.last_error = UNCONFIRMED  # as taking a lapsed lease back marks the row
    assert await dispatcher.recorder.record(row, "release", clock.now()) == "retried"
    (kept,) = await reminders(sqlite_db)
    assert (kept.status, kept.last_error, kept.attempts) == ("pending", UNCONFIRMED, 0)


async def test_lapsed_leases_are_looked_for_at_most_every_half_minute(sqlite_db, clock):
    """Taking lapsed leases back is a statement of its own; a lease lasts
    minutes, so one dispatcher looks at most every `RECLAIM_EVERY`, not in
    every claim. A lapsed lease is still taken back by the next claim after
    that (the crash tests above)."""
    from sqlalchemy import event

    from scheduler.dispatcher import RECLAIM_EVERY

    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: RecordingPort()}), clock, Config())
    updates: list[str] = []

    def listener(_conn, _cursor, statement, *_rest):
        if statement.startswith("UPDATE"):
            updates.append("reclaim" if "lease_until <" in statement else "claim")

    event.listen(sqlite_db.units_engine, "before_cursor_execute", listener)
    try:
        await dispatcher.claim()
        first, updates[:] = list(updates), []
        clock.advance(RECLAIM_EVERY / 2)
        await dispatcher.claim()
        soon, updates[:] = list(updates), []
        clock.advance(RECLAIM_EVERY / 2)
        await dispatcher.claim()
        later = list(updates)
    finally:
        event.remove(sqlite_db.units_engine, "before_cursor_execute", listener)
    assert first == ["reclaim", "claim"], "a dispatcher's first claim looks for lapsed leases"
    assert soon == ["claim"], "not again within RECLAIM_EVERY"
    assert later == ["reclaim", "claim"]
