"""What the batches of one dispatcher tick share while the next batch is
claimed as the current one still sends (`scheduler.dispatcher.Dispatcher.tick`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.dispatcher import TickResult


@dataclass
class Flow:
    """What the batches of one tick share: the concurrency gate (the bound on
    sent-but-unrecorded messages holds for the tick, not per batch), each
    conversation's last post (`lanes`: posts to one conversation stay in
    order across batches) and how many claimed rows are not finished yet
    (`room` is set while no more than `low` are)."""

    gate: asyncio.Semaphore
    low: int = 0
    lanes: dict = field(default_factory=dict)
    unfinished: int = 0
    room: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, rows: int) -> None:
        self.unfinished += rows
        if self.unfinished > self.low:
            self.room.clear()

    def done(self) -> None:
        self.unfinished -= 1
        if self.unfinished <= self.low:
            self.room.set()


async def until_room(flow: Flow, running: list[asyncio.Task], total: TickResult) -> None:
    """Until few enough claimed rows are unfinished to claim more; batches
    that end meanwhile are added to `total` (a batch that raised raises here)."""
    while not flow.room.is_set() and running:
        room = asyncio.ensure_future(flow.room.wait())
        try:
            await asyncio.wait([room, *running], return_when=asyncio.FIRST_COMPLETED)
        finally:
            room.cancel()
        for task in [t for t in running if t.done()]:
            running.remove(task)
            total.add(task.result())


async def finish(running: list[asyncio.Task], total: TickResult) -> bool:
    """Wait for every running batch; whether any made new rows to send."""
    results = await asyncio.gather(*running)
    running.clear()
    for result in results:
        total.add(result)
    return any(r.expanded or r.failed for r in results)


def chunks(rows: list, first: int, size: int) -> list[list]:
    """A batch in the chunks it is rendered in: `first` rows, then `size` at
    a time, so a big batch starts sending after a few rows' rendering, not
    after a whole chunk's."""
    head, rest = rows[:first], rows[first:]
    return ([head] if head else []) + [rest[i : i + size] for i in range(0, len(rest), size)]
