"""Operating the database: concurrent upgrades, an unreachable server at start,
backup and restore. Real processes, real SQLite files, the real PostgreSQL."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bot.store.db import Database
from bot.store.migrate import current_revision, head_revision
from tests.core.cli import cli_argv, cli_env, closed_port, run

PROGRAM = "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19\n"


def upgrade_twice_at_once(url: str, cwd) -> list[subprocess.CompletedProcess]:
    env = cli_env({"MENTORBOT_DATABASE_URL": url})
    procs = [
        subprocess.Popen(
            cli_argv("db", "upgrade"), cwd=cwd, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


async def wipe_schema(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


async def assert_at_head(url: str) -> None:
    db = Database(url)
    try:
        assert await current_revision(db) == head_revision()
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_two_concurrent_upgrades_on_an_empty_postgres_both_exit_0(pg_url, tmp_path):
    for result in upgrade_twice_at_once(pg_url, tmp_path):
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    await assert_at_head(pg_url)


async def test_two_concurrent_upgrades_on_an_empty_sqlite_file_both_exit_0(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    for result in upgrade_twice_at_once(url, tmp_path):
        assert result.returncode == 0, result.stderr
    await assert_at_head(url)
    assert (tmp_path / "bot.db.migrate.lock").exists()


@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve",), ("console", "--as", "Anna")])
def test_an_unreachable_postgres_is_one_line_with_the_password_masked(tmp_path, command):
    url = f"postgresql://mentorbot:hemligt@127.0.0.1:{closed_port()}/mentorbot"
    result = run(*command, cwd=tmp_path, input="", env={"MENTORBOT_DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "hemligt" not in result.stderr + result.stdout
    assert "postgresql://mentorbot:***@127.0.0.1" in result.stderr
    assert "MENTORBOT_DATABASE_URL" in result.stderr


def test_sqlite_backup_then_restore_round_trips_a_program(tmp_path):
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///bot.db"\n', encoding="utf-8")
    assert run("db", "upgrade", cwd=tmp_path).returncode == 0
    made = run("console", "--as", "Anna", "--coordinator", cwd=tmp_path, input=PROGRAM + "quit\n")
    assert made.returncode == 0, made.stderr

    backed = run("db", "backup", "backup.db", cwd=tmp_path)
    assert backed.returncode == 0, backed.stderr
    for name in ("bot.db", "bot.db-wal", "bot.db-shm"):  # the server's disk is lost
        (tmp_path / name).unlink(missing_ok=True)

    restored = run("db", "restore", "backup.db", cwd=tmp_path)
    assert restored.returncode == 0, restored.stderr
    shown = run("console", "--as", "Anna", cwd=tmp_path, input="program show\nquit\n")
    assert shown.returncode == 0, shown.stderr
    assert "Mentorprogram 2027" in shown.stdout


def test_backup_and_restore_refuse_what_would_lose_data(tmp_path):
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///bot.db"\n', encoding="utf-8")
    assert run("db", "upgrade", cwd=tmp_path).returncode == 0
    assert run("db", "backup", "backup.db", cwd=tmp_path).returncode == 0
    (tmp_path / "junk.db").write_text("not a database", encoding="utf-8")

    for args, words in [
        (("db", "backup", "backup.db"), "exists"),  # never overwrites a backup
        (("db", "restore", "backup.db"), "--replace"),  # nor a live database unasked
        (("db", "restore", "junk.db", "--replace"), "not a mentorbot SQLite backup"),
        (("db", "restore", "missing.db"), "is not a file"),
    ]:
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert words in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert run("db", "restore", "backup.db", "--replace", cwd=tmp_path).returncode == 0


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="the PostgreSQL client (pg_dump) is not installed")
async def test_postgres_backup_then_restore_round_trips_a_program(pg_url, tmp_path):
    env = {"MENTORBOT_DATABASE_URL": pg_url}
    assert run("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    made = run("console", "--as", "Anna", "--coordinator", cwd=tmp_path, input=PROGRAM + "quit\n", env=env)
    assert made.returncode == 0, made.stderr
    backed = run("db", "backup", "backup.dump", cwd=tmp_path, env=env)
    assert backed.returncode == 0, backed.stderr
    await wipe_schema(pg_url)  # the server's data is lost
    restored = run("db", "restore", "backup.dump", cwd=tmp_path, env=env)
    assert restored.returncode == 0, restored.stderr
    await assert_at_head(pg_url)
    shown = run("console", "--as", "Anna", cwd=tmp_path, input="program show\nquit\n", env=env)
    assert "Mentorprogram 2027" in shown.stdout
