"""A command that heads others (`match`, `survey`) typed with one of their
words mistyped (`match aprove`, `matcha godkän`) is answered as a mistyped
command is: the nearest of them, in the reader's words, and nothing done.
A word close to none keeps the command's own answer (its usage)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Identity, Pairing, PairStatus
from tests.core.cockpit import cockpit_world, enroll, paired_world
from tests.core.harness import confirmed, pair_of

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


# Commands whose first word is their own text or a name (`goal TEXT`,
# `person NAME`, `unpair PAIR REASON`): a mistyped word of one of their
# sub-commands is answered with the line as it would be, when the words after
# it read as that sub-command's arguments; otherwise the command reads it as
# before (a goal that begins with an ordinary word is saved).

MEANT = {
    "sv": {
        "goal remvoe 2": "Menade du `mål ta-bort 2`?",
        "mål ta-brot 2": "Menade du `mål ta-bort 2`?",
        "mål ta brot 2": "Menade du `mål ta-bort 2`?",
        "mål ändr 1 Leda med tillit": "Menade du `mål ändra 1 Leda med tillit`?",
    },
    "en": {
        "goal remvoe 2": "Did you mean `goal remove 2`?",
        "goal remov 2": "Did you mean `goal remove 2`?",
        "mål ta-brot 2": "Did you mean `goal remove 2`?",
        "goal chnage 1 Lead with trust": "Did you mean `goal change 1 Lead with trust`?",
    },
}
AS_TEXT = {"sv": 'skriv det inom citattecken: `mål "remvoe 2"`', "en": 'put it in quotes: `goal "remvoe 2"`'}
GOALS = ["Leda genom en omorganisation", "Bli tryggare i lönesamtal"]


@pytest.fixture(params=["sv", "en"])
async def paired(request, sqlite_db, clock):
    w = await paired_world(sqlite_db, clock, request.param)  # Cecilia (adept) and Frida, announced
    for text in GOALS:
        await w["Cecilia"].say(f"goal {text}")
    return w


async def _goals(db) -> list[str]:
    async with db.read() as s:
        return [g for p in (await s.exec(select(Pairing))).all() for g in p.goals or []]


async def test_a_mistyped_goal_command_is_answered_and_nothing_saved_or_removed(paired, sqlite_db):
    for line, meant in MEANT[paired.locale].items():
        (answer,) = await paired["Cecilia"].say(line)
        assert answer.kind == "errors/unknown_command", (line, answer.text)
        assert meant in answer.text, (line, answer.text)
        assert await _goals(sqlite_db) == GOALS, line
    (answer,) = await paired["Cecilia"].say("goal remvoe 2")
    assert AS_TEXT[paired.locale] in answer.text, answer.text  # how it is kept as a goal, if that was meant


REAL_GOALS = {
    "sv": ["Ändring av arbetssätt i gruppen", "Ändrar 2 rutiner i veckan"],
    "en": ["Remote work routines for 2 teams", "Chance 1 new thing a month"],
}


async def test_a_goal_that_begins_with_a_word_like_a_sub_commands_is_saved(paired, sqlite_db):
    """`Ändring` is close to `ändra` and `Remote` to `remove`, but no goal's
    number follows them: the line is a goal. `Ändrar 2 …` and `Chance 1 …`
    would read as `goal change 2 …`: they are answered, and kept if quoted."""
    first, meant_as_change = REAL_GOALS[paired.locale]
    goal = "mål" if paired.locale == "sv" else "goal"
    (saved,) = await paired["Cecilia"].say(f"{goal} {first}")
    assert saved.kind == "firstmeeting/goal_added", saved.text
    assert await _goals(sqlite_db) == [*GOALS, first]
    await paired["Cecilia"].say(f"{goal} {'ta-bort' if paired.locale == 'sv' else 'remove'} 3")
    (asked,) = await paired["Cecilia"].say(f"{goal} {meant_as_change}")
    assert asked.kind == "errors/unknown_command", asked.text
    (kept,) = await paired["Cecilia"].say(f'{goal} "{meant_as_change}"')
    assert kept.kind == "firstmeeting/goal_added", kept.text
    assert await _goals(sqlite_db) == [*GOALS, meant_as_change]


async def test_a_quoted_goal_like_a_mistyped_command_is_saved(paired, sqlite_db):
    await paired["Cecilia"].say("goal remove 1")
    (kept,) = await paired["Cecilia"].say('goal "remvoe 2"')
    assert kept.kind == "firstmeeting/goal_added", kept.text
    assert await _goals(sqlite_db) == [GOALS[1], "remvoe 2"]


async def test_unpair_undo_mistyped_is_answered_and_the_pair_stays_ended(paired, sqlite_db):
    anna = paired["Anna"]
    n = await pair_of(sqlite_db, "Cecilia")
    await confirmed(anna, f"unpair {n} Fel par")
    assert await _statuses(sqlite_db) == [PairStatus.ENDED]
    for line, meant in {
        f"unpair undoo {n}": f"`unpair undo {n}`",
        f"avsluta-par ångr {n}": f"`unpair undo {n}`",
    }.items():
        (answer,) = await anna.say(line)
        assert answer.kind == "errors/unknown_command", (line, answer.text)
        meant = meant.replace("unpair undo", "avsluta-par ångra") if paired.locale == "sv" else meant
        assert meant in answer.text, (line, answer.text)
    assert await _statuses(sqlite_db) == [PairStatus.ENDED]
    (reason,) = await anna.say(f"unpair undoo {n} extra")  # does not read as `unpair undo N`: as before
    assert reason.kind == "matching/errors/unknown_live_pair", reason.text


async def test_person_link_mistyped_is_answered_and_nothing_linked(paired, sqlite_db):
    anna = paired["Anna"]
    (answer,) = await anna.say("person lnik Cecilia console:local:cissi")
    assert answer.kind == "errors/unknown_command", answer.text
    meant = "person koppla" if paired.locale == "sv" else "person link"
    assert f"`{meant} Cecilia console:local:cissi`" in answer.text, answer.text
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Identity).where(Identity.user_id == "cissi"))).first() is None
    (person,) = await anna.say("person lnik Cecilia")  # no account after the name: a person's name, as before
    assert person.kind == "errors/unknown_person", person.text
