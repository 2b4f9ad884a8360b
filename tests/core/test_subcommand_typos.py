"""A command that heads others (`match`, `survey`) typed with one of their
words mistyped (`match aprove`, `matcha godkän`) is answered as a mistyped
command is: the nearest of them, in the reader's words, and nothing done.
A word close to none keeps the command's own answer (its usage)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Pairing, PairStatus
from tests.core.cockpit import cockpit_world, enroll

NEAREST = {
    "sv": {"approve": "Menade du `matcha godkänn`?", "results": "Menade du `enkät resultat`?"},
    "en": {"approve": "Did you mean `match approve`?", "results": "Did you mean `survey results`?"},
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)
    await enroll(w, "Cecilia", "adept", "Täby kommun")
    await enroll(w, "Frida", "mentor", "Knivsta kommun")
    await w["Anna"].say("match")  # a draft pair, to approve
    return w


async def _statuses(db) -> list[str]:
    async with db.read() as s:
        return [p.status for p in (await s.exec(select(Pairing))).all()]


@pytest.mark.parametrize("line", ["match aprove", "matcha godkän", "match approv", "Matcha Aprove"])
async def test_a_mistyped_word_after_match_is_answered_with_the_nearest(world, sqlite_db, line):
    (answer,) = await world["Anna"].say(line)
    assert answer.kind == "errors/unknown_command", answer.text
    assert NEAREST[world.locale]["approve"] in answer.text, answer.text
    assert f"`{line}`" in answer.text, answer.text  # what was typed, as typed
    assert await _statuses(sqlite_db) == [PairStatus.DRAFT]  # nothing approved


async def test_survey_results_mistyped(world):
    (answer,) = await world["Anna"].say("survey resluts")
    assert answer.kind == "errors/unknown_command", answer.text
    assert NEAREST[world.locale]["results"] in answer.text, answer.text


async def test_a_word_close_to_none_keeps_the_usage(world, sqlite_db):
    (answer,) = await world["Anna"].say("match foo")
    assert answer.kind == "errors/too_many_arguments", answer.text
    assert await _statuses(sqlite_db) == [PairStatus.DRAFT]


async def test_a_participant_is_not_offered_a_coordinators_command(world):
    (answer,) = await world["Cecilia"].say("survey resluts")
    assert answer.kind == "errors/too_many_arguments", answer.text
