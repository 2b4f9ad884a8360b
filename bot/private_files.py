"""Files that hold personal data are made readable by their owner only: the
SQLite database (SQLite gives its WAL and journal the database's mode), its
backups, and the files the console saves (exports, reports, `mina uppgifter`).
The mode is set when the file is created, so there is no moment in which
another account on the machine could open it."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def create_private(path: Path) -> bool:
    """Create `path` empty, owner-only, unless it exists; whether it did.
    An existing file keeps its mode: whoever made it chose it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        return False
    return True


def write_private(path: Path, data: bytes) -> None:
    """Write a new owner-only file; FileExistsError if the name is taken."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def private_folder(path: Path) -> None:
    """Make the folder (and its parents) if missing; the folder itself owner-only."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)


def sqlite_path(database: str) -> Path | None:
    """The file behind an SQLite database name, or None for memory and URIs."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
