"""How long a person waits for the bot's answer in Slack, through the real
server: a signed DM event in, the reply's `chat.postMessage` at the fake
Web API out (the whole path: verification, the turn, the outbox row, the
send and its record).

Two figures, each the same run's p50 / p99 over sequential DMs:

* `idle`: nobody else is busy;
* `during match`: while a coordinator's `match` solves a cohort of
  ADEPTS adepts x MENTORS mentors (the solver runs before the turn's write
  transaction, so other people's turns should not wait for it).

Run from another checkout with `--json` to compare commits in one run
(`python -m bench.reply_latency --json` prints one JSON line); without
arguments it prints a table and writes bench/results/reply_latency.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bot.clock import SystemClock
from bot.store.models import Enrollment, Identity, Organisation, Person
from tests.conftest import migrated
from tests.slack.helpers import slack_server

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "reply_latency.json"
SAMPLES = 40
ADEPTS = MENTORS = 1000
USER = "U0BENCH1"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def seed_cohort(db, program_id: int, adepts: int, mentors: int) -> None:
    """Onboarded people in two organisations, written in bulk."""
    now = datetime.now(UTC)
    async with db.write() as s:
        conn = await s.connection()
        for name in ("Bench A", "Bench B"):
            await conn.execute(sa.insert(Organisation.__table__).values(name=name))
        orgs = (
            (await conn.execute(sa.select(Organisation.__table__.c.id).order_by(Organisation.__table__.c.id)))
            .scalars()
            .all()
        )
        people = [{"name": f"P{i}", "organisation_id": orgs[i % 2], "created_at": now} for i in range(adepts + mentors)]
        await conn.execute(sa.insert(Person.__table__), people)
        ids = (
            (
                await conn.execute(
                    sa.select(Person.__table__.c.id)
                    .where(Person.__table__.c.name.like("P%"))
                    .order_by(Person.__table__.c.id)
                )
            )
            .scalars()
            .all()
        )
        await conn.execute(
            sa.insert(Identity.__table__),
            [
                {"person_id": pid, "platform": "console", "tenant": "local", "user_id": f"p{pid}", "unreachable": False}
                for pid in ids
            ],
        )
        topics = ["conflict", "budget", "staffing", "change", "recruitment"]
        await conn.execute(
            sa.insert(Enrollment.__table__),
            [
                {
                    "program_id": program_id,
                    "person_id": pid,
                    "role": "adept" if n < adepts else "mentor",
                    "status": "active",
                    "capacity": 1,
                    "waitlisted": False,
                    "created_at": now,
                    "answers": {
                        "organisation_id": orgs[n % 2],
                        "topics": topics[n % 5 : n % 5 + 2],
                        "format": "mixed",
                        "languages": ["sv"],
                    },
                }
                for n, pid in enumerate(ids)
            ],
        )


async def dm_latency(server, samples: int, *, text: str = "status") -> list[float]:
    waits = []
    for _ in range(samples):
        before = len(server.fake.calls_to("chat.postMessage"))
        started = time.perf_counter()
        await server.dm(text, user=USER)
        while len(server.fake.calls_to("chat.postMessage")) == before:  # noqa: ASYNC110 (polling the fake)
            await asyncio.sleep(0.001)
        waits.append((time.perf_counter() - started) * 1000)
    return waits


async def measure(adepts: int, mentors: int, samples: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        async with migrated(f"sqlite:///{tmp}/bench.db") as db, slack_server(db, SystemClock()) as server:
            server.fake.add_user(USER, "Bench", real_name="Bench Person", locale="sv-SE")
            server.adapter.port.limiter.interval = 0.0  # measure the bot, not Slack's pace
            # One person sends 80+ DMs back to back: past the per-person flood
            # limit (60, then 2/s), which would answer "slow down" and then nothing.
            if hasattr(server.runtime.core, "rate_limit"):  # (older commits, compared in the same run, have none)
                from bot.ratelimit import RateLimit

                server.runtime.core.rate_limit = RateLimit.off()
            await server.command("program create Bench 2027 start=2027-01-19 end=2028-01-19")
            await server.settle()
            await dm_latency(server, 3)  # warm up
            idle = await dm_latency(server, samples)
            await seed_cohort(db, 1, adepts, mentors)
            await server.command("match")  # acked at once; the turn runs in the background
            during = await dm_latency(server, samples)
            matching = not all(t.done() for t in server.adapter._tasks)
            await server.settle()
            return {
                "idle_p50": pct(idle, 0.5),
                "idle_p99": pct(idle, 0.99),
                "match_p50": pct(during, 0.5),
                "match_p99": pct(during, 0.99),
                "match_still_running_after": matching,
                "samples": samples,
                "cohort": [adepts, mentors],
            }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--samples", type=int, default=SAMPLES)
    parser.add_argument("--size", type=int, default=ADEPTS)
    parser.add_argument(
        "--compare-with",
        metavar="COMMIT",
        default=None,
        help="also measure this commit (checked out in a temporary worktree), same run",
    )
    args = parser.parse_args(argv if argv is not None else [])
    result = asyncio.run(measure(args.size, args.size, args.samples))
    if args.json:
        print(json.dumps(result))
        return 0
    rows = [("this tree", result)]
    if args.compare_with:
        rows.insert(0, (args.compare_with, baseline(args.compare_with, args.samples, args.size)))
    print(f"DM reply latency through the Slack server, ms (p50 / p99 of {args.samples} sequential DMs)")
    for name, r in rows:
        print(
            f"  {name:>10}: idle {r['idle_p50']:7.1f} / {r['idle_p99']:7.1f}    while match {args.size}x{args.size}"
            f" runs {r['match_p50']:7.1f} / {r['match_p99']:7.1f}"
        )
    if len(rows) == 2:
        (_, old), (_, new) = rows
        print(
            "  ratio this/baseline: "
            + ", ".join(f"{k} {new[k] / old[k]:.2f}" for k in ("idle_p50", "idle_p99", "match_p50", "match_p99"))
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(dict(rows), indent=2))
    return 0


def baseline(commit: str, samples: int, size: int) -> dict:
    """This benchmark run against another commit's code, in a subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["git", "worktree", "add", "--detach", "-q", tmp, commit], cwd=ROOT, check=True)
        try:
            out = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--json",
                    "--samples",
                    str(samples),
                    "--size",
                    str(size),
                ],
                cwd=tmp,
                env={**os.environ, "PYTHONPATH": tmp},
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", tmp], cwd=ROOT, check=False)
    return json.loads(out.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
