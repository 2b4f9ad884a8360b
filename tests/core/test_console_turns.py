"""Several people taking turns at `mentorbot console` on one SQLite file,
each turn a real process reading what a person types: a card shown at
start-up answers to its numbers, a broadcast reaches the people at the
console, and log lines stay out of the conversation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from adapters.console_session import save_files
from bot.messages import Attachment, Outbound
from bot.store.db import Database
from bot.store.models import Reminder
from tests.core.cli import run, upgraded_folder
from tests.core.harness import enroll

PROGRAM = "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19"
LOG_LINE = re.compile(r"^\S+ \S+ (DEBUG|INFO|WARNING|ERROR) ", re.MULTILINE)


@pytest.fixture
def folder(tmp_path):
    """A fresh SQLite file, upgraded as a user does (`mentorbot db upgrade`)."""
    return upgraded_folder(tmp_path)


def console(folder, name: str, *lines: str, options=(), env=None, top=()):
    result = run(*top, "console", "--as", name, *options, cwd=folder, input="\n".join([*lines, "quit", ""]), env=env)
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


async def test_a_broadcast_reaches_people_in_their_next_console_session(folder, clock):
    coordinator(folder, PROGRAM, "org add Täby kommun")
    db = Database(f"sqlite:///{folder / 'bot.db'}")
    try:  # two people who have finished their intake
        await enroll(db, clock, 1, "Bertil", "adept", "Täby kommun", ["conflict"])
        await enroll(db, clock, 1, "Cecilia", "mentor", "Täby kommun", ["conflict"])
        sent = coordinator(folder, "utskick alla Uppstarten flyttas till sal 3", "1")
        assert "På väg till 2 personer" in sent.stdout
        assert "→ Bertil: " in sent.stdout and "→ Cecilia: " in sent.stdout
        for name in ("Bertil", "Cecilia"):
            opened = console(folder, name)
            assert "Uppstarten flyttas till sal 3" in opened.stdout.split("\n> ", 1)[0]
        async with db.read() as s:
            rows = (await s.exec(select(Reminder).where(Reminder.kind == "broadcast"))).all()
        assert [r.status for r in rows] == ["sent", "sent"]
    finally:
        await db.dispose()


async def test_a_cards_number_still_answers_it_after_a_typed_line(folder, clock):
    coordinator(folder, PROGRAM, "org add Täby kommun")
    db = Database(f"sqlite:///{folder / 'bot.db'}")
    try:
        await enroll(db, clock, 1, "Bertil", "adept", "Täby kommun", ["conflict"])
        await enroll(db, clock, 1, "Cecilia", "mentor", "Täby kommun", ["conflict"])
    finally:
        await db.dispose()
    # A typed `ja` under the preview is pointed to the card; its `1` still sends.
    sent = coordinator(folder, "utskick alla Boka ert första möte!", "ja", "1")
    preview, typed, pressed = sent.stdout.split("\n> ")[1:4]
    assert "[1] " in preview
    assert "Svara med knapparna på kortet (i konsolen: skriv siffran)" in typed
    assert "känner inte till kommandot" not in pressed
    assert "På väg till 2 personer" in pressed and "→ Bertil: " in sent.stdout


def test_files_are_written_beside_the_database_and_never_overwritten(folder, tmp_path_factory):
    exported = coordinator(folder, PROGRAM, "org add Täby kommun", "exportera", "exportera")
    files = sorted((folder / "mentorbot-files").iterdir())
    first = [f for f in files if not f.stem.endswith("-2")]
    assert any(f.suffix == ".xlsx" for f in first) and len(files) == 2 * len(first)
    for f in first:  # the second export got a suffix instead of overwriting the first
        assert f.with_name(f"{f.stem}-2{f.suffix}") in files
    for f in files:  # each shown by where it is
        assert f"📎 {Path('mentorbot-files') / f.name} (" in exported.stdout
    (xlsx,) = [f for f in first if f.suffix == ".xlsx"]
    assert xlsx.read_bytes()[:2] == b"PK"  # the export itself
    elsewhere = tmp_path_factory.mktemp("chosen")
    again = console(folder, "Anna", "exportera", options=("--files", str(elsewhere)))
    chosen = sorted(elsewhere.iterdir())
    assert [f.name for f in chosen] == [f.name for f in first]
    assert all(f"📎 {f} (" in again.stdout for f in chosen)
    assert len(list((folder / "mentorbot-files").iterdir())) == len(files)


def test_logs_stay_out_of_the_conversation(folder, tmp_path_factory):
    # A fresh matplotlib cache makes `rapport` log that it built one (INFO);
    # an invitation to someone on Slack logs that `serve` will send it (INFO).
    env = {"MPLCONFIGDIR": str(tmp_path_factory.mktemp("mpl"))}
    lines = (PROGRAM, "org add Täby kommun", "rapport", "bjud-in slack:T0123ABC:U0456DEF")
    quiet = coordinator(folder, *lines, env=env)
    assert "programmet i siffror" in quiet.stdout and "→ U0456DEF: " in quiet.stdout
    assert not LOG_LINE.search(quiet.stdout) and not LOG_LINE.search(quiet.stderr)
    verbose = coordinator(folder, "bjud-in slack:T0123ABC:U0789GHI", env=env, top=("-v",))
    assert not LOG_LINE.search(verbose.stdout)
    assert "INFO scheduler.fastpath" in verbose.stderr  # `-v` still logs everything, on standard error


def test_a_file_name_cannot_leave_the_folder(tmp_path):
    # An export's name holds the program's name, which someone typed.
    message = Outbound(text="x", files=(Attachment("../../etc/.bashrc", "text/csv", b"a"), Attachment("..", "x", b"b")))
    saved = save_files(message, tmp_path)
    assert [p.parent for p in saved] == [tmp_path, tmp_path]
    assert [p.name for p in saved] == ["-..-etc-.bashrc", "file"]


async def test_opening_the_console_does_not_show_what_the_outbox_sends_to_others(folder, clock):
    """Opening the console sends what the outbox has due, to everyone; what
    goes to other people was not caused by this person and is not shown to
    them (a coordinator's digest names pairs); it waits for its reader."""
    from datetime import UTC, datetime, timedelta

    from bot.reminders.store import Planned, insert_if_absent
    from bot.store.models import Person

    coordinator(folder, PROGRAM, "org add Täby kommun")
    db = Database(f"sqlite:///{folder / 'bot.db'}")
    try:
        await enroll(db, clock, 1, "Bertil", "adept", "Täby kommun", ["conflict"])
        async with db.write() as s:
            bertil = (await s.exec(select(Person).where(Person.name == "Bertil"))).one()
            due = datetime.now(UTC) - timedelta(minutes=1)  # the console runs on the real clock
            row = Planned(
                key="broadcast:test:bertil",
                kind="broadcast",
                template="broadcast/message",
                due_at=due,
                subject="broadcast:test",
                program_id=1,
                person_id=bertil.id,
                context={"text": "Hemligt för Bertil", "sender": "Anna"},
            )
            await insert_if_absent(s, [row], due)
    finally:
        await db.dispose()
    cecilia = console(folder, "Cecilia", "status", options=("--org", "Täby kommun"))
    assert "Bertil" not in cecilia.stdout and "Hemligt" not in cecilia.stdout, cecilia.stdout
    opened = console(folder, "Bertil")
    assert "Hemligt för Bertil" in opened.stdout.split("\n> ", 1)[0]


def test_the_banner_is_in_the_persons_language(folder):
    """Probe 2, item 23: the opening line was English in a Swedish installation."""
    first = console(folder, "Eva", "språk en")
    assert first.stdout.startswith("mentorbot-konsolen – du är Eva. Skriv `hjälp`, eller `avsluta`"), first.stdout
    again = console(folder, "Eva")  # she chose English: the next session opens in it
    assert again.stdout.startswith("mentorbot console – you are Eva. Type `help`, or `quit` to leave."), again.stdout
