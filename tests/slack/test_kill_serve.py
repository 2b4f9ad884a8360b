"""`kill -9` of a real `mentorbot serve` right after a turn's commit loses no
message: the invitation the turn decided arrives after the restart, once.

`python -m adapters.cli serve` runs as a subprocess on a SQLite file, with
Slack pointed at the loopback fake Web API and signed requests. The fake
holds the invitation's `chat.postMessage` unanswered and unrecorded, so the
kill lands after the commit and before the send arrives; a held post whose
sender is gone never arrives. The restarted server's dispatcher takes the
row once the dead process's lease (`FAST_LEASE`) has run out, so the test
waits about a minute of real time."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from bot.outbox import FAST_LEASE
from bot.store.models import Reminder
from tests.conftest import migrated
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI
from tests.slack.helpers import ADEPT, COORDINATOR, SECRET, SlackServer, slack_people

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(tmp_path: Path, db_url: str, api_url: str, port: int) -> Path:
    path = tmp_path / "mentorbot.toml"
    path.write_text(
        f"""
[database]
url = "{db_url}"
[server]
host = "127.0.0.1"
port = {port}
[slack]
bot_token = "xoxb-test-token"
signing_secret = "{SECRET}"
api_url = "{api_url}"
[bot]
coordinators = ["slack:{TEAM_ID}:{COORDINATOR}"]
""",
        encoding="utf-8",
    )
    return path


async def _serve(config: Path, log: Path, url: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "MENTORBOT_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "--config",
        str(config),
        "serve",
        cwd=str(ROOT),
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=log.open("ab"),
        stderr=asyncio.subprocess.STDOUT,
    )
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(url + "/readyz") as resp:
                    if resp.status == 200:
                        return process
            except aiohttp.ClientError:
                pass
            if process.returncode is not None:
                break
            await asyncio.sleep(0.1)
    tail = await asyncio.to_thread(log.read_text, errors="replace")
    raise AssertionError(f"serve did not get ready: {tail[-2000:]}")


async def _until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"waited {seconds:.0f} s for {what}")


def _invitations(fake: FakeSlackAPI):
    return [
        c
        for c in fake.delivered()
        if fake.user_of(c.params.get("channel", "")) == ADEPT or c.params.get("channel") == ADEPT
    ]


async def test_kill_9_after_the_commit_and_a_restart_deliver_the_invitation_once(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'mentorbot.db'}"
    async with migrated(db_url):
        pass
    fake = FakeSlackAPI()
    await fake.start()
    slack_people(fake)
    port = _free_port()
    url, log = f"http://127.0.0.1:{port}", tmp_path / "serve.log"
    config = _config(tmp_path, db_url, fake.base_url, port)
    first = await _serve(config, log, url)
    second = None
    try:
        async with aiohttp.ClientSession() as http:
            client = SlackServer(url, None, fake, http)
            assert (await client.command("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19"))[0] == 200
            await _until(lambda: fake.calls_to("response_url"), 20, "the program to be created")

            fake.hold_posts_to = {ADEPT}
            assert (await client.command(f"invite <@{ADEPT}|adam>"))[0] == 200
            await _until(lambda: fake.held, 20, "the invitation's send (after the turn's commit)")
            first.send_signal(signal.SIGKILL)
            await first.wait()
            fake.release_held()
            await asyncio.sleep(0.2)
            assert _invitations(fake) == [], "the held send died with the process"

            async with migrated(db_url) as db, db.read() as s:
                (row,) = (await s.exec(select(Reminder).where(Reminder.template == "commands/invitation"))).all()
            assert row.status == "claimed" and row.sent_at is None  # committed, never sent

            second = await _serve(config, log, url)
            # The dead process's lease runs out, then a dispatcher tick (every 30 s) sends it.
            wait = FAST_LEASE.total_seconds() + 45
            (invitation,) = await _until(lambda: _invitations(fake), wait, "the invitation after the restart")
            assert "Mentorprogram 2027" in invitation.params["text"]
            assert invitation.params["metadata"]["event_payload"]["key"] == row.key
            await asyncio.sleep(2)  # and nothing more comes
            assert len(_invitations(fake)) == 1
            async with migrated(db_url) as db, db.read() as s:
                assert (await s.get(Reminder, row.id)).status == "sent"
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 10)
                except TimeoutError:
                    process.kill()
        fake.release_held()
        await fake.stop()
