"""Files that hold personal data are owner-only from the moment they exist:
the SQLite database and its WAL, backups and restores, and the files the
console saves (exports, reports, `mina uppgifter`). Real processes under the
usual umask 022, which would otherwise leave them readable by every account."""

from __future__ import annotations

import os
import stat

import pytest

from tests.core.cli import run

PROGRAM = "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19\n"


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def folder(tmp_path, usual_umask):
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///bot.db"\n', encoding="utf-8")
    assert run("db", "upgrade", cwd=tmp_path).returncode == 0
    return tmp_path


def test_the_database_its_wal_and_its_backups_are_owner_only(folder):
    made = run("console", "--as", "Anna", "--coordinator", cwd=folder, input=PROGRAM + "quit\n")
    assert made.returncode == 0, made.stderr
    assert mode(folder / "bot.db") == 0o600
    wal = folder / "bot.db-wal"
    assert not wal.exists() or mode(wal) == 0o600
    assert run("db", "backup", "backup.db", cwd=folder).returncode == 0
    assert mode(folder / "backup.db") == 0o600
    for name in ("bot.db", "bot.db-wal", "bot.db-shm"):
        (folder / name).unlink(missing_ok=True)
    assert run("db", "restore", "backup.db", cwd=folder).returncode == 0
    assert mode(folder / "bot.db") == 0o600


def test_a_database_file_someone_made_keeps_the_mode_they_chose(tmp_path, usual_umask):
    (tmp_path / "bot.db").touch(mode=0o640)
    os.chmod(tmp_path / "bot.db", 0o640)
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///bot.db"\n', encoding="utf-8")
    assert run("db", "upgrade", cwd=tmp_path).returncode == 0
    assert mode(tmp_path / "bot.db") == 0o640


def test_files_the_console_saves_are_owner_only(folder):
    lines = PROGRAM + "org add Täby kommun\nexportera\nmina uppgifter\nquit\n"
    saved = run("console", "--as", "Anna", "--org", "Täby kommun", "--coordinator", cwd=folder, input=lines)
    assert saved.returncode == 0, saved.stderr
    files = folder / "mentorbot-files"
    assert mode(files) == 0o700
    written = list(files.iterdir())
    assert any(f.suffix == ".xlsx" for f in written) and any(f.suffix == ".json" for f in written)
    assert {mode(f) for f in written} == {0o600}
