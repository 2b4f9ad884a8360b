"""How long the event loop stalls while a coordinator drafts a 2 000 x 2 000
`match` (issue 17, point 5).

Everything real but the platform: a migrated SQLite file, the real `Core`,
a coordinator typing `match` through `Core.handle`. The cohort is written in
bulk the way the intake leaves it (people with their organisation, console
identities, enrollments with intake answers), in ten organisations, so the
organisation rule and the scores have work to do.

While `match` runs (and then `match approve` and `match announce`, whose
stalls are figures without a goal), two other tasks share the loop:

- a probe sleeps 5 ms again and again and records how late it wakes up: the
  longest lateness is the longest stall of the loop (goal `match.loop_lag`,
  <= 100 ms);
- another person types `status` again and again: how long each turn takes.

numpy and scipy are not imported before: the first `match` of a process
imports them, as it does in `serve`. Objects made before the measurement are
frozen out of the garbage collector's sight, as `serve` does at start.

    python -m bench.match_lag [--runs 3] [--size 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.goals import record
from bot.clock import SystemClock
from bot.config import BotSettings, Config
from bot.core import Core
from bot.messages import Actor, Address, Inbound, Kind, Platform, Where
from bot.store.models import Enrollment, Identity, Organisation, Person, Program
from tests.conftest import migrated

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "match_lag.json"
TENANT = "local"
COORDINATOR = "coord"
ASKER = "asker"
ORGS = 10
TOPICS = ["conflict", "budget", "staffing", "change", "recruitment", "work_environment", "communication"]
PLACES = ["Stockholm", "Uppsala", "Täby", "Solna"]
PROBE_S = 0.005


def _inbound(user: str, text: str) -> Inbound:
    actor = Actor(Platform.CONSOLE, TENANT, user, display_name=user.title())
    return Inbound(
        actor=actor,
        where=Address(Platform.CONSOLE, TENANT, f"dm:{user}", user, where=Where.DM),
        kind=Kind.TEXT,
        text=text,
    )


def _answers(n: int, org_id: int, role: str) -> dict:
    """What the intake leaves in `Enrollment.answers` (bot/dialogs/*_intake.py)."""
    answers = {
        "organisation_id": org_id,
        "department": f"Avdelning {n % 7}",
        "role_title": "enhetschef",
        "topics": [TOPICS[n % 7], TOPICS[(n * 3 + 1) % 7]],
        "format": ("mixed", "digital", "in_person")[n % 3],
        "place": PLACES[n % 4],
        "languages": ["sv"] if n % 5 else ["sv", "en"],
        "sensitive": [],
        "eligible": True,
        "pending_reasons": [],
        "completed_at": "2027-01-05T09:00:00+00:00",
    }
    if role == "mentor":
        answers |= {
            "years_as_manager": 6 + n % 10,
            "months_as_manager": (6 + n % 10) * 12,
            "capacity": 2 if n % 5 == 0 else 1,
            "nominated_by": None,
        }
    else:
        answers |= {"months_as_manager": 6 + n % 12, "years_as_manager": round((6 + n % 12) / 12, 1)}
    return answers


async def seed(db, program_id: int, adepts: int, mentors: int) -> None:
    """The cohort, in bulk statements."""
    now = datetime.now(UTC)
    async with db.write() as s:
        conn = await s.connection()
        await conn.execute(sa.insert(Organisation.__table__), [{"name": f"Kommun {i}"} for i in range(ORGS)])
        orgs = (
            (await conn.execute(sa.select(Organisation.__table__.c.id).order_by(Organisation.__table__.c.id)))
            .scalars()
            .all()
        )
        people = [
            {"name": f"Person {i}", "organisation_id": orgs[i % ORGS], "created_at": now}
            for i in range(adepts + mentors)
        ]
        await conn.execute(sa.insert(Person.__table__), people)
        ids = (
            (
                await conn.execute(
                    sa.select(Person.__table__.c.id)
                    .where(Person.__table__.c.name.like("Person %"))
                    .order_by(Person.__table__.c.id)
                )
            )
            .scalars()
            .all()
        )
        await conn.execute(
            sa.insert(Identity.__table__),
            [
                {"person_id": pid, "platform": "console", "tenant": TENANT, "user_id": f"p{pid}", "unreachable": False}
                for pid in ids
            ],
        )
        rows = []
        for n, pid in enumerate(ids):
            role = "adept" if n < adepts else "mentor"
            answers = _answers(n, orgs[n % ORGS], role)
            rows.append(
                {
                    "program_id": program_id,
                    "person_id": pid,
                    "role": role,
                    "status": "active",
                    "capacity": answers.get("capacity", 1),
                    "waitlisted": False,
                    "created_at": now,
                    "consent_at": now,
                    "answers": answers,
                }
            )
        await conn.execute(sa.insert(Enrollment.__table__), rows)


async def _probe(stop: asyncio.Event, lags: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(PROBE_S)
        lags.append((time.perf_counter() - started - PROBE_S) * 1000)


async def _asker(core: Core, stop: asyncio.Event, waits: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await core.handle(_inbound(ASKER, "status"))
        waits.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.01)


async def _watched(core: Core, line: str) -> tuple[list, list[float], list[float], float]:
    """The coordinator types `line` while the probe and the asker run:
    (replies, the probe's lateness in ms, the asker's turn times in ms, seconds)."""
    stop = asyncio.Event()
    lags: list[float] = []
    waits: list[float] = []
    probe = asyncio.create_task(_probe(stop, lags))
    asker = asyncio.create_task(_asker(core, stop, waits))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    replies = await core.handle(_inbound(COORDINATOR, line))
    took = time.perf_counter() - started
    stop.set()
    await asyncio.gather(probe, asker)
    return replies, lags, waits, took


async def one_run(size: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="mentorbot-match-lag-") as tmp:
        async with migrated(f"sqlite:///{tmp}/bench.db") as db:
            config = Config(bot=BotSettings(locale="sv", coordinators=(f"console:{TENANT}:{COORDINATOR}",)))
            core = Core(db, config, SystemClock())
            await core.handle(_inbound(COORDINATOR, "program create Bench 2027 start=2027-01-19 end=2028-01-19"))
            async with db.read() as s:
                program_id = (await s.exec(sa.select(Program.__table__.c.id))).scalars().one()
            started = time.perf_counter()
            await seed(db, program_id, size, size)
            seeded_s = time.perf_counter() - started
            for _ in range(3):  # warm up: first contacts, templates, the solver's imports
                await core.handle(_inbound(ASKER, "status"))
            gc.freeze()  # as `serve` does once it listens (adapters/server.py)
            replies, lags, waits, match_s = await _watched(core, "match")
            async with db.read() as s:
                drafted = (await s.exec(sa.text("SELECT count(*) FROM pairing WHERE status = 'draft'"))).scalar_one()
            kinds = [r.kind for r in replies]
            if drafted == 0 or "matching/draft_heading" not in kinds:
                raise RuntimeError(f"match drafted nothing: {kinds} {[r.text[:200] for r in replies]}")
            # What follows the draft, watched the same way (figures, not goals).
            _, approve_lags, _, approve_s = await _watched(core, "match approve")
            replies, announce_lags, _, announce_s = await _watched(core, "match announce")
            if "matching/announced" not in [r.kind for r in replies]:
                raise RuntimeError(f"match announce announced nothing: {[r.text[:200] for r in replies]}")
            return {
                "approve_lag_ms": round(max(approve_lags), 1),
                "approve_s": round(approve_s, 2),
                "announce_lag_ms": round(max(announce_lags), 1),
                "announce_s": round(announce_s, 2),
                "loop_lag_ms": round(max(lags), 1),
                "probe_wakeups": len(lags),
                "lag_p99_ms": round(sorted(lags)[int(0.99 * (len(lags) - 1))], 1),
                "status_ms_max": round(max(waits), 1),
                "status_ms_median": round(statistics.median(waits), 1),
                "status_turns": len(waits),
                "match_s": round(match_s, 2),
                "drafted": drafted,
                "seeded_s": round(seeded_s, 2),
            }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.match_lag", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=2000, help="adepts and mentors each")
    args = parser.parse_args(argv if argv is not None else [])
    runs = []
    for n in range(args.runs):
        run = asyncio.run(one_run(args.size))
        runs.append(run)
        print(
            f"run {n + 1}: longest loop stall {run['loop_lag_ms']} ms (p99 {run['lag_p99_ms']} ms); "
            f"`status` median {run['status_ms_median']} ms, longest {run['status_ms_max']} ms "
            f"({run['status_turns']} turns); match {run['match_s']} s, {run['drafted']} draft pairs; "
            f"`match approve` {run['approve_s']} s, stall {run['approve_lag_ms']} ms; "
            f"`match announce` {run['announce_s']} s, stall {run['announce_lag_ms']} ms"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"size": args.size, "runs": runs}, indent=2) + "\n", encoding="utf-8")
    if args.size == 2000:
        record(
            "match_lag",
            {
                "match.loop_lag": [r["loop_lag_ms"] for r in runs],
                "match.loop_lag.approve": [r["approve_lag_ms"] for r in runs],
                "match.loop_lag.announce": [r["announce_lag_ms"] for r in runs],
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
