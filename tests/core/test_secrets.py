"""No secret in output: database URLs are shown with the password masked
(`db upgrade`, the "not migrated" error), and /healthz reports state, not the
driver's error text."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from adapters.server import build_app, make_runtime
from bot.config import Config, DatabaseConfig
from bot.store.db import Database, masked_url
from tests.core.test_cli import run
from tests.fakes.loopback import serve_on_loopback

PASSWORD = "s3cret-Pa55"


def with_password(url: str) -> str:
    return url.replace("postgres@", f"postgres:{PASSWORD}@", 1)


def test_masked_url_hides_only_the_password():
    assert (
        masked_url("postgresql+asyncpg://bot:hemligt@db.example:5432/mentor")
        == "postgresql+asyncpg://bot:***@db.example:5432/mentor"
    )
    assert masked_url("sqlite:///mentorbot.db") == "sqlite:///mentorbot.db"
    assert masked_url("postgresql://bot@db/mentor") == "postgresql://bot@db/mentor"


@pytest.mark.postgres
async def test_db_upgrade_and_the_not_migrated_error_mask_the_password(pg_url, tmp_path):
    url = with_password(pg_url)
    refused = run("console", "--as", "Anna", cwd=tmp_path, input="", env={"MENTORBOT_DATABASE_URL": url})
    upgraded = run("db", "upgrade", cwd=tmp_path, env={"MENTORBOT_DATABASE_URL": url})
    assert upgraded.returncode == 0, upgraded.stderr
    assert refused.returncode == 2 and "mentorbot db upgrade" in refused.stderr
    for result in (refused, upgraded):
        shown = result.stdout + result.stderr
        assert PASSWORD not in shown
        assert "postgres:***@" in shown


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_readyz_during_an_outage_says_unreachable_and_nothing_else(clock):
    port = _closed_port()
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/mentorbot"
    db = Database(url)
    config = Config(database=DatabaseConfig(url=url))
    runner, http_port = await serve_on_loopback(build_app(make_runtime(config, db, clock)))
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{http_port}/readyz") as response:
                status, body = response.status, await response.text()
    finally:
        await runner.cleanup()
        await db.dispose()
    assert status == 503
    assert '"database": "unreachable"' in body
    assert str(port) not in body and "127.0.0.1" not in body and PASSWORD not in body
