"""The adapter's send right after a turn commits: the fast path of the outbox.

A turn's messages are already outbox rows, claimed by this process
(`bot.outbox.stage`). `send_turn` sends them at once, in order, through the
adapter's own `send` (which knows how to answer in place: a `response_url`,
a Teams turn context), and records each outcome with the dispatcher's
recorder. Nothing is dropped:

* a send that fails is recorded like a dispatcher's (a 429 waits its
  `Retry-After`, other errors back off, a permanent one is reported);
* the messages after it to the same conversation are not sent out of order:
  they go back to the outbox right behind it, for the dispatcher;
* a crash after the commit leaves the rows claimed; when their short lease
  runs out the dispatcher sends them.

Each outcome goes to the recorder as soon as its send is over, and the next
message is sent meanwhile; the outcomes of sends that were over before the
recorder's writer ran are written in one transaction. `send_turn` returns
once every outcome is written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.messages import Outbound, Sent
from bot.outbox import address_to_dict
from bot.ports import DeliveryError
from scheduler.dispatcher import Dispatcher, destination
from scheduler.record import Claimed

log = logging.getLogger(__name__)

Send = Callable[[Outbound], Awaitable["Sent | None"]]


def claimed_row(message: Outbound) -> Claimed:
    ref = message.outbox
    if ref is None:
        raise ValueError(f"only a message written to the outbox has a row to record ({message.kind})")
    return Claimed(
        id=ref.id,
        key=ref.key,
        kind="reply" if ref.key.startswith("reply:") else "message",
        template=message.kind,
        person_id=None,
        address=address_to_dict(ref.address),
        context={"transient": True} if message.transient else {},
        program_id=None,
        subject=None,
        attempts=1,
        expires_at=None,
    )


async def send_turn(dispatcher: Dispatcher, messages: list[Outbound], send: Send) -> list[str]:
    """Send a turn's messages now and record each; returns the outcomes."""
    record = dispatcher.recorder.submit
    outcomes: list[asyncio.Future[str] | str] = []
    held: dict[tuple, datetime] = {}  # conversation -> when its first failed message is due again
    for message in messages:
        if message.outbox is None:  # not a row (a "working on it" note): best effort
            try:
                await send(message)
            except DeliveryError as err:
                log.info("could not send %s: %s", message.kind or "a note", err.reason)
            outcomes.append("unrecorded")
            continue
        row, lane = claimed_row(message), destination(message.outbox.address)
        if lane in held:  # keep the conversation's order: wait behind the failed one
            held[lane] = held[lane] + timedelta(milliseconds=1)
            outcomes.append(record(row, "release", held[lane]))
            continue
        try:
            sent = await send(message)
        except DeliveryError as err:
            log.info("send of %s failed (%s); the outbox keeps it", message.kind or "a message", err.reason)
            outcomes.append(record(row, "error", err))
            delay = err.retry_after if err.retry_after is not None else 30.0
            held[lane] = dispatcher.clock.now() + timedelta(seconds=delay)
        except Exception as exc:  # an adapter bug: the dispatcher tries again later
            log.exception("sending %s", message.kind or "a message")
            outcomes.append(record(row, "error", DeliveryError(f"{exc.__class__.__name__}: {exc}")))
            held[lane] = dispatcher.clock.now() + timedelta(seconds=30)
        else:
            outcomes.append(record(row, "sent", sent.ref if sent else None))
    return [outcome if isinstance(outcome, str) else await outcome for outcome in outcomes]
