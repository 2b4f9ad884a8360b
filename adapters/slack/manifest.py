"""`mentorbot slack-manifest`: the Slack app manifest for this installation.

Paste the printed JSON at api.slack.com -> Your Apps -> Create New App ->
From an app manifest. It asks only for the bot scopes mentorbot uses:

| scope             | used for                                                   |
|-------------------|------------------------------------------------------------|
| commands          | the slash command                                          |
| chat:write        | DMs, channel posts, ephemeral answers, updating a clicked card |
| im:history        | the `message.im` event (people writing to the bot)        |
| app_mentions:read | the `app_mention` event (`@mentorbot` in a channel)        |
| mpim:write        | `conversations.open` with a pair: the group DM intro       |
| im:write          | `conversations.open` with one person: their DM's id, to look in its history |
| channels:history, groups:history, mpim:history | `conversations.history`: after a crash, was the message already posted? (its outbox key is in the message metadata) |
| users:read        | `users.info`: name, language and time zone on first contact |
| users:read.email  | the e-mail address in `users.info` (matches coordinators)  |
| channels:read     | `conversations.info`: is the bot in the program channel?   |
| groups:read       | the same for a private program channel                     |
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlparse

from bot.config import ConfigError, load_config
from bot.i18n import render

# What needs which scope: every Web API method and event the adapter uses.
# (A test checks the adapter calls no method missing here.)
SCOPES_FOR = {
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "conversations.open": ("mpim:write", "im:write"),
    "conversations.history": ("channels:history", "groups:history", "im:history", "mpim:history"),
    "conversations.info": ("channels:read", "groups:read"),
    "users.info": ("users:read", "users:read.email"),
    "views.publish": (),
    "auth.test": (),
    "slash command": ("commands",),
    "message.im": ("im:history",),
    "app_mention": ("app_mentions:read",),
    "app_home_opened": (),
}
BOT_SCOPES = tuple(sorted({scope for scopes in SCOPES_FOR.values() for scope in scopes}))
BOT_EVENTS = ("app_home_opened", "app_mention", "message.im")
EVENTS_PATH = "/slack/events"


def manifest(
    url: str | None, *, command: str = "/mentor", name: str = "mentorbot", locale: str = "sv", socket_mode: bool = False
) -> dict[str, Any]:
    """The manifest as a dict; `url` is the public base URL (None with Socket Mode)."""
    endpoint = None if socket_mode else url.rstrip("/") + EVENTS_PATH  # type: ignore[union-attr]
    slash: dict[str, Any] = {
        "command": command,
        "description": render(locale, "slack/manifest_command"),
        "usage_hint": render(locale, "slack/manifest_usage"),
        "should_escape": True,  # mentions arrive as <@U123|name>, which commands take
    }
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if endpoint:
        slash["url"] = endpoint
        events["request_url"] = endpoint
        interactivity["request_url"] = endpoint
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": render(locale, "slack/manifest_description"),
            "background_color": "#1d4f5e",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [slash],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="mentorbot slack-manifest",
        description="Print the Slack app manifest (JSON) to create the app at api.slack.com in one step.",
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--url",
        metavar="https://PUBLIC",
        help=f"public base URL of `mentorbot serve`; Slack will call URL{EVENTS_PATH}",
    )
    where.add_argument("--socket-mode", action="store_true", help="no public URL: Slack connects over Socket Mode")
    p.add_argument("--config", metavar="PATH", help="TOML config, for slack.command and bot.locale")
    p.add_argument("--command", help="slash command (default: slack.command from the config, /mentor)")
    p.add_argument("--name", default="mentorbot", help="app and bot user name (default: mentorbot)")
    p.add_argument("--locale", choices=("sv", "en"), help="language of the descriptions (default: bot.locale)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(f"mentorbot slack-manifest: config: {err}", file=sys.stderr)
        return 2
    command = args.command or config.slack.command
    if not command.startswith("/") or " " in command:
        print(
            f"mentorbot slack-manifest: --command: expected a slash command like /mentor, got {command!r}",
            file=sys.stderr,
        )
        return 2
    if args.url is not None:
        parsed = urlparse(args.url)
        if parsed.scheme != "https" or not parsed.netloc:
            print(
                f"mentorbot slack-manifest: --url: Slack only calls public https URLs; got {args.url!r}, "
                "expected e.g. https://mentorbot.example.org (or use --socket-mode)",
                file=sys.stderr,
            )
            return 2
    data = manifest(
        args.url, command=command, name=args.name, locale=args.locale or config.bot.locale, socket_mode=args.socket_mode
    )
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
