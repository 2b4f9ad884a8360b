"""`mentorbot db backup PATH` and `mentorbot db restore PATH`.

SQLite runs in WAL mode, so copying the file while the bot runs can copy a
torn database. A backup is `VACUUM INTO`: one consistent snapshot, written as
a compact file, safe while the bot is serving. A restore checks that the file
is a sound mentorbot database and copies it page by page with SQLite's backup
API (which respects the target's WAL), refusing to overwrite an existing
database unless asked.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean`, run with the
password in the environment (never on the command line, where `ps` shows it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.private_files import create_private
from bot.store.db import is_sqlite, masked_url


class BackupError(Exception):
    """One line that says what was wrong and what would be right."""


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("database.url names an in-memory SQLite database; there is nothing to back up")
    return Path(database)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory  # only when a backup is restored

    from bot.store.migrate import alembic_config

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


async def backup(url: str, target: Path) -> str:
    """Write a backup of the database at `url` to `target`; returns what was done."""
    await asyncio.to_thread(_check_target, target)
    if is_sqlite(url):
        source = _sqlite_file(url)
        await asyncio.to_thread(_vacuum_into, source, target)
        return f"backed up {source} to {target}"
    await asyncio.to_thread(create_private, target)  # pg_dump writes into it, keeping the mode
    await _pg_tool("pg_dump", url, "--format=custom", "--no-owner", f"--file={target}")
    return f"backed up {masked_url(url)} to {target} (pg_dump custom format)"


def _check_target(target: Path) -> None:
    if target.exists():
        raise BackupError(f"{target} exists; give a new file name (a backup never overwrites)")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")


def _vacuum_into(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"{source} does not exist; check database.url")
    conn = sqlite3.connect(source, timeout=30)
    try:
        create_private(target)  # VACUUM INTO fills an empty file and keeps its owner-only mode
        conn.execute("VACUUM INTO ?", (str(target),))
    finally:
        conn.close()


async def restore(url: str, source: Path, *, replace: bool = False) -> str:
    """Put the backup `source` in place of the database at `url`. The bot must be stopped."""
    if not await asyncio.to_thread(source.is_file):
        raise BackupError(f"{source} is not a file")
    if is_sqlite(url):
        target = _sqlite_file(url)
        revision = await asyncio.to_thread(_check_sqlite_backup, source)
        if await asyncio.to_thread(target.exists) and not replace:
            raise BackupError(f"{target} exists; stop the bot and add --replace to overwrite it")
        await asyncio.to_thread(_copy_pages, source, target)
        return f"restored {target} from {source} (revision {revision})"
    await _pg_tool("pg_restore", url, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(source))
    return f"restored {masked_url(url)} from {source}"


def _check_sqlite_backup(source: Path) -> str:
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise BackupError(f"{source} is not a mentorbot SQLite backup ({err})") from None
    if ok != "ok":
        raise BackupError(f"{source} is damaged (integrity check: {ok})")
    if row is None or row[0] not in _known_revisions():
        raise BackupError(f"{source} is at an unknown migration ({row and row[0]}); is it from a newer mentorbot?")
    return row[0]


def _copy_pages(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    create_private(target)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


async def _pg_tool(tool: str, url: str, *args: str) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} not found; install the PostgreSQL client (e.g. apt install postgresql-client)")
    u = make_url(url)
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    libpq = u.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    proc = await asyncio.create_subprocess_exec(
        program, *args, f"--dbname={libpq}", env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        first = (err.decode(errors="replace").strip().splitlines() or ["failed"])[0]
        raise BackupError(f"{tool}: {first}")
