"""`mentorbot db upgrade | backup PATH | restore PATH | purge [--dry-run]`, and
the start-up check that `serve` and `console` share."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import Config


def add_parser(sub) -> argparse.ArgumentParser:
    db = sub.add_parser(
        "db", help="database maintenance: upgrade, backup, restore", description="Database maintenance."
    )
    actions = db.add_subparsers(dest="db_command", metavar="ACTION")
    actions.add_parser(
        "upgrade",
        help="apply the migrations",
        description="Apply every migration (Alembic). Safe to run twice at once: "
        "the second waits for the first, then does nothing.",
    )
    backup = actions.add_parser(
        "backup",
        help="write a consistent backup file (safe while serving)",
        description="SQLite: VACUUM INTO a new file, safe while the bot runs. "
        "PostgreSQL: pg_dump --format=custom (needs the PostgreSQL client).",
    )
    backup.add_argument("path", metavar="PATH", type=Path, help="the new backup file")
    restore = actions.add_parser(
        "restore",
        help="replace the database with a backup (stop the bot first)",
        description="SQLite: checks the backup and copies it into database.url's file. "
        "PostgreSQL: pg_restore --clean. Stop `serve` first; run `db upgrade` afterwards.",
    )
    restore.add_argument("path", metavar="PATH", type=Path, help="a file written by `db backup`")
    restore.add_argument("--replace", action="store_true", help="overwrite an existing SQLite database file")
    purge = actions.add_parser(
        "purge",
        help="delete what the retention periods say is due",
        description="Delete what the [privacy] retention periods say is due now "
        "(the scheduler does this every privacy.purge_hours).",
    )
    purge.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    return db


HINT = "check database.url (env MENTORBOT_DATABASE_URL) and that the server is up"


def fail(message: str) -> int:
    print(f"mentorbot: {message}", file=sys.stderr)
    return 2


async def run(config: Config, args: argparse.Namespace) -> int:
    from bot.store.backup import BackupError, backup, restore
    from bot.store.db import Database, DatabaseUnreachable, masked_url
    from bot.store.migrate import upgrade

    url = config.database.url
    if args.db_command == "purge":
        return await _purge(config, args.dry_run)
    try:
        if args.db_command == "backup":
            print(await backup(url, args.path))
            return 0
        if args.db_command == "restore":
            print(await restore(url, args.path, replace=args.replace))
            return 0
        db = Database(url)
        try:
            await db.ping()
            revision = await upgrade(db)
        finally:
            await db.dispose()
    except DatabaseUnreachable as err:
        return fail(f"{err}; {HINT}")
    except BackupError as err:
        return fail(str(err))
    print(f"database {masked_url(url)} is at revision {revision}")
    return 0


async def _purge(config: Config, dry_run: bool) -> int:
    from bot.clock import SystemClock
    from bot.privacy.retention import RULE_TEXT, purge
    from bot.store.db import masked_url

    db = await open_checked(config)
    if db is None:
        return 2
    try:
        async with db.write() as session:
            report = await purge(
                session, SystemClock().now(), config.privacy, coordinators=config.bot.coordinators, dry_run=dry_run
            )
    finally:
        await db.dispose()
    print(
        f"retention purge of {masked_url(config.database.url)}" + (" (dry run: nothing is deleted)" if dry_run else "")
    )
    p = config.privacy
    for rule, count in report.counts.items():
        print(f"  {rule:<17s} {count:>7d}  {RULE_TEXT[rule].format(p=p)}")
    print(f"{'would delete' if dry_run else 'deleted'} {report.total} in all")
    return 0


async def open_checked(config: Config):
    """The database, or None after a one-line message when it cannot be reached
    or is not migrated."""
    from bot.store.db import Database, DatabaseUnreachable, masked_url
    from bot.store.migrate import SchemaOutdated, check_current

    db = Database(config.database.url)
    try:
        await db.ping()
        await check_current(db)
    except DatabaseUnreachable as err:
        await db.dispose()
        fail(f"{err}; {HINT}")
        return None
    except SchemaOutdated as err:
        await db.dispose()
        fail(
            f"the database {masked_url(config.database.url)} is not up to date (at: {err}); "
            "run `mentorbot db upgrade` first"
        )
        return None
    return db
