"""`mentorbot slack-manifest`: a manifest Slack accepts, with only the scopes used."""

from __future__ import annotations

import json
import re
from pathlib import Path

from adapters.cli import main as cli
from adapters.slack.manifest import BOT_EVENTS, BOT_SCOPES, SCOPES_FOR

SLACK_CODE = Path(__file__).resolve().parents[2] / "adapters" / "slack"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli(["slack-manifest", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_http_manifest_points_everything_at_one_url(capsys):
    code, out, _ = run(capsys, "--url", "https://mentor.vaxjo.se/", "--locale", "en")
    assert code == 0
    data = json.loads(out)
    url = "https://mentor.vaxjo.se/slack/events"
    (slash,) = data["features"]["slash_commands"]
    assert slash["command"] == "/mentor" and slash["url"] == url and slash["should_escape"] is True
    assert data["settings"]["event_subscriptions"] == {"request_url": url, "bot_events": list(BOT_EVENTS)}
    assert data["settings"]["interactivity"] == {"is_enabled": True, "request_url": url}
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert data["settings"]["socket_mode_enabled"] is False
    assert len(data["display_information"]["description"]) <= 140  # Slack's limit
    assert data["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)


def test_socket_mode_manifest_needs_no_url_and_takes_the_command_name(capsys):
    code, out, _ = run(capsys, "--socket-mode", "--command", "/mentorprogram")
    data = json.loads(out)
    assert code == 0 and data["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in data["settings"]["event_subscriptions"]
    assert data["features"]["slash_commands"][0]["command"] == "/mentorprogram"
    assert "url" not in data["features"]["slash_commands"][0]


def test_wrong_url_is_refused_with_what_would_be_right(capsys):
    code, out, err = run(capsys, "--url", "http://localhost:3978")
    assert code == 2 and out == ""
    assert "https" in err and "--socket-mode" in err


def test_scopes_are_exactly_what_the_adapter_uses():
    code = "\n".join(p.read_text() for p in SLACK_CODE.glob("*.py") if p.name != "manifest.py")
    called = set(re.findall(r'"((?:chat|conversations|users|views|auth)\.[A-Za-z]+)"', code))
    assert called <= set(SCOPES_FOR), f"add the scope of {called - set(SCOPES_FOR)} to SCOPES_FOR"
    needed = {
        s
        for name, scopes in SCOPES_FOR.items()
        if name in called or name in BOT_EVENTS or name == "slash command"
        for s in scopes
    }
    assert set(BOT_SCOPES) == needed
