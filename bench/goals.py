"""The speed goals (issue 17) and the one table `make bench` ends with.

Each benchmark that measures a goal records it with `record(...)`: the
figures of its runs, written to `bench/results/goals-<bench>.json`. At the
end `make bench` reads every such file and prints one table: goal, target,
min / median / max of the runs, met or not. A goal no benchmark measured in
this run says so.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Goal:
    key: str
    what: str
    op: str  # "<=" or ">=", or "" for a figure the issue names without a target
    target: float
    unit: str


GOALS = [
    Goal("turn.statements.intake", "SQL statements, one intake answer", "<=", 10, ""),
    Goal("turn.rate.intake", "intake answers per second (one process)", ">=", 200, "/s"),
    Goal("turn.statements.met", "SQL statements, `met` (figure only)", "", 0, ""),
    Goal("turn.statements.participants", "SQL statements, coordinator `participants` (figure only)", "", 0, ""),
    Goal("simulate.200.wall", "simulate 200 people, wall", "<=", 10, "s"),
    Goal("simulate.200.sql_floor", "simulate 200: its SQL replayed through plain sqlite3 (figure only)", "", 0, "s"),
    Goal("simulate.200.sql_layer", "simulate 200: time in SQLAlchemy execution, SQLite in it (figure)", "", 0, "s"),
    Goal("simulate.200.without_sqlalchemy", "simulate 200: wall less that layer plus the replay (figure)", "", 0, "s"),
    Goal("simulate.1000.wall", "simulate 1 000 people, wall", "<=", 60, "s"),
    Goal("simulate.growth", "simulate 1 000 / 200 wall, per person (linear = 1)", "<=", 1.0, "x"),
    Goal("fanout.ratio", "fan-out 500 channels x 20 messages / rate-limit floor", "<=", 1.05, "x"),
    Goal("match.loop_lag", "longest event-loop stall during a 2 000 x 2 000 match", "<=", 100, "ms"),
    Goal("match.loop_lag.approve", "longest stall, the `match approve` after it (figure only)", "", 0, "ms"),
    Goal("match.loop_lag.announce", "longest stall, the `match announce` after it (figure only)", "", 0, "ms"),
    Goal("serve.rss", "serve idle RSS, Slack and Teams on", "<=", 120, "MB"),
    Goal("serve.ready", "serve start to /readyz 200", "<=", 1.5, "s"),
    Goal("ack.ratio", "slash-command ack p99 / bare bolt ack-in-listener p99", "<=", 1.25, "x"),
]
BY_KEY = {g.key: g for g in GOALS}


def record(bench: str, figures: dict[str, list[float]], note: str = "") -> None:
    """Write this benchmark's figures (goal key -> one value per run)."""
    unknown = set(figures) - set(BY_KEY)
    if unknown:
        raise KeyError(f"not a goal: {sorted(unknown)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"goals-{bench}.json").write_text(
        json.dumps(
            {"bench": bench, "at": time.strftime("%Y-%m-%d %H:%M:%S"), "note": note, "figures": figures}, indent=2
        )
    )


def measured(since: float | None = None) -> dict[str, list[float]]:
    """Every goal's figures from the result files (written after `since`, if given)."""
    found: dict[str, list[float]] = {}
    for path in sorted(RESULTS.glob("goals-*.json")):
        if since is not None and path.stat().st_mtime < since:
            continue
        for key, values in json.loads(path.read_text())["figures"].items():
            found[key] = [float(v) for v in values]
    return found


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def table(figures: dict[str, list[float]]) -> str:
    lines = [f"{'goal':<58} {'target':>10} {'min':>8} {'median':>8} {'max':>8}  {'runs':>4}  met", "-" * 108]
    for goal in GOALS:
        target = f"{goal.op} {_fmt(goal.target)}{goal.unit}" if goal.op else "-"
        values = figures.get(goal.key)
        if not values:
            lines.append(f"{goal.what:<58} {target:>10} {'not measured':>26}")
            continue
        median = statistics.median(values)
        met = (
            "-"
            if not goal.op
            else "yes"
            if (median <= goal.target if goal.op == "<=" else median >= goal.target)
            else "NO"
        )
        lines.append(
            f"{goal.what:<58} {target:>10} {_fmt(min(values)):>8} {_fmt(median):>8} "
            f"{_fmt(max(values)):>8}  {len(values):>4}  {met}"
        )
    return "\n".join(lines)


def as_dict() -> list[dict]:
    return [asdict(g) for g in GOALS]
