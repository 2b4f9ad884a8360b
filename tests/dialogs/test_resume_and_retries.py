"""A restart, days of silence, a retried delivery or a double click never
repeat or corrupt a step."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.messages import Buttons
from tests.dialogs.script import ADEPT, MENTOR, asked, line, run, type_raw


async def test_resume_after_a_restart_days_later(world, clock):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=6)  # asked for topics
    world.restart()
    clock.advance(timedelta(days=4))
    assert asked(await anna.say("1,2")) == "dialogs/ask/wishes"
    for typed, expected in ADEPT[7:]:
        assert asked(await anna.say(line(typed, "sv"))) == expected
    await anna.say("1")
    answers = (await world.enrollment("Anna")).answers
    assert answers["topics"] == ["conflict", "staffing"] and answers["department"] == "Hemtjänst Norr"


async def test_a_greeting_days_later_is_met_with_the_question_not_an_error(world, clock):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=5)  # asked for months
    clock.advance(timedelta(days=3))
    replies = await anna.say("Hej igen!")
    assert asked(replies) == "dialogs/ask/months_as_manager" and "Välkommen tillbaka" in replies[-1].text
    (state,) = await world.states("Anna")
    assert state.invalid_count == 0
    assert asked(await anna.say("14")) == "dialogs/ask/topics"


async def test_join_again_in_the_middle_continues_where_it_stopped(world):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=5)  # asked for months
    world.restart()
    replies = await anna.command("join")  # a slash command is never taken as an answer
    assert asked(replies) == "dialogs/ask/months_as_manager"
    assert "Välkommen tillbaka" in replies[-1].text


async def test_a_retried_delivery_advances_once(world):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=3)  # asked for the unit
    first = await type_raw(anna, "Hemtjänst Norr", event_id="Ev1")
    again = await type_raw(anna, "Hemtjänst Norr", event_id="Ev1")
    assert asked(first) == "dialogs/ask/role_title" and again == []
    (state,) = await world.states("Anna")
    assert state.step == "role_title" and state.history.count("department") == 1


async def test_a_double_click_advances_once_and_says_nothing_the_second_time(world):
    anna = world.chat("Anna")
    replies = await run(anna, ADEPT, "sv", upto=9)  # the format card
    button = replies[-1].card.blocks[1].buttons[0]
    assert isinstance(replies[-1].card.blocks[1], Buttons)
    first = await anna.click(button.action_id, button.value, event_id="click-1", on=replies[-1])
    second = await anna.click(button.action_id, button.value, event_id="click-2", on=replies[-1])
    assert asked(first) == "dialogs/ask/place"
    assert first[0].replace is not None and "På plats" in first[0].text  # the card loses its buttons
    assert second == []
    (state,) = await world.states("Anna")
    assert state.step == "place" and state.history.count("format") == 1


async def test_two_clicks_at_the_same_moment_apply_once(world):
    bo = world.chat("Bo")
    replies = await run(bo, MENTOR, "sv", upto=8)  # joint meetings yes/no
    yes, no = replies[-1].card.blocks[1].buttons
    results = await asyncio.gather(
        bo.click(yes.action_id, yes.value, event_id="a"), bo.click(no.action_id, no.value, event_id="b")
    )
    advanced = [r for r in results if asked(r) == "dialogs/ask/training" and r[0].kind != "dialogs/already_answered"]
    assert len(advanced) == 1
    (state,) = await world.states("Bo")
    assert state.step == "training" and state.history.count("joint_meetings") == 1


async def test_a_card_from_an_earlier_step_is_recognised(world):
    anna = world.chat("Anna")
    consent = await anna.say("join")
    yes = consent[-1].card.blocks[1].buttons[0]
    await anna.say("ja")
    replies = await anna.click(yes.action_id, yes.value)
    assert replies[0].kind == "dialogs/already_answered" and asked(replies) == "dialogs/ask/organisation"


async def test_someone_elses_dialogue_card_is_refused(world):
    consent = await world.chat("Anna").say("join")
    yes = consent[-1].card.blocks[1].buttons[0]
    replies = await world.chat("Bo").click(yes.action_id, yes.value)
    assert [r.kind for r in replies] == ["errors/stale_action"]
    (state,) = await world.states("Anna")
    assert state.step == "consent"


async def test_postgres_too_double_clicks_and_a_restart(any_db, clock):
    from tests.dialogs.conftest import make_world

    world = await make_world(any_db, clock)
    bo = world.chat("Bo")
    replies = await run(bo, MENTOR, "sv", upto=8)
    yes, no = replies[-1].card.blocks[1].buttons
    await asyncio.gather(
        bo.click(yes.action_id, yes.value, event_id="a"), bo.click(no.action_id, no.value, event_id="b")
    )
    world.restart()
    for typed, _ in MENTOR[9:]:
        await bo.say(line(typed, "sv"))
    assert asked(await bo.say("1")) == "dialogs/done"
    enrollment = await world.enrollment("Bo", "mentor")
    assert enrollment.status == "pending" and isinstance(enrollment.answers["can_attend_joint_meetings"], bool)


async def test_a_mention_in_a_channel_is_never_taken_as_an_answer(world):
    from bot.messages import Address, Inbound, Kind, Platform, Where

    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=7)  # asked for wishes (sensitive)
    channel = Address(Platform.CONSOLE, "local", "general", where=Where.CHANNEL)
    replies = await world.core.handle(Inbound(anna.actor, channel, Kind.TEXT, text="status"))
    assert [r.kind for r in replies] == ["commands/status"]
    replies = await world.core.handle(Inbound(anna.actor, channel, Kind.TEXT, text="Min chef är svår"))
    assert all(not r.kind.startswith("dialogs/") for r in replies)
    (state,) = await world.states("Anna")
    assert state.step == "wishes" and "wishes" not in state.data["answers"]


async def test_the_same_button_after_another_turn_is_a_new_press(world):
    """Only a press repeated with nothing in between is a double click: after
    "tillbaka" a press of the old card is answered (it is an old card), not
    swallowed as a double click."""
    anna = world.chat("Anna")
    replies = await run(anna, ADEPT, "sv", upto=9)  # the format card
    button = replies[-1].card.blocks[1].buttons[0]
    first = await anna.click(button.action_id, button.value, event_id="click-1", on=replies[-1])
    assert asked(first) == "dialogs/ask/place"
    back = await anna.say("tillbaka")
    assert asked(back) == "dialogs/ask/format"
    again = await anna.click(button.action_id, button.value, event_id="click-2", on=replies[-1])
    assert [m.kind for m in again] == ["dialogs/already_answered", "dialogs/ask/format"]
