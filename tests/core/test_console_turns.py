"""Several people taking turns at `mentorbot console` on one SQLite file,
each turn a real process reading what a person types: a card shown at
start-up answers to its numbers."""

from __future__ import annotations

import pytest

from tests.core.cli import run

PROGRAM = "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19"


@pytest.fixture
def folder(tmp_path):
    """A fresh SQLite file, upgraded as a user does (`mentorbot db upgrade`)."""
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///bot.db"\n', encoding="utf-8")
    upgraded = run("db", "upgrade", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    return tmp_path


def console(folder, name: str, *lines: str, options=()):
    result = run("console", "--as", name, *options, cwd=folder, input="\n".join([*lines, "quit", ""]))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result


def coordinator(folder, *lines: str, **kw):
    return console(folder, "Anna", *lines, options=("--org", "Täby kommun", "--coordinator"), **kw)


def test_a_card_shown_at_start_answers_to_its_number(folder):
    console(folder, "Bertil", options=("--org", "Täby kommun"))  # Bertil has used the console once
    invited = coordinator(folder, PROGRAM, "org add Täby kommun", "bjud-in Bertil")
    assert "→ Bertil: " in invited.stdout
    bertil = console(folder, "Bertil", "1")
    shown, answer = bertil.stdout.split("\n> ", 1)
    assert "[1] Ja, jag vill vara med" in shown  # the invitation, waiting for him
    assert "Du tackade ja till Mentorprogram 2027" in answer
    assert "känner inte till kommandot" not in answer
