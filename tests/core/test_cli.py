"""The `mentorbot` command as a user runs it: real processes, real files."""

from __future__ import annotations

from tests.core.cli import run


def test_help_lists_the_contract_commands(tmp_path):
    out = run("--help", cwd=tmp_path).stdout
    for word in ("serve", "console", "simulate", "demo", "db", "slack-manifest", "teams-package"):
        assert word in out


def test_console_on_an_unmigrated_database_says_to_upgrade(tmp_path):
    result = run("console", "--as", "Anna", cwd=tmp_path, input="")
    assert result.returncode == 2
    assert "mentorbot db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade_then_console_chat(tmp_path):
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///bot.db"\n', encoding="utf-8")
    upgraded = run("db", "upgrade", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "bot.db").exists()
    chat = run(
        "console",
        "--as",
        "Anna",
        "--org",
        "Täby kommun",
        "--coordinator",
        cwd=tmp_path,
        input="program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19\nprogram show\nquit\n",
    )
    assert chat.returncode == 0, chat.stderr
    assert "Mentorprogram 2027" in chat.stdout and "mentorprogram-2027" in chat.stdout


def test_bad_config_stops_with_one_line(tmp_path):
    (tmp_path / "config.toml").write_text('[server]\nport = "x"\n', encoding="utf-8")
    result = run("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "server.port" in result.stderr
