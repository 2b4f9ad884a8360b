"""How many SQL statements a turn issues (issue 17: a turn does only what it
must). Counted on the real SQLite file through an SQLAlchemy listener, BEGIN
included, so a turn that starts re-reading what it already has fails here."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.dialogs.script import MENTOR, asked, run

# The turn (BEGIN, the person, the dialogue with its enrollment, its save,
# the reply) and the adapter's record of the sent reply (BEGIN, UPDATE); one
# more where the question offers the program's organisations.
INTAKE_ANSWER_MAX = 8
# A press of a dialogue card after another press: as an answer, plus moving
# the double-click record and reading the events the next question lists.
PRESS_AFTER_PRESS_MAX = 9


@contextmanager
def counted():
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_rest):
        seen.append(statement.split(None, 1)[0].upper() + " " + statement[:90].replace("\n", " "))

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", listener)


async def test_an_intake_answer_costs_at_most_eight_statements(world):
    anna = world.chat("Anna")
    await anna.say("join")
    await anna.say("ja")  # consent (audited, and the enrollment changes: a few more)
    answers = []
    for answer in ("Knivsta kommun", "Socialtjänst", "Enhetschef"):
        with counted() as seen:
            replies = await anna.say(answer)
        assert replies, f"no reply to {answer!r}"
        answers.append((answer, len(seen), seen))
    for answer, count, seen in answers:
        assert count <= INTAKE_ANSWER_MAX, f"{answer!r} took {count} statements:\n" + "\n".join(seen)


async def statements_of_a_plain_answer(world) -> list[str]:
    anna = world.chat("Anna")
    await anna.say("join")
    await anna.say("ja")
    with counted() as seen:
        await anna.say("Knivsta kommun")
    return seen


async def test_a_plain_answer_does_not_ask_whether_the_person_coordinates(world):
    seen = await statements_of_a_plain_answer(world)
    assert not [s for s in seen if "coordinator" in s.lower()], seen


async def test_a_turn_reads_the_person_and_their_program_in_one_statement(world):
    seen = await statements_of_a_plain_answer(world)
    selects = [s for s in seen if s.startswith("SELECT ")]
    assert selects[0].startswith("SELECT SELECT identity.id"), selects
    assert not [s for s in selects if s.startswith("SELECT SELECT program.id")], "the program was read again"


def test_the_turns_fixed_lists_are_plain_parameters():
    """A list fixed when a statement is built (the running statuses, the pair
    kinds) is one parameter per value: an "expanding" IN has its SQL rewritten
    at every execution, which cost a turn's first statement a third of its time."""
    from bot.meetings import _LIVE_PAIRS
    from bot.people import _PERSON_PRESSED_AND_PROGRAM
    from bot.reminders.sweep import _PAIR_ROWS

    for statement in (_PERSON_PRESSED_AND_PROGRAM, _LIVE_PAIRS, _PAIR_ROWS):
        sql = str(statement.compile())
        assert " IN (" in sql and "POSTCOMPILE" not in sql, sql


async def test_a_mentors_answer_before_the_meeting_questions_does_not_read_the_events(world):
    """The mentor intake lists the program's events at its meeting questions,
    near its end; the answers before them read no events."""
    bo = world.chat("Bo")
    await bo.say("join role=mentor")
    await bo.say("ja")
    with counted() as seen:
        await bo.say("Knivsta kommun")
    assert seen and not [s for s in seen if "program_event" in s], "\n".join(seen)


async def test_an_answer_after_the_organisation_reads_no_organisations(world):
    """Only the questions that offer the organisations (and the consent,
    whose answer decides whether to ask for one) read them."""
    anna = world.chat("Anna")
    await anna.say("join")
    await anna.say("ja")
    await anna.say("Knivsta kommun")
    with counted() as seen:
        replies = await anna.say("Socialtjänst")
    assert asked(replies) == "dialogs/ask/role_title"
    assert seen and not [s for s in seen if "organisation" in s], "\n".join(seen)


async def test_a_press_after_a_press_moves_its_record_with_one_statement(world):
    """The double-click record is one row per person: a press after a press
    moves it to itself with one UPDATE (not a read of its own key, a DELETE
    of the old one and an INSERT), and the press reads its dialogue with
    the enrollment in one statement."""
    bo = world.chat("Bo")
    await run(bo, MENTOR, "sv", upto=8)  # the card asking about the joint meetings
    assert asked(await bo.say("1")) == "dialogs/ask/training"  # a press: its record is written
    with counted() as seen:
        replies = await bo.say("1")  # a press of the next card
    assert asked(replies) == "dialogs/ask/format"
    touching = [s for s in seen if "processed_event" in s]
    assert [s.split()[0] for s in touching] == ["UPDATE"], "\n".join(seen)
    assert len(seen) <= PRESS_AFTER_PRESS_MAX, f"{len(seen)} statements:\n" + "\n".join(seen)


async def test_a_command_typed_outside_a_dialogue_looks_for_one_once(world):
    """A typed line is first offered to the person's open question; with
    none open, the command that runs does not look again to say that a
    question still waits."""
    anna = world.chat("Anna")
    await anna.say("hej")
    with counted() as seen:
        replies = await anna.say("status")
    assert [r.kind for r in replies] and not [r for r in replies if r.kind == "dialogs/still_waiting"]
    assert len([s for s in seen if "FROM dialog_state" in s or s.startswith("SELECT SELECT dialog_state")]) == 1, (
        "\n".join(seen)
    )
