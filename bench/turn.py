"""One turn: SQL statements and turns per second (issue 17, point 1).

Everything real but the platform: the core, a migrated SQLite file, people
typing through `Core.handle` as in `mentorbot simulate`. Statements are
counted by an SQLAlchemy `before_cursor_execute` listener (BEGIN included,
COMMIT is not a statement the driver is given).

- intake answer: every answer of an adept's intake after `join`; the figure
  of a run is the median answer, the largest is printed too;
- `met` by an adept of an announced pair, `participants` by the coordinator;
- answers per second: 60 people answer their whole intake one after another.

    python -m bench.turn [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.goals import record
from bot.clock import VirtualClock
from bot.core import Core
from bot.dialogs.scripted import DEFAULTS, MAX_QUESTIONS, step_asked
from bot.messages import Platform
from bot.ports import Delivery
from bot.ratelimit import RateLimit
from bot.store.db import Database
from bot.store.migrate import upgrade
from scheduler.dispatcher import Dispatcher
from tools import simulate as sim
from tools.simulation_cohort import COORDINATOR, cohort

PEOPLE_FOR_RATE = 60


class Counter:
    def __init__(self) -> None:
        self.n = 0
        event.listen(Engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.n += 1

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._seen)


async def _world(tmp: Path) -> sim.World:
    url = f"sqlite:///{tmp / 'turn.db'}"
    db = Database(url)
    await upgrade(db)
    clock = VirtualClock(sim.START)
    config = sim.simulation_config(url, "sv")
    core = Core(db, config, clock, rate_limit=RateLimit.off())
    port = sim.TimedConsolePort(clock)
    world = sim.World(
        core, clock, port, Dispatcher(db, Delivery({Platform.CONSOLE: port}), clock, config), random.Random(7)
    )
    await sim.set_up_program(world, "sv")
    return world


async def _intake(world: sim.World, member, counter: Counter | None) -> list[int]:
    """Join, then answer every question; statements of each answer."""
    await world.chat(member, org=member.organisation)
    replies = await world.say(member.name, f"join role={member.role}")
    counts = []
    for _ in range(MAX_QUESTIONS):
        step = step_asked(replies)
        if step is None:
            return counts
        before = counter.n if counter else 0
        replies = await world.say(member.name, member.answers.get(step) or DEFAULTS.get(step, "hoppa över"))
        counts.append((counter.n if counter else 0) - before)
    raise RuntimeError(f"stuck at {step_asked(replies)!r}")


async def one_run() -> dict:
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-turn-") as tmp:
        world = await _world(Path(tmp))
        members = cohort(PEOPLE_FOR_RATE + 2, random.Random(11))
        counter = Counter()
        try:
            per_answer = await _intake(world, members[0], counter)  # an adept
            answers = 0
            started = time.perf_counter()
            for m in members[2:]:
                answers += len(await _intake(world, m, None))
            rate = answers / (time.perf_counter() - started)
            mentor = next(m for m in members if m.role == "mentor")
            await _intake(world, mentor, None)
            for m in members:
                if m.role == "mentor":
                    await world.say(COORDINATOR, f"approve-participant console:local:{m.user}")
            for line in ("match", "match approve", "match announce"):
                await world.say(COORDINATOR, line)
            before = counter.n
            await world.say(members[0].name, "met 2026-12-01 90")
            met = counter.n - before
            before = counter.n
            await world.say(COORDINATOR, "participants")
            participants = counter.n - before
        finally:
            counter.close()
        await world.core.db.dispose()
    return {"per_answer": per_answer, "rate": rate, "met": met, "participants": participants}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.turn")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    runs = [asyncio.run(one_run()) for _ in range(args.runs)]
    for i, r in enumerate(runs, 1):
        print(
            f"run {i}: statements per intake answer {r['per_answer']} (median "
            f"{statistics.median(r['per_answer']):g}, max {max(r['per_answer'])}); `met` {r['met']}; "
            f"`participants` {r['participants']}; {r['rate']:.0f} answers/s"
        )
    record(
        "turn",
        {
            "turn.statements.intake": [statistics.median(r["per_answer"]) for r in runs],
            "turn.rate.intake": [r["rate"] for r in runs],
            "turn.statements.met": [r["met"] for r in runs],
            "turn.statements.participants": [r["participants"] for r in runs],
        },
        note=f"largest intake answer: {max(max(r['per_answer']) for r in runs)} statements",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
