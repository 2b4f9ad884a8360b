"""A yes or a no typed right after a Yes/No card answers it (`bot.asked`):
`leave`, `forget`, a coordinator's typed command that asks first (`event
add` outside the program, `unpair`), through the console harness in Swedish
and English. Only the very newest question of that person, recent, with
nothing sent to them since, is answered; anything else is pressed by
nobody and answered with what to do instead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.messages import Buttons
from bot.store.models import Enrollment, Pairing, Person, ProgramEvent
from tests.core.harness import commands_world, enroll, pair_of, texts

SAY = {
    "sv": {
        "yes": "ja",
        "no": "nej",
        "left": "lämnat",
        "ended": "är avslutat",
        "kept": "Okej, jag gjorde ingenting.",
        "none_open": "Ingen fråga väntar",
        "old": "mer än 30 minuter gammal",
        "newer": "Det har kommit fler meddelanden efter frågan",
        "confirm_yes": "`bekräfta=ja`",
    },
    "en": {
        "yes": "yes",
        "no": "no",
        "left": "left",
        "ended": "has ended",
        "kept": "All right, I did nothing.",
        "none_open": "There is no question waiting",
        "old": "more than 30 minutes old",
        "newer": "Other messages have come after the question",
        "confirm_yes": "`confirm=yes`",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    world = await commands_world(sqlite_db, clock, request.param)
    world.say = SAY[request.param]
    world.db, world.clock = sqlite_db, clock
    await world["Eva"].say("hej")
    await world["Anna"].say("invite console:local:eva")
    world["Eva"].inbox()
    return world


async def _status(world, name: str) -> str:
    async with world.db.read() as s:
        person = (await s.exec(select(Person).where(Person.name == name))).one()
        return (await s.exec(select(Enrollment.status).where(Enrollment.person_id == person.id))).one()


def _buttons(message) -> list[str]:
    return [b.action_id for block in message.card.blocks if isinstance(block, Buttons) for b in block.buttons]


async def test_a_typed_yes_right_after_leave_leaves(world):
    eva, say = world["Eva"], world.say
    (asked,) = await eva.say("leave")
    assert _buttons(asked) == ["leave.confirm", "leave.cancel"]
    done = await eva.say(say["yes"])
    assert say["left"] in texts(done), texts(done)
    assert await _status(world, "Eva") == "left"


async def test_a_typed_no_right_after_leave_does_nothing_and_a_second_yes_answers_nothing(world):
    eva, say = world["Eva"], world.say
    await eva.say("leave")
    (kept,) = await eva.say(f"{say['no'].capitalize()}.")
    assert kept.kind == "commands/leave_kept", kept.text
    (again,) = await eva.say(say["yes"])  # the question was answered: nothing is open
    assert again.kind == "core/no_open_question" and say["none_open"] in again.text, again.text
    assert await _status(world, "Eva") != "left"


async def test_a_typed_yes_right_after_forget_forgets(world):
    eva, say = world["Eva"], world.say
    await eva.say("forget")
    (done,) = await eva.say("ja tack" if say["yes"] == "ja" else "yes please")
    assert done.kind == "commands/forgotten", done.text
    async with world.db.read() as s:
        assert (await s.exec(select(Person).where(Person.name == "Eva"))).all() == []


async def test_a_coordinators_typed_yes_runs_the_typed_command_with_confirm_yes(world):
    anna, say = world["Anna"], world.say
    (asked,) = await anna.say("event add inspiration 2029-05-12")
    assert _buttons(asked) == ["confirm.confirm", "confirm.cancel"]
    await anna.say(say["yes"])
    async with world.db.read() as s:
        kinds = [e.kind for e in (await s.exec(select(ProgramEvent))).all()]
    assert kinds == ["kickoff", "inspiration"]


async def test_a_typed_yes_after_another_turn_answers_nothing(world):
    """Anything else the person does in between (here `status`) closes the question to typing."""
    eva, say = world["Eva"], world.say
    await eva.say("leave")
    await eva.say("status")
    (reply,) = await eva.say(say["yes"])
    assert reply.kind == "core/no_open_question", reply.text
    assert await _status(world, "Eva") != "left"


async def test_a_question_pressed_already_is_not_answered_again_by_typing(world):
    eva, say = world["Eva"], world.say
    (asked,) = await eva.say("leave")
    await eva.click("leave.cancel", asked.card.blocks[-1].buttons[1].value, on=asked)
    (reply,) = await eva.say(say["yes"])
    assert reply.kind == "core/no_open_question", reply.text
    assert await _status(world, "Eva") != "left"


async def test_only_the_newest_question_is_answered(world):
    """`leave`, then `forget`: a typed no answers `forget`'s question, and leaves `leave`'s alone."""
    eva, say = world["Eva"], world.say
    await eva.say("leave")
    await eva.say("forget")
    assert (await eva.say(say["no"]))[0].kind == "commands/forget_kept"
    assert (await eva.say(say["yes"]))[0].kind == "core/no_open_question"
    assert await _status(world, "Eva") != "left"


async def test_a_question_older_than_half_an_hour_is_not_answered_by_typing(world):
    anna, say = world["Anna"], world.say
    await anna.say("event add inspiration 2029-05-12")
    world.clock.advance(timedelta(minutes=31))
    (reply,) = await anna.say(say["yes"])
    assert reply.kind == "core/typed_answer_stale" and say["old"] in reply.text, reply.text
    assert say["confirm_yes"] in reply.text  # a typed command's question: the command again with confirm=yes
    async with world.db.read() as s:
        assert [e.kind for e in (await s.exec(select(ProgramEvent))).all()] == ["kickoff"]


async def test_someone_elses_yes_answers_nothing(world):
    """Anna asks whether to end a pair; Eva's yes (she asked nothing) ends nothing."""
    anna, say = world["Anna"], world.say
    await enroll(world.db, world.clock, 1, "Cilla", "adept", "Täby kommun", ["conflict"])
    await enroll(world.db, world.clock, 1, "Frans", "mentor", "Knivsta kommun", ["conflict"])
    for line in ("match", "match approve", "match announce"):
        await anna.say(line)
    n = await pair_of(world.db, "Cilla")
    await anna.say(f"unpair {n} flyttar")
    assert (await world["Eva"].say(say["yes"]))[0].kind == "core/no_open_question"
    async with world.db.read() as s:
        assert (await s.get(Pairing, n)).status == "announced"
    assert say["ended"] in texts(await anna.say(say["yes"]))  # Anna's own yes, right after her question


async def test_a_message_sent_to_the_person_after_the_question_closes_it_to_typing(world):
    """Frans asks to leave; before he answers, his adept writes a goal and
    he is told: his yes may be meant for that, so it answers nothing."""
    anna, say = world["Anna"], world.say
    await enroll(world.db, world.clock, 1, "Cilla", "adept", "Täby kommun", ["conflict"])
    await enroll(world.db, world.clock, 1, "Frans", "mentor", "Knivsta kommun", ["conflict"])
    for line in ("match", "match approve", "match announce"):
        await anna.say(line)
    frans = world["Frans"]
    await frans.say("leave")
    await world["Cilla"].say("goal Leda en förändring")
    assert frans.inbox(), "Frans was told about the goal"
    (reply,) = await frans.say(say["yes"])
    assert reply.kind == "core/typed_answer_stale" and say["newer"] in reply.text, reply.text
    assert await _status(world, "Frans") != "left"


async def test_the_newest_question_is_answered_before_an_open_dialogues(world):
    """Eva is at the consent question of her sign-up and types `leave`: the
    leave card is the newest question, so her no answers it (she stays, the
    consent question still waits), not the consent question."""
    eva, say = world["Eva"], world.say
    assert (await eva.say("join"))[0].kind == "dialogs/ask/consent_adept"
    await eva.say("leave")
    assert [m.kind for m in await eva.say(say["no"])] == ["commands/leave_kept", "dialogs/still_waiting"]
    assert await _status(world, "Eva") == "invited"
    asked = await eva.say(say["no"])  # now the consent question is the open one, and takes it
    assert asked[0].kind.startswith("dialogs/"), [m.kind for m in asked]
