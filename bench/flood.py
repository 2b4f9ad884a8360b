"""One person floods the bot with 1 000 messages; how long does someone else
wait for their answer?

In one process, on a real SQLite file, through the real core: person B types
`status` 30 times, one after the other, (1) alone, as the baseline, then
(2) while person A's 1 000 messages arrive 50 at a time, with the core's
per-person rate limit as shipped, and (3) the same flood with the limit off.
B's median and p95 reply latency in each case, and the ratio to the
baseline. Goal: (2) within 1.5x of the baseline.

    .venv/bin/python -m bench.flood
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.config import BotSettings, Config
from bot.core import Core
from bot.messages import Actor, Address, Inbound, Kind, Platform, Where
from bot.ratelimit import RateLimit
from bot.store.db import Database
from bot.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
FLOOD = 1000
CONCURRENT = 50
B_MESSAGES = 30


def inbound(user: str, text: str) -> Inbound:
    actor = Actor(Platform.CONSOLE, "local", user, display_name=user)
    return Inbound(actor, Address(Platform.CONSOLE, "local", f"dm:{user}", user, Where.DM), Kind.TEXT, text=text)


async def b_latencies(core: Core) -> list[float]:
    times = []
    for _ in range(B_MESSAGES):
        started = time.perf_counter()
        await core.handle(inbound("b", "status"))
        times.append(time.perf_counter() - started)
        await asyncio.sleep(0.01)
    return times


async def flood(core: Core) -> None:
    pending = set()
    for n in range(FLOOD):
        pending.add(asyncio.ensure_future(core.handle(inbound("a", f"status {n}"))))
        if len(pending) >= CONCURRENT:
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    await asyncio.gather(*pending)


async def scenario(path: Path, limit: RateLimit | None, with_flood: bool) -> dict:
    db = Database(f"sqlite:///{path}")
    await upgrade(db)
    core = Core(db, Config(bot=BotSettings(coordinators=())), rate_limit=limit)
    await core.handle(inbound("b", "hello"))  # B is known, as in real life
    try:
        if with_flood:
            flooding = asyncio.ensure_future(flood(core))
            await asyncio.sleep(0.05)
            times = await b_latencies(core)
            await flooding
        else:
            times = await b_latencies(core)
    finally:
        await db.dispose()
    times.sort()
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
    }


async def run() -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["baseline"] = await scenario(Path(tmp) / "a.db", None, False)
        results["flood, rate limit on"] = await scenario(Path(tmp) / "b.db", None, True)
        results["flood, rate limit off"] = await scenario(Path(tmp) / "c.db", RateLimit.off(), True)
    base = results["baseline"]["median_ms"] or 0.1
    for row in results.values():
        row["median_ratio"] = round(row["median_ms"] / base, 2)
    return results


def main() -> int:
    results = asyncio.run(run())
    print(f"{'scenario':28} {'median ms':>10} {'p95 ms':>8} {'ratio':>6}")
    for name, row in results.items():
        print(f"{name:28} {row['median_ms']:>10} {row['p95_ms']:>8} {row['median_ratio']:>6}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "flood.json").write_text(
        json.dumps({"at": datetime.now(UTC).isoformat(), "flood": FLOOD, "results": results}, indent=2),
        encoding="utf-8",
    )
    return 0 if results["flood, rate limit on"]["median_ratio"] <= 1.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
