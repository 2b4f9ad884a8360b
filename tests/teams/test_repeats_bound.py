"""Teams cannot tell whether a message already arrived (no metadata to look
up), so the dispatcher bounds what a crash can repeat: it records a row as
claimed before the send and as sent right after it, inside the concurrency
gate. A process killed between sends and records has at most `concurrency`
messages out but unrecorded, and only those are sent again after a restart;
also when a tick claims its next batch while the current one is still
sending (the batches of a tick share one gate).

Through the fake Bot Connector, with the Teams port of the running server."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.addresses import address_of
from bot.messages import Outbound
from bot.outbox import address_to_dict, encode
from bot.reminders.store import Planned, insert_if_absent
from bot.store.models import Identity
from scheduler.dispatcher import Dispatcher
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.helpers import teams_server, user
from tests.teams.people import TeamsPerson

PEOPLE = [user(f"Person{i}", 70 + i) for i in range(6)]
ROWS, CONCURRENCY, RECORDED_BEFORE_THE_KILL = 30, 3, 7


async def _plan_messages(db, clock) -> None:
    async with db.write() as s:
        identities = (await s.exec(select(Identity).order_by(Identity.id))).all()
        addresses = [await address_of(s, i.person_id) for i in identities]
        await insert_if_absent(
            s,
            [
                Planned(
                    key=f"bound:{n}",
                    kind="message",
                    template="message",
                    due_at=clock.now(),
                    subject="bound",
                    address=address_to_dict(addresses[n % len(addresses)]),
                    context={"message": encode(Outbound(text=f"meddelande {n}"))},
                )
                for n in range(ROWS)
            ],
            clock.now(),
        )


def _dispatcher(sqlite_db, clock, server, worker: str, batch: int) -> Dispatcher:
    return Dispatcher(
        sqlite_db,
        server.runtime.delivery,
        clock,
        server.runtime.config,
        worker=worker,
        concurrency=CONCURRENCY,
        batch=batch,
    )


@pytest.mark.parametrize("batch", [ROWS, ROWS // 3], ids=["one batch", "batches claimed ahead"])
async def test_a_kill_between_send_and_record_repeats_at_most_the_concurrency(sqlite_db, clock, batch):
    async with FakeBotConnector() as connector, teams_server(sqlite_db, clock) as server:
        for who in PEOPLE:
            await TeamsPerson(server, connector, who).type("status")
        await _plan_messages(sqlite_db, clock)
        before = len(connector.calls)

        dying = _dispatcher(sqlite_db, clock, server, "dying", batch)
        record, recorded = dying.recorder.record, []

        async def record_then_freeze(row, what, detail):
            if len(recorded) >= RECORDED_BEFORE_THE_KILL:
                await asyncio.Event().wait()  # the process stops here: sent, never recorded
            recorded.append(row.key)
            return await record(row, what, detail)

        dying.recorder.record = record_then_freeze  # type: ignore[method-assign]
        tick = asyncio.create_task(dying.tick())
        for _ in range(500):  # until it stops sending
            await asyncio.sleep(0.01)
            if len(connector.calls) - before >= RECORDED_BEFORE_THE_KILL + CONCURRENCY:
                break
        await asyncio.sleep(0.3)  # had it more in flight, they would arrive now
        tick.cancel()  # kill -9: nothing more of this process runs
        sent_first = [c.text for c in connector.calls[before:] if c.op == "send"]
        assert len(sent_first) == RECORDED_BEFORE_THE_KILL + CONCURRENCY, sent_first

        restarted = _dispatcher(sqlite_db, clock, server, "restarted", ROWS)
        clock.advance(dying.lease + timedelta(seconds=1))  # the dead process's leases run out
        result = await restarted.tick()
        assert result.sent == ROWS - RECORDED_BEFORE_THE_KILL
        # Every row the dying process had claimed and not recorded comes back
        # (all of them when it claimed them all; a batch ahead when in batches).
        assert 0 < result.reclaimed <= result.sent and (batch < ROWS or result.reclaimed == result.sent)

    texts = [c.text for c in connector.calls[before:] if c.op == "send"]
    wanted = {f"meddelande {n}" for n in range(ROWS)}
    assert set(texts) == wanted, "nothing lost"
    repeats = len(texts) - len(wanted)
    assert 0 < repeats <= CONCURRENCY, f"{repeats} repeated: the bound is the concurrency ({CONCURRENCY})"
