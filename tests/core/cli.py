"""Run the `mentorbot` command as a user does: a real process, real files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli_env(env: dict | None = None) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "adapters.cli", *args]


def run(*args: str, cwd: Path, input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        cli_argv(*args), cwd=cwd, input=input, capture_output=True, text=True, timeout=120, env=cli_env(env)
    )


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def upgraded_folder(folder: Path) -> Path:
    """`folder` with a config naming a fresh SQLite file there, upgraded as a
    user does (`mentorbot db upgrade`)."""
    (folder / "config.toml").write_text('[database]\nurl = "sqlite:///bot.db"\n', encoding="utf-8")
    upgraded = run("db", "upgrade", cwd=folder)
    assert upgraded.returncode == 0, upgraded.stderr
    return folder
