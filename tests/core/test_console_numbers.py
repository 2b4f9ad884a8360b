"""`kort N` at `mentorbot console` (second trial, findings 1, 10, 22 and
36): a card keeps its number for as long as it waits, so a number
remembered from an earlier list never shows another card; a number no
waiting card has says so; the question a half-finished intake waits on
is shown again and listed; an empty line says nothing."""

from __future__ import annotations

import pytest

from tests.core.cli import run, upgraded_folder

PROGRAM = "program skapa Mentorprogram 2027 start=2027-01-19 slut=2028-01-19"
TABY = ("--org", "Täby kommun")


@pytest.fixture
def folder(tmp_path):
    """A fresh SQLite file, upgraded as a user does (`mentorbot db upgrade`)."""
    return upgraded_folder(tmp_path)


def console(folder, name: str, *lines: str, options=TABY) -> list[str]:
    """What the session opened with, then what each line was answered."""
    result = run("console", "--as", name, *options, cwd=folder, input="\n".join([*lines, "quit", ""]))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout.split("\n> ")


def karin(folder, *lines: str) -> list[str]:
    return console(folder, "Karin", *lines, options=(*TABY, "--coordinator"))


def test_a_card_keeps_its_number_and_an_old_number_presses_nothing_else(folder):
    console(folder, "Bertil")
    karin(folder, PROGRAM, "org lägg-till Täby kommun", "bjud-in Bertil")
    _, _, listed, beyond = console(folder, "Bertil", "glöm mig", "kort", "kort 3")[:4]
    assert "kort 1: Hej! Karin bjuder in dig" in listed and "kort 2: Vill du att jag raderar" in listed
    assert beyond.startswith("Det finns inget kort 3.") and "kort 2: Vill du att jag raderar" in beyond
    # The invitation is answered; its number is not given to the card that came next.
    _, shown, pressed, listed, old = console(folder, "Bertil", "kort 1", "1", "kort", "kort 1")[:5]
    assert "[1] Ja, jag vill vara med" in shown and "Du tackade ja" in pressed
    assert "kort 1:" not in listed and "kort 3: Välkommen till Mentorprogram 2027" in listed
    assert old.startswith("Kort 1 väntar inte längre på svar") and "Godkänner du" not in old


def test_an_open_intake_question_is_shown_again_and_listed_and_an_empty_line_says_nothing(folder):
    karin(folder, PROGRAM, "org lägg-till Täby kommun", "org lägg-till Knivsta kommun")
    erik = ("--org", "Knivsta kommun")
    asked = console(folder, "Erik", "gå med roll=mentor", "ja", "Knivsta kommun", "Socialtjänsten", options=erik)
    question = "Hur många år har du arbetat som chef?"
    assert question in asked[4] and "[1]" not in asked[4]  # a question that wants a typed number
    opened, listed = console(folder, "Erik", "", "   ", "kort", options=erik)[:2]
    assert question in opened.split("Frågan som väntar")[1] and "Frågan som väntar på ditt svar" in opened
    assert listed.startswith("> > Kort som väntar")  # the empty lines: no help text, nothing at all
    assert "kort 1: " + question in listed
