"""Pacing a conversation from when the platform accepted the last post
(`scheduler.pace`): the rule on a made-up clock, then through the real
dispatcher, `SlackPort` and the fake Slack Web API with a per-channel limit."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from adapters.slack.outbound import SlackPort
from bot.config import Config
from bot.messages import Address, Platform, Where
from bot.ports import Delivery
from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher, destination
from scheduler.pace import Pacer
from tests.fakes.slack_api import FakeSlackAPI

SLACK = Platform.SLACK

# ------------------------------------------------------------------ the rule


def test_the_pace_counts_from_the_stamp_not_from_a_slow_answer():
    pacer = Pacer()
    ahead = 1000.0  # the platform's clock minus ours
    # Accepted at 10.01 on our clock, answered at 10.05: the bound is 999.96.
    assert pacer.accepted(SLACK, 10.01 + ahead, left=10.0, answered=10.05) == pytest.approx(10.05)
    # Accepted at 11.01, but the answer took until 11.30: counted from the
    # stamp, as late as the bound allows (11.01 + 0.04), not from 11.30.
    assert pacer.accepted(SLACK, 11.01 + ahead, left=11.0, answered=11.30) == pytest.approx(11.05)
    assert pacer.bound(SLACK) == pytest.approx(999.96)


@pytest.mark.parametrize("ahead", [-3600.0, -0.25, 0.0, 0.25, 3600.0])
def test_never_earlier_than_the_platform_accepted_nor_later_than_the_answer(ahead):
    """Whatever the platform's clock is off by, the time a post counts from
    is never before the platform took it and never after its answer."""
    rng = random.Random(17)
    pacer = Pacer()
    now = 100.0
    for _ in range(500):
        left = now
        took = left + rng.uniform(0.0, 0.05)  # on our clock
        answered = took + rng.uniform(0.0, 0.2)
        accepted = pacer.accepted(SLACK, took + ahead, left=left, answered=answered)
        assert took - 1e-9 <= accepted <= answered
        now = answered + rng.uniform(0.0, 0.01)


def test_without_a_stamp_the_pace_counts_from_the_answer():
    pacer = Pacer()
    pacer.accepted(SLACK, 1010.01, left=10.0, answered=10.02)
    assert pacer.accepted(SLACK, None, left=11.0, answered=11.30) == 11.30
    # Another platform's answers say nothing about this one's clock.
    assert pacer.bound(Platform.TEAMS) is None
    assert pacer.accepted(Platform.TEAMS, 2011.0, left=11.0, answered=11.30) == pytest.approx(11.30)


def test_a_platform_clock_that_fell_back_is_followed_once_the_window_moves_on():
    """A bound is kept for `size` answers and `horizon` seconds: after that, a
    platform clock that stepped back no longer makes posts count earlier than
    they were accepted."""
    pacer = Pacer(size=3, horizon=60.0)
    pacer.accepted(SLACK, 1010.0, left=10.0, answered=10.0)  # bound 1000
    for n in range(1, 4):  # the platform's clock is now 0.5 s behind where it was
        at = 10.0 + n
        accepted = pacer.accepted(SLACK, at + 999.5, left=at - 0.1, answered=at + 0.1)
        # Never before the request left, whatever the stale bound says.
        assert accepted == pytest.approx(at - 0.1 if n < 3 else at + 0.1)
    assert pacer.bound(SLACK) == pytest.approx(999.4)

    pacer = Pacer(size=200, horizon=60.0)
    pacer.accepted(SLACK, 1010.0, left=10.0, answered=10.0)
    pacer.accepted(SLACK, 1050.0 - 0.5, left=49.9, answered=50.0)
    assert pacer.bound(SLACK) == pytest.approx(1000.0)  # still within the minute
    pacer.accepted(SLACK, 1080.0 - 0.5, left=79.9, answered=80.0)
    assert pacer.bound(SLACK) == pytest.approx(999.5)  # the first answer is over a minute old


# ------------------------------------------------- through the dispatcher


class RecordingPacer(Pacer):
    """The real rule, and what it was asked and answered."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[dict] = []

    def accepted(self, platform, stamp, left, answered):
        result = super().accepted(platform, stamp, left, answered)
        self.seen.append({"stamp": stamp, "left": left, "answered": answered, "accepted": result})
        return result


async def seed(db, channels: int, per_channel: int, due, first: int = 0) -> None:
    rows = [
        {
            "key": f"pace:{first + i}",
            "kind": "failure",
            "template": "scheduler/unreachable",
            "subject": "pace",
            "address": {
                "platform": "slack",
                "tenant": "T0FAKE",
                "conversation": f"C{i % channels}",
                "where": "channel",
            },
            "context": {"who": f"C{i % channels}", "what": "test", "why": "test", "attempts": 0},
            "due_at": due,
            "status": "pending",
            "attempts": 0,
        }
        for i in range(channels * per_channel)
    ]
    async with db.write() as session:
        await (await session.connection()).execute(sa.insert(Reminder.__table__), rows)


@pytest.mark.parametrize("ahead", [-3600.0, 3600.0])
async def test_dispatcher_paces_each_channel_from_slacks_ts_and_is_never_throttled(sqlite_db, clock, ahead):
    """Three channels, four posts each, at 5 posts/s per channel (the fake
    answers 429 to anything sooner). The last two posts of each channel are
    answered 0.3 s after Slack took them: the next post counts its 0.2 s
    from the `ts`, not from the late answer, and Slack still sees no post
    too early."""
    pace = 0.2
    async with FakeSlackAPI(channel_rate=1 / pace, clock_offset=ahead) as fake:
        port = SlackPort("xoxb-test", fake.base_url, max_wait=0.0, channel_interval=0.0)
        pacer = RecordingPacer()
        dispatcher = Dispatcher(
            sqlite_db, Delivery({SLACK: port}), clock, Config(), concurrency=4, pace={SLACK: pace}, pacer=pacer
        )
        try:
            await seed(sqlite_db, 3, 2, clock.now())
            assert (await dispatcher.tick()).sent == 6
            fake.configure(post_delay=0.3)  # stored at once, answered late
            clock.advance(timedelta(seconds=1))
            await seed(sqlite_db, 3, 2, clock.now(), first=6)
            assert (await dispatcher.tick()).sent == 6
        finally:
            await port.close()

    posts = fake.calls_to("chat.postMessage")
    assert [(c.status, c.early) for c in posts] == [(200, False)] * 12
    # Every answer's stamp was Slack's `ts` of that message.
    stamps = {float(c.result["ts"]): c.channel for c in posts}
    assert sorted(s["stamp"] for s in pacer.seen) == sorted(stamps)
    late = pacer.seen[6:]
    assert all(s["accepted"] < s["answered"] for s in late)  # counted from the stamp, not the answer
    # Each channel's next post may start `pace` after its last post was accepted.
    for channel in ("C0", "C1", "C2"):
        last = max((s for s in pacer.seen if stamps[s["stamp"]] == channel), key=lambda s: s["stamp"])
        lane = destination(Address(SLACK, "T0FAKE", conversation=channel, where=Where.CHANNEL))
        assert dispatcher._next_ok[lane] == pytest.approx(last["accepted"] + pace, abs=1e-9)


async def test_a_big_batch_starts_sending_before_all_of_it_is_rendered(sqlite_db, clock):
    """The first posts of a fan-out leave after the batch's first few rows are
    rendered, not after a thousand rows' worth: the first chunk is small."""
    from bot.outbox import address_to_dict
    from bot.reminders.store import Planned, insert_if_absent
    from scheduler.dispatcher import FIRST_CHUNK
    from tests.scheduler.helpers import RecordingPort

    rows = 4 * FIRST_CHUNK
    async with sqlite_db.write() as s:
        await insert_if_absent(
            s,
            [
                Planned(
                    key=f"post:{n}",
                    kind="failure",
                    template="scheduler/unreachable",
                    due_at=clock.now() - timedelta(seconds=1),
                    subject="bench",
                    address=address_to_dict(
                        Address(Platform.CONSOLE, "local", conversation=f"C{n}", where=Where.CHANNEL)
                    ),
                    context={"who": f"C{n}", "what": "x", "why": "y", "attempts": 0},
                )
                for n in range(rows)
            ],
            clock.now(),
        )
    port = RecordingPort()
    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config(), concurrency=8, batch=rows)
    rendered, at_first_send = [0], []
    real_prepare, real_send = dispatcher.renderer.prepare, port.send

    async def counting_prepare(*args, **kw):
        rendered[0] += 1
        return await real_prepare(*args, **kw)

    async def noting_send(to, message):
        at_first_send.append(rendered[0])
        return await real_send(to, message)

    dispatcher.renderer.prepare, port.send = counting_prepare, noting_send
    result = await dispatcher.tick()
    assert result.sent == rows
    assert at_first_send[0] < rows, "every row was rendered before the first one was sent"
