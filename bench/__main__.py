"""`make bench`: run every benchmark module in bench/ (each has `main()`),
then print the goals table (bench/goals.py) from what this run measured."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_") and m.name != "goals"
    )
    began = time.time()
    wanted = [n for n in names if not argv or n in argv]
    failed = []
    for name in wanted:
        print(f"\n=== bench/{name}.py ===", flush=True)
        started = time.perf_counter()
        try:
            result = importlib.import_module(f"bench.{name}").main()
        except Exception as exc:  # report and go on with the other benchmarks
            print(f"bench/{name}.py failed: {exc!r}", flush=True)
            failed.append(name)
            continue
        if result not in (None, 0):
            failed.append(name)
        print(f"(bench/{name}.py took {time.perf_counter() - started:.1f} s)", flush=True)
    from bench.goals import measured, table

    print("\n=== goals (issue 17): min / median / max of this run's repetitions; met = the median ===")
    print(table(measured(since=began)))
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
