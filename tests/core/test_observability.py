"""What an operator watches: JSON log lines, /metrics, /healthz and /readyz,
through the real aiohttp application on loopback and a real SQLite file."""

from __future__ import annotations

import io
import json
import logging
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from adapters import logs
from adapters.console import Chat, ConsolePort
from adapters.observability import SCHEDULER
from adapters.server import build_app, make_runtime
from bot.config import Config
from bot.store.db import Database
from bot.store.models import Reminder
from scheduler.service import SchedulerService
from tests.core.cli import closed_port
from tests.fakes.loopback import serve_on_loopback
from tests.scheduler.helpers import RecordingPort, make_person, make_program


@asynccontextmanager
async def served(runtime):
    runner, port = await serve_on_loopback(build_app(runtime))
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:
            yield http
    finally:
        await runner.cleanup()


@asynccontextmanager
async def served_without_migrating(url: str, clock):
    """The app on a database as it is (down, or never migrated)."""
    db = Database(url)
    try:
        async with served(make_runtime(Config(), db, clock)) as http:
            yield http
    finally:
        await db.dispose()


async def scrape(http) -> dict[tuple[str, tuple], float]:
    async with http.get("/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# ------------------------------------------------------------------- logs

# Logging is process-wide state that other tests in the same worker touch, so
# the JSON log check runs in a fresh interpreter of its own.
JSON_LOG_RUN = """
import asyncio, io, logging, sys
from datetime import datetime, timezone
from adapters import logs
from adapters.console import Chat, ConsolePort
from adapters.server import make_runtime
from bot.clock import VirtualClock
from bot.config import Config
from bot.store.db import Database
from bot.store.migrate import upgrade

async def main(url):
    stream = io.StringIO()
    logs.configure("DEBUG", "json", stream=stream)
    logging.getLogger("mentorbot.test").info("outside a turn: %s", "åäö")
    try:
        raise ValueError("boom\\nsecond line")
    except ValueError:
        logging.getLogger("mentorbot.test").exception("with a traceback")
    db = Database(url)
    await upgrade(db)
    runtime = make_runtime(Config(), db, VirtualClock(datetime(2027, 1, 4, 8, tzinfo=timezone.utc)))
    chat = Chat(runtime.core, ConsolePort(), "Anna")
    await chat.say("hjälp", event_id="ev-42")
    await db.dispose()
    logs.configure("WARNING", "text")
    sys.stdout.write(stream.getvalue())

asyncio.run(main(sys.argv[1]))
"""


def test_json_log_lines_parse_and_carry_the_turns_context(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", JSON_LOG_RUN, f"sqlite:///{tmp_path / 'logs.db'}"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(root)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    stream = io.StringIO(done.stdout)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]  # every line is one object
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    outside = next(line for line in lines if line["logger"] == "mentorbot.test" and line["level"] == "INFO")
    assert outside["message"] == "outside a turn: åäö" and "platform" not in outside
    failed = next(line for line in lines if line["level"] == "ERROR")
    assert "ValueError: boom" in failed["exception"]
    turn = next(line for line in lines if line["logger"] == "bot.telemetry")
    assert (turn["platform"], turn["tenant"], turn["request_id"]) == ("console", "local", "ev-42")
    assert not [line for line in lines if line["logger"].startswith("apscheduler") and line["level"] == "INFO"]


def test_apscheduler_logs_at_warning_unless_debugging():
    try:
        logs.configure("INFO", "text")
        for name in ("apscheduler", "aiohttp.access"):
            assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING
        logs.configure("DEBUG", "text")
        assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.DEBUG
    finally:
        logs.configure("INFO", "text")


# ---------------------------------------------------------------- metrics


async def test_metrics_parse_and_move_when_a_reminder_is_sent(sqlite_db, clock):
    runtime = make_runtime(Config(), sqlite_db, clock)
    port = RecordingPort()
    runtime.delivery.register(port)
    service = SchedulerService(sqlite_db, runtime.delivery, clock, runtime.config)
    async with sqlite_db.write() as s:
        program = await make_program(s)
        anna = await make_person(s, "Anna")
        s.add(
            Reminder(
                key="metrics-test",
                kind="failure",
                template="scheduler/unreachable",
                person_id=anna.id,
                program_id=program.id,
                due_at=clock.now(),
                context={"who": "Bo", "what": "nudges/nudge", "why": "test", "attempts": 1},
            )
        )
    clock.advance(timedelta(minutes=2))
    async with served(runtime) as http:
        before = await scrape(http)
        assert value(before, "mentorbot_outbox_due") == 1
        assert value(before, "mentorbot_outbox_oldest_due_age_seconds") == 120

        await service.tick()
        after = await scrape(http)
        assert len(port.sent) == 1
        assert value(after, "mentorbot_outbox_sent_total") == value(before, "mentorbot_outbox_sent_total") + 1
        assert value(after, "mentorbot_outbox_due") == 0
        assert value(after, "mentorbot_outbox_oldest_due_age_seconds") == 0
        assert value(after, "mentorbot_dispatcher_lag_seconds") == 120
        assert value(after, "mentorbot_scheduler_last_tick_timestamp_seconds") == clock.now().timestamp()


async def test_turns_are_counted_by_platform_and_outcome_with_their_latency(sqlite_db, clock):
    runtime = make_runtime(Config(), sqlite_db, clock)
    chat = Chat(runtime.core, ConsolePort(), "Anna")
    async with served(runtime) as http:
        before = await scrape(http)
        await chat.say("hjälp")
        await chat.say("program skapa")  # not a coordinator: refused, in words
        after = await scrape(http)
    for outcome in ("ok", "refused"):
        assert (
            value(after, "mentorbot_turns_total", platform="console", outcome=outcome)
            == value(before, "mentorbot_turns_total", platform="console", outcome=outcome) + 1
        )
    assert (
        value(after, "mentorbot_turn_seconds_count", platform="console")
        == value(before, "mentorbot_turn_seconds_count", platform="console") + 2
    )


def test_rate_limit_waits_are_counted_per_platform():
    from bot import telemetry

    before = telemetry.RATE_LIMIT_WAIT_SECONDS.labels("slack")._value.get()
    telemetry.rate_limit_wait("slack", 2.5)
    assert telemetry.RATE_LIMIT_WAIT_SECONDS.labels("slack")._value.get() == before + 2.5


# ------------------------------------------------------- healthz / readyz


async def test_readyz_needs_the_database_its_migrations_and_a_recent_tick(sqlite_db, clock):
    runtime = make_runtime(Config(), sqlite_db, clock)
    service = SchedulerService(sqlite_db, runtime.delivery, clock, runtime.config, tick_seconds=30)
    async with served(runtime) as http:
        async with http.get("/readyz") as response:  # no scheduler yet
            assert response.status == 503
            assert await response.json() == {
                "ready": False,
                "database": "ok",
                "migrations": "current",
                "scheduler": "late",
            }
        runtime.extras[SCHEDULER] = service
        service.start()
        try:
            await service.tick()
            async with http.get("/readyz") as response:
                assert response.status == 200, await response.text()
                assert (await response.json())["ready"] is True
            clock.advance(timedelta(seconds=61))  # two intervals without a tick
            async with http.get("/readyz") as response:
                assert response.status == 503
                assert (await response.json())["scheduler"] == "late"
        finally:
            await service.shutdown()
        async with http.get("/healthz") as response:  # liveness does not depend on the scheduler
            assert response.status == 200


async def test_readyz_and_healthz_show_no_error_text_when_the_database_is_down(clock):
    url = f"postgresql://mentorbot:hemligt@127.0.0.1:{closed_port()}/mentorbot"
    async with served_without_migrating(url, clock) as http:
        async with http.get("/readyz") as response:
            assert response.status == 503
            assert await response.json() == {
                "ready": False,
                "database": "unreachable",
                "migrations": "unknown",
                "scheduler": "late",
            }
        async with http.get("/healthz") as response:
            assert response.status == 200
        async with http.get("/metrics") as response:  # counters still answer
            assert response.status == 200
            assert "hemligt" not in await response.text()


async def test_readyz_says_when_the_database_is_not_migrated(tmp_path, clock):
    async with served_without_migrating(f"sqlite:///{tmp_path / 'empty.db'}", clock) as http:
        async with http.get("/readyz") as response:
            assert response.status == 503
            assert (await response.json())["migrations"] == "outdated"
