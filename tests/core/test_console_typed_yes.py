"""A typed yes or no at `mentorbot console`, right after a Yes/No question,
answers it (finding 2 of the second trial): the console's own bookkeeping
(the newest card it keeps for the next session, `adapters.console_cards`)
is no message sent to the person, so it does not close the question to
typing. A real message that came after it still does (`bot.asked`)."""

from __future__ import annotations

import pytest

from tests.core.cli import run, upgraded_folder

PROGRAM = "program skapa Mentorprogram 2027 start=2027-01-19 slut=2028-01-19"
TABY = ("--org", "Täby kommun")
LATER = "Det har kommit fler meddelanden efter frågan"


@pytest.fixture
def folder(tmp_path):
    """A fresh SQLite file, upgraded as a user does (`mentorbot db upgrade`)."""
    return upgraded_folder(tmp_path)


def console(folder, name: str, *lines: str, options=TABY) -> list[str]:
    """What each line was answered (the text after each prompt)."""
    result = run("console", "--as", name, *options, cwd=folder, input="\n".join([*lines, "quit", ""]))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout.split("\n> ")[1:]


def test_a_typed_yes_right_after_forget_forgets_in_the_console(folder):
    asked, answered = console(folder, "Bea", "glöm mig", "ja")[:2]
    assert "[1] Ja" in asked
    assert LATER not in answered and "Dina uppgifter är raderade" in answered


def test_a_typed_no_in_english_answers_the_question_in_the_console(folder):
    asked, answered = console(folder, "Ben", "language en", "forget", "no")[1:3]
    assert "[1] Yes" in asked
    assert "Other messages have come" not in answered and "Nothing was deleted" in answered


def test_a_message_from_someone_else_after_the_question_still_closes_it(folder):
    console(folder, "Karin", PROGRAM, "org lägg-till Täby kommun", options=(*TABY, "--coordinator"))
    console(folder, "Bea", "glöm mig")
    console(folder, "Karin", "bjud-in Bea", options=(*TABY, "--coordinator"))  # Bea gets an invitation
    answered = console(folder, "Bea", "ja")[0]
    assert LATER in answered and "raderade" not in answered
