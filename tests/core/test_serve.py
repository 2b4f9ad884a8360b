"""`mentorbot serve` as a real process: it answers /healthz, stops cleanly on
SIGTERM, and refuses unsafe or unmigrated set-ups with one clear line."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.core.harness import LINK_SECRET
from tests.fakes.slack_api import TEAM_ID

ROOT = Path(__file__).resolve().parents[2]
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # a Teams bot's own tenant


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mentorbot(*args: str, cwd: Path, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", *args],
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        **kw,
    )


def config(tmp_path: Path, host: str = "127.0.0.1", port: int = 0, extra: str = "", link_secret: str = "") -> None:
    (tmp_path / "config.toml").write_text(
        f'[database]\nurl = "sqlite:///bot.db"\n[server]\nhost = "{host}"\nport = {port}\n'
        f'link_secret = "{link_secret}"\n{extra}',
        encoding="utf-8",
    )


def wait_for_health(server: subprocess.Popen, port: int) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                return json.loads(response.read())
        except OSError:
            assert server.poll() is None, server.stderr.read()
            time.sleep(0.2)
    raise AssertionError("serve did not answer /healthz")


def status_of(url: str, data: bytes) -> int:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_serve_answers_healthz_and_stops_on_sigterm(tmp_path):
    port = free_port()
    config(tmp_path, port=port)
    assert mentorbot("db", "upgrade", cwd=tmp_path).wait(timeout=120) == 0
    config(tmp_path, port=port, extra=f'[teams]\nlocal = true\ntenant_id = "{TENANT}"\n', link_secret=LINK_SECRET)
    server = mentorbot("serve", cwd=tmp_path)
    try:
        body = wait_for_health(server, port)
        assert body == {"ok": True, "slack": "off", "teams": "on"}  # local mode is not advertised
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert "LOCAL MODE" in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()


def test_serve_refuses_an_unmigrated_database(tmp_path):
    config(tmp_path, port=free_port())
    server = mentorbot("serve", cwd=tmp_path)
    assert server.wait(timeout=120) == 2
    assert "mentorbot db upgrade" in server.stderr.read()


def test_serve_refuses_teams_without_a_link_secret_in_one_line(tmp_path):
    config(tmp_path, port=free_port(), extra=f'[teams]\napp_id = "a"\napp_password = "p"\ntenant_id = "{TENANT}"\n')
    server = mentorbot("serve", cwd=tmp_path)
    assert server.wait(timeout=120) == 2
    err = server.stderr.read().strip()
    assert "server.link_secret" in err and "token_urlsafe" in err and err.count("\n") == 0


def test_serve_refuses_unauthenticated_teams_on_a_public_address(tmp_path):
    config(tmp_path, host="0.0.0.0", port=free_port(), extra="[teams]\nlocal = true\n")
    server = mentorbot("serve", cwd=tmp_path)
    assert server.wait(timeout=120) == 2
    err = server.stderr.read()
    assert "teams.local" in err and "Traceback" not in err


@contextmanager
def fake_slack(tmp_path: Path):
    """The loopback fake Slack Web API as a process of its own; yields its base URL."""
    port_file = tmp_path / "fake-slack.url"
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.slack_api", "--port-file", str(port_file)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists():
            assert fake.poll() is None and time.monotonic() < deadline, "the fake Slack API did not start"
            time.sleep(0.05)
        yield port_file.read_text(encoding="utf-8").strip()
    finally:
        fake.terminate()
        fake.wait(timeout=30)


def slack_toml(api_url: str, team_id: str = "") -> str:
    return f'[slack]\nbot_token = "xoxb-1"\nsigning_secret = "s"\napi_url = "{api_url}"\n' + (
        f'team_id = "{team_id}"\n' if team_id else ""
    )


def test_a_slack_only_install_binds_every_address_and_has_no_teams_route(tmp_path):
    port = free_port()
    with fake_slack(tmp_path) as api_url:
        config(tmp_path, host="0.0.0.0", port=port, extra=slack_toml(api_url, team_id=TEAM_ID))
        assert mentorbot("db", "upgrade", cwd=tmp_path).wait(timeout=120) == 0
        server = mentorbot("serve", cwd=tmp_path)
        try:
            assert wait_for_health(server, port) == {"ok": True, "slack": "http", "teams": "off"}
            assert status_of(f"http://127.0.0.1:{port}/api/messages", b'{"type": "message"}') == 404
            assert status_of(f"http://127.0.0.1:{port}/slack/events", b"{}") == 401  # there, and unsigned is refused
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=60) == 0
        finally:
            if server.poll() is None:
                server.kill()


def test_serve_refuses_a_bot_token_of_another_workspace_than_slack_team_id(tmp_path):
    """Slack says the token belongs to TEAM_ID; the config says another."""
    with fake_slack(tmp_path) as api_url:
        config(tmp_path, port=free_port(), extra=slack_toml(api_url, team_id="T0SOMEONE"))
        assert mentorbot("db", "upgrade", cwd=tmp_path).wait(timeout=120) == 0
        server = mentorbot("serve", cwd=tmp_path)
        assert server.wait(timeout=120) == 2
    err = server.stderr.read().strip()
    assert err.startswith("mentorbot: config: slack.team_id: T0SOMEONE") and TEAM_ID in err
    assert err.count("\n") == 0


def test_serve_does_not_start_when_slack_cannot_say_which_workspace_it_is(tmp_path):
    """Without its own workspace the bot would let in anyone or no one: it fails closed, in one line."""
    config(tmp_path, port=free_port(), extra=slack_toml("http://127.0.0.1:9/api/"))  # nothing listens there
    assert mentorbot("db", "upgrade", cwd=tmp_path).wait(timeout=120) == 0
    server = mentorbot("serve", cwd=tmp_path)
    assert server.wait(timeout=120) == 2
    err = server.stderr.read().strip()  # slack_sdk logs its one retry before it
    (line,) = [line for line in err.splitlines() if line.startswith("mentorbot:")]
    assert line.startswith("mentorbot: config: slack.api_url:") and "auth.test" in line and err.endswith(line)
    assert "Traceback" not in err


def test_serve_refuses_half_slack_configuration(tmp_path):
    (tmp_path / "config.toml").write_text('[slack]\nbot_token = "xoxb-1"\n', encoding="utf-8")
    server = mentorbot("serve", cwd=tmp_path)
    assert server.wait(timeout=120) == 2
    err = server.stderr.read().strip()
    assert "slack.signing_secret" in err and err.count("\n") == 0


TOKEN, SIG = "Tok3nThatIsABearerSecret0123456", "S1gnatureThatIsSecretToo"


def get_status(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def served_log(tmp_path: Path, requests) -> str:
    """`mentorbot -v serve` with a link secret: `requests(base_url)` runs
    against it, then SIGTERM; what it logged (stderr)."""
    port = free_port()
    config(tmp_path, port=port, link_secret=LINK_SECRET)
    assert mentorbot("db", "upgrade", cwd=tmp_path).wait(timeout=120) == 0
    server = mentorbot("-v", "serve", cwd=tmp_path)
    try:
        wait_for_health(server, port)
        requests(f"http://127.0.0.1:{port}")
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        return server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()


def test_the_access_log_never_shows_a_download_or_calendar_link(tmp_path):
    """With -v (DEBUG) aiohttp logs every request; the secret parts of the
    bearer links (`/files/...`, `/calendar/...`) are masked, in the request
    line and in a Referer alike."""

    def requests(base: str) -> None:
        assert get_status(f"{base}/files/{TOKEN}/{SIG}/mydata.json") == 404
        assert get_status(f"{base}/calendar/{TOKEN}/{SIG}.ics?x=1") == 404
        assert get_status(f"{base}/healthz", {"Referer": f"{base}/files/{TOKEN}/{SIG}/mydata.json"}) == 200

    log = served_log(tmp_path, requests)
    access = [line for line in log.splitlines() if "aiohttp.access" in line]
    assert any("GET /files/***" in line for line in access), log
    assert any("GET /calendar/***" in line for line in access), log
    assert any("GET /healthz" in line and "/files/***" in line for line in access), log
    assert TOKEN not in log and SIG not in log


def test_the_access_log_masks_links_however_they_are_encoded(tmp_path):
    """The server decodes `%66`, `%6C` and `%2F` before it routes, and a
    browser reads a backslash as a slash: the log masks what they mean."""
    paths = [
        f"/%66iles/{TOKEN}/{SIG}/mydata.json",
        f"/fi%6Ces/{TOKEN}/{SIG}/mydata.json",
        f"/files%2F{TOKEN}%2F{SIG}%2Fmydata.json",
        f"/calendar%2F{TOKEN}/{SIG}.ics",
        f"/files\\{TOKEN}\\{SIG}\\mydata.json",
        f"/%2566iles/{TOKEN}/{SIG}/mydata.json",
    ]

    def requests(base: str) -> None:
        for path in paths:
            get_status(base + path)
        assert get_status(f"{base}/healthz", {"Referer": f"{base}/%66iles/{TOKEN}%2F{SIG}/mydata.json"}) == 200
        assert get_status(f"{base}/healthz?x=%0Afake%22line") == 200

    log = served_log(tmp_path, requests)
    access = [line for line in log.splitlines() if "aiohttp.access" in line]
    assert len(access) == len(paths) + 3, log  # one line a request (the first /healthz too), none split
    assert sum("GET /files/***" in line for line in access) == len(paths) - 1, log
    assert any("GET /calendar/***" in line for line in access), log
    assert any("GET /healthz" in line and "/files/***" in line for line in access), log
    assert TOKEN not in log and SIG not in log
