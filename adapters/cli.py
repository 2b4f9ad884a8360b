"""The `mentorbot` command: the composition root that wires config, database,
core, adapters and scheduler together.

    mentorbot [--config PATH] serve | console | simulate | demo
              | db upgrade | db backup PATH | db restore PATH | db purge [--dry-run]
              | slack-manifest | teams-package
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from adapters import dbcmd, logs
from bot.config import Config, ConfigError, load_config

# Subcommands that belong to one adapter or to the scheduler: module:function
# taking the remaining argv and returning an exit code.
DELEGATED = {
    "slack-manifest": ("adapters.slack.manifest", "print the Slack app manifest"),
    "teams-package": ("adapters.teams.package", "write the Teams app package (zip)"),
    "simulate": ("tools.simulate", "run a whole program year on a virtual clock"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="A Slack and Microsoft Teams bot that runs a formal mentor program.",
    )
    parser.add_argument("--config", metavar="PATH", help="TOML config (default ./config.toml, else built-in defaults)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "serve",
        help="HTTP server: Slack, Teams and the scheduler",
        description="Run the HTTP server (POST /slack/events, POST /api/messages; GET /healthz, /readyz, /metrics) and the scheduler.",
    )
    console = sub.add_parser(
        "console",
        help="chat with the bot in the terminal as a chosen person",
        description="Chat with the real core and database in the terminal.",
    )
    console.add_argument("--as", dest="name", required=True, metavar="NAME", help="who you are, e.g. Anna")
    console.add_argument("--org", metavar="ORG", help="your organisation, e.g. 'Täby kommun'")
    console.add_argument(
        "--coordinator", action="store_true", help="make NAME a coordinator (recorded in the audit log)"
    )
    console.add_argument(
        "--files",
        metavar="DIR",
        help="where files the bot sends (exports, reports, calendars) are written "
        "(default: mentorbot-files beside an SQLite database, else ./mentorbot-files)",
    )
    sub.add_parser(
        "demo",
        help="a scripted program on a fresh SQLite file, printed as a transcript",
        description="Run the scripted demo on a fresh SQLite file and print the transcript.",
    )
    dbcmd.add_parser(sub)
    for name, (_, text) in DELEGATED.items():
        sub.add_parser(name, help=text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    # Delegated subcommands parse their own arguments (and their own --help).
    for i, word in enumerate(argv):
        if word in DELEGATED:
            top = parser.parse_args(argv[:i])
            if top.config:  # delegated commands read it through load_config()
                os.environ["MENTORBOT_CONFIG"] = top.config
            module = importlib.import_module(DELEGATED[word][0])
            return int(module.main(argv[i + 1 :]) or 0)
    args = parser.parse_args(argv)
    chat = args.command == "console"  # a conversation on the terminal: no INFO lines in between
    logs.configure_from(os.environ, verbose=args.verbose, chat=chat)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo":
        from tools.demo import run_demo

        return asyncio.run(run_demo())
    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(f"mentorbot: config: {err}", file=sys.stderr)
        return 2
    logs.configure_from(os.environ, verbose=args.verbose, settings=config.log, chat=chat)
    if args.command == "db":
        if args.db_command is None:
            parser.parse_args(["db", "--help"])
        return asyncio.run(dbcmd.run(config, args))
    if args.command == "console":
        files = Path(args.files) if args.files else files_folder(config.database.url)
        return asyncio.run(_console(config, args.name, args.org, args.coordinator, files))
    if args.command == "serve":
        from adapters.server import serve

        return asyncio.run(serve(config))
    parser.print_help()
    return 2


open_checked = dbcmd.open_checked


def files_folder(url: str) -> Path:
    """The console's default folder for files: beside an SQLite database
    (the files belong with its data), else in the working directory."""
    from sqlalchemy.engine import make_url

    from adapters.console_session import FILES
    from bot.store.db import is_sqlite

    database = make_url(url).database if is_sqlite(url) else None
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).parent / FILES
    return Path(FILES)


async def _console(config: Config, name: str, org: str | None, coordinator: bool, files: Path) -> int:
    from adapters.console import Chat, ConsolePort, setup_person
    from adapters.console_session import repl
    from bot.core import Core

    db = await open_checked(config)
    if db is None:
        return 2
    try:
        core = Core(db, config)
        chat = Chat(core, ConsolePort(keep=db, clock=core.clock), name)  # others see it when they open the console
        await setup_person(core, chat, org=org, coordinator=coordinator)
        await repl(chat, files)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        await db.dispose()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
