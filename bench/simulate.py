"""`mentorbot simulate` at 20, 200 and 1 000 people (issue 17, point 3).

Each run is a fresh interpreter (`python -m tools.simulate`, as a user runs
it) so its peak RSS is its own; the child reports wall time, CPU time, peak
RSS and the SQL statements it issued. 1 000 people take long: they run only
with `--full` (or BENCH_FULL=1), otherwise that goal reads "not measured".

    python -m bench.simulate [--runs 3] [--sizes 20,200] [--full]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

from bench._child import run_child
from bench.goals import record

CHILD = r"""
import asyncio, json, sys, tempfile, time
from pathlib import Path
from sqlalchemy import event
from sqlalchemy.engine import Engine
from bench._memory import peak_rss_mb
from tools import simulate

statements = 0
def seen(*_):
    global statements
    statements += 1
event.listen(Engine, "before_cursor_execute", seen)
size = int(sys.argv[1])
with tempfile.TemporaryDirectory(prefix="mentorbot-bench-sim-") as tmp:
    wall, cpu = time.perf_counter(), time.process_time()
    world, stats = asyncio.run(simulate.simulate(size, 4, "sv", Path(tmp) / "simulate.db"))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"size": size, "wall": wall, "cpu": cpu, "statements": statements,
                  "messages": len(world.port.log), "pairs": len(world.pairs),
                  "peak_rss_mb": peak_rss_mb()}))
"""


def one(size: int) -> dict:
    return run_child(CHILD, size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.simulate")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="20,200")
    parser.add_argument(
        "--full", action="store_true", default=os.environ.get("BENCH_FULL") == "1", help="also 1 000 people (long)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] + ([1000] if args.full else [])
    results: dict[int, list[dict]] = {}
    print(f"{'people':>6} {'run':>3} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'statements':>11} {'messages':>9}")
    for size in sizes:
        for run in range(1, args.runs + 1 if size < 1000 else 2):
            r = one(size)
            results.setdefault(size, []).append(r)
            print(
                f"{size:>6} {run:>3} {r['wall']:>8.1f} {r['cpu']:>8.1f} {r['peak_rss_mb']:>8.0f} "
                f"{r['statements']:>11} {r['messages']:>9}",
                flush=True,
            )
    figures: dict[str, list[float]] = {}
    if 200 in results:
        figures["simulate.200.wall"] = [r["wall"] for r in results[200]]
    if 1000 in results:
        figures["simulate.1000.wall"] = [r["wall"] for r in results[1000]]
        if 200 in results:
            per_200 = statistics.median(r["wall"] for r in results[200]) / 200
            figures["simulate.growth"] = [r["wall"] / 1000 / per_200 for r in results[1000]]
    record("simulate", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
