"""A known command of the person's role wins over an open question; the
question waits (and says so); an old "really cancel?" expires."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.dialogs.conftest import make_world
from tests.dialogs.script import ADEPT, WORDS, asked, run


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param)
    world.locale = request.param
    return world


@pytest.mark.parametrize(
    "typed,kind",
    [("status", "commands/status"), ("language en", "commands/language_set")],
)
async def test_a_command_typed_at_the_consent_question_runs_and_the_question_waits(lw, typed, kind):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=1)  # asked for consent
    replies = await anna.say(typed)
    assert replies[0].kind == kind, [r.kind for r in replies]
    assert replies[-1].kind == "dialogs/still_waiting"
    (state,) = await lw.states("Anna")
    assert state.step == "consent" and state.invalid_count == 0
    # ... and the question still takes its answer.
    assert asked(await anna.say(WORDS[lw.locale]["yes"])) == "dialogs/ask/organisation"


@pytest.mark.parametrize("yes", [True, False])
async def test_pause_in_the_intake_says_what_it_does_and_asks_first(lw, yes):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=3)  # asked for the unit
    replies = await anna.say("pause")
    question = replies[0]
    assert [r.kind for r in replies] == ["commands/pause_confirm"]
    assert ("31 dec. 2027" if lw.locale == "sv" else "31 Dec 2027") in question.text  # the program's end
    assert (await lw.enrollment("Anna")).paused_until is None  # nothing yet
    button = next(b for block in question.card.blocks if hasattr(block, "buttons") for b in block.buttons)
    action = "pause.confirm" if yes else "pause.cancel"
    answer = await anna.click(action, button.value, on=question)
    assert [r.kind for r in answer] == ["commands/paused" if yes else "commands/pause_kept", "dialogs/still_waiting"]
    assert (await lw.enrollment("Anna")).paused_until == (date(2027, 12, 31) if yes else None)
    # ... and the intake goes on where it was.
    assert asked(await anna.say("Program och utveckling")) == "dialogs/ask/role_title"


async def test_met_without_a_pair_is_answered_as_met_not_as_a_wrong_answer(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=1)
    for _ in range(3):
        replies = await anna.say("met 2027-02-01 60")
        # The command's own answer, and the question waits, as after a command that worked.
        assert [r.kind for r in replies] == ["nudges/no_pair", "dialogs/still_waiting"]
    (state,) = await lw.states("Anna")
    assert state.invalid_count == 0  # no "I'm only a bot" after three commands


async def test_words_that_are_no_command_are_still_answers(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=3)  # asked for the unit
    assert asked(await anna.say("Program och utveckling")) == "dialogs/ask/role_title"


async def test_a_forgotten_cancel_confirmation_expires(lw, clock):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=2)  # asked for the organisation
    assert asked(await anna.say(WORDS[lw.locale]["cancel"])) == "dialogs/ask/confirm_cancel"
    clock.advance(timedelta(days=2))
    replies = await anna.say(WORDS[lw.locale]["yes"])
    assert asked(replies) == "dialogs/ask/organisation"  # not cancelled: asked again
    (state,) = await lw.states("Anna")
    assert state.status == "active" and state.step == "organisation"


# The one rule at an open question (`bot.dialogs.entrances.is_command_aside`),
# at the free-text question about the role title, in each language's words.
SHOW = {"sv": "program visa", "en": "program show"}
LANGUAGE = {"sv": "språk", "en": "language"}


async def _at_role_title(lw, name: str):
    chat = lw.chat(name)
    await run(chat, ADEPT, lw.locale, upto=4)  # asked for the role title
    return chat


async def _still_at_role_title(lw, name: str) -> None:
    (state,) = await lw.states(name)
    assert state.step == "role_title" and "role_title" not in state.data["answers"]
    assert state.invalid_count == 0


async def test_a_coordinators_command_phrase_from_a_participant_is_refused_not_saved(lw):
    anna = await _at_role_title(lw, "Anna")
    replies = await anna.say(SHOW[lw.locale])
    assert [r.kind for r in replies] == ["errors/not_coordinator", "dialogs/still_waiting"]
    await _still_at_role_title(lw, "Anna")
    assert asked(await anna.say("Enhetschef")) == "dialogs/ask/months_as_manager"


async def test_a_coordinators_command_phrase_runs_for_a_coordinator_in_the_intake(lw):
    hanna = await _at_role_title(lw, "Hanna")
    replies = await hanna.say(SHOW[lw.locale])
    assert replies[0].kind == "commands/program_show", [r.kind for r in replies]
    await _still_at_role_title(lw, "Hanna")


@pytest.mark.parametrize("word", ["match", "export"])
async def test_one_ordinary_word_that_only_coordinators_run_is_a_participants_answer(lw, word):
    anna = await _at_role_title(lw, "Anna")
    assert asked(await anna.say(word)) == "dialogs/ask/months_as_manager"
    (state,) = await lw.states("Anna")
    assert state.data["answers"]["role_title"] == word


async def test_a_command_without_its_argument_says_what_it_needs_and_the_question_waits(lw):
    anna = await _at_role_title(lw, "Anna")
    replies = await anna.say(LANGUAGE[lw.locale])
    assert [r.kind for r in replies] == ["errors/missing_argument", "dialogs/still_waiting"]
    await _still_at_role_title(lw, "Anna")


@pytest.mark.parametrize("typed", ['Chef för "Hemtjänst', "Status quo", "Rapport om ekonomi"])
async def test_lines_that_only_start_like_a_command_are_answers(lw, typed):
    anna = await _at_role_title(lw, "Anna")
    assert asked(await anna.say(typed)) == "dialogs/ask/months_as_manager"
    (state,) = await lw.states("Anna")
    assert state.data["answers"]["role_title"] == typed
