"""back, skip, cancel, help and edit, in both languages."""

from __future__ import annotations

import pytest

from bot.store.models import ReminderStatus
from tests.dialogs.conftest import make_world, text_of
from tests.dialogs.script import ADEPT, WORDS, asked, line, reminders, run


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param)
    world.words = WORDS[request.param]
    world.locale = request.param
    return world


async def test_back_returns_to_the_previous_question_and_a_new_answer_wins(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=4)  # asked for the role
    assert asked(await anna.say(lw.words["back"])) == "dialogs/ask/department"
    assert asked(await anna.say(lw.words["back"])) == "dialogs/ask/organisation"
    assert asked(await anna.say("3")) == "dialogs/ask/department"
    for typed, expected in ADEPT[3:]:
        assert asked(await anna.say(line(typed, lw.locale))) == expected
    await anna.say("1")
    assert (await lw.enrollment("Anna")).answers["organisation_id"] == lw.org_ids["Täby kommun"]


async def test_a_number_question_without_a_back_button_says_the_word_for_it(lw):
    """The question about time as a manager has no Back button (a typed
    number would press it), so it says how to go back; the word works."""
    anna = lw.chat("Anna")
    replies = await run(anna, ADEPT, lw.locale, upto=5)
    assert asked(replies) == "dialogs/ask/months_as_manager"
    assert f"`{lw.words['back']}`" in replies[-1].text
    assert asked(await anna.say(lw.words["back"])) == "dialogs/ask/role_title"


async def test_back_at_the_first_question_says_so(lw):
    anna = lw.chat("Anna")
    await anna.say("join")
    replies = await anna.say(lw.words["back"])
    assert asked(replies) == "dialogs/ask/consent_adept"
    assert ("första frågan" if lw.locale == "sv" else "first question") in replies[-1].text


async def test_skip_where_allowed_and_explained_where_not(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=3)  # asked for the unit (required)
    refused = await anna.say(lw.words["skip"])
    assert asked(refused) == "dialogs/ask/department"
    assert ("hoppa över" if lw.locale == "sv" else "can't be skipped") in refused[-1].text
    await anna.say("Hemtjänst Norr")
    assert asked(await anna.say(lw.words["skip"])) == "dialogs/ask/months_as_manager"  # the role may be skipped
    for typed, _ in ADEPT[5:]:
        await anna.say(line(typed, lw.locale))
    await anna.say("1")
    assert (await lw.enrollment("Anna")).answers["role_title"] is None


async def test_cancel_asks_first_and_no_keeps_the_place(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=6)  # asked for topics
    assert asked(await anna.say(lw.words["cancel"])) == "dialogs/ask/confirm_cancel"
    kept = await anna.choose(2)  # no, continue
    assert asked(kept) == "dialogs/ask/topics"
    assert asked(await anna.say("1")) == "dialogs/ask/wishes"


async def test_cancel_keeps_nothing_half_done(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=9)
    await anna.say(lw.words["cancel"])
    done = await anna.say(lw.words["yes"])
    assert asked(done) == "dialogs/cancelled"
    enrollment = await lw.enrollment("Anna")
    assert enrollment.answers == {} and enrollment.consent_at is None and enrollment.status == "cancelled"
    (state,) = await lw.states("Anna")
    assert state.status == "cancelled" and state.data["answers"] == {} and state.history == []
    assert [r.status for r in await reminders(lw.db)] == [ReminderStatus.CANCELLED]
    # Typing is read as commands again, and joining starts from the beginning.
    assert asked(await anna.say("status")) == "commands/status"
    assert asked(await anna.say("join")) == "dialogs/ask/consent_adept"


async def test_refusing_consent_stores_nothing(lw):
    anna = lw.chat("Anna")
    await anna.say("join")
    replies = await anna.say(lw.words["no"])
    assert asked(replies) == "dialogs/consent_declined"
    assert ("`gå med`" if lw.locale == "sv" else "`join`") in replies[-1].text  # the way back, in her words
    enrollment = await lw.enrollment("Anna")
    assert enrollment.consent_at is None and enrollment.answers == {}


HELP_SAYS = {
    # what each question's help says about answering it, after the question it is asked at
    "sv": {
        4: ["med egna ord, högst 120 tecken"],
        5: ["i månader, till exempel `14`", "`1,5 år`"],
        6: ["nummer (1–12) eller namn", "med komma emellan"],
        8: ["skriv `ja` eller `nej`"],
    },
    "en": {
        4: ["in your own words, at most 120 characters"],
        5: ["in months, for example `14`", "`1.5 years`"],
        6: ["number (1–12) or its name", "separated by commas"],
        8: ["type `yes` or `no`"],
    },
}
# what the help says about going back, stopping and carrying on later, in the person's own words
WAYS = {
    "sv": ["`tillbaka`", "`avbryt`", "inget av det du har svarat sparas", "jag kommer ihåg var vi var", "`gå med`"],
    "en": ["`back`", "`cancel`", "nothing you have answered is kept", "I remember where we were", "`join`"],
}


async def test_help_explains_and_asks_again(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=4)
    replies = await anna.say(lw.words["help"])
    assert [r.kind for r in replies] == ["dialogs/help", "dialogs/ask/role_title"]
    assert lw.words["skip"] in replies[0].text and lw.words["cancel"] in replies[0].text
    assert "Hanna" in replies[0].text


async def test_help_says_how_to_answer_this_question_go_back_stop_and_carry_on(lw):
    anna = lw.chat("Anna")
    done = 0
    for upto, fragments in HELP_SAYS[lw.locale].items():
        question = ADEPT[upto - 1][1]
        await run(anna, ADEPT[done:upto], lw.locale)
        done = upto
        help_, again = await anna.say(lw.words["help"])
        assert help_.kind == "dialogs/help" and again.kind == question
        for fragment in [*fragments, *WAYS[lw.locale]]:
            assert fragment in help_.text, (question, fragment, help_.text)
    assert asked(await anna.say(lw.words["yes"])) == "dialogs/ask/format"  # the help answered nothing


async def test_edit_any_answer_from_the_summary(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    assert asked(await anna.choose(2)) == "dialogs/ask/edit"  # change an answer
    assert asked(await anna.say("Enhet" if lw.locale == "sv" else "Unit")) == "dialogs/ask/department"
    summary = await anna.say("Hemtjänst Syd")
    assert asked(summary) == "dialogs/ask/summary" and "Hemtjänst Syd" in text_of(summary)
    # Back from the edit list returns to the summary.
    await anna.choose(2)
    assert asked(await anna.say(lw.words["back"])) == "dialogs/ask/summary"
    await anna.choose(1)
    assert (await lw.enrollment("Anna")).answers["department"] == "Hemtjänst Syd"


async def test_changing_to_in_person_asks_the_place_it_skipped(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=9)
    await anna.say("2")  # digital: no place question
    await anna.say("1")
    await anna.choose(2)
    await anna.say("Mötesform" if lw.locale == "sv" else "Meeting format")
    assert asked(await anna.say("1")) == "dialogs/ask/place"
    assert asked(await anna.say("Enköping")) == "dialogs/ask/summary"


async def test_cancel_from_the_summary(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    assert asked(await anna.choose(3)) == "dialogs/ask/confirm_cancel"
    assert asked(await anna.choose(1)) == "dialogs/cancelled"
    assert (await lw.enrollment("Anna")).answers == {}


async def test_saying_no_after_going_back_to_consent_withdraws_it(world):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=4)
    await anna.say("tillbaka")
    await anna.say("tillbaka")
    assert asked(await anna.say("tillbaka")) == "dialogs/ask/consent_adept"
    assert asked(await anna.say("nej")) == "dialogs/consent_declined"
    enrollment = await world.enrollment("Anna")
    assert enrollment.consent_at is None and enrollment.answers == {}
    (state,) = await world.states("Anna")
    assert state.status == "cancelled" and state.data["answers"] == {}


async def test_mydata_and_language_work_in_the_middle_of_the_intake(world):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=4)  # asked for the role
    assert [r.kind for r in await anna.say("mydata")] == ["commands/mydata", "dialogs/still_waiting"]
    assert (await anna.say("language en"))[0].kind == "commands/language_set"
    replies = await anna.say("Unit manager")
    assert asked(replies) == "dialogs/ask/months_as_manager" and "How long" in replies[-1].text


async def test_mydata_in_the_middle_of_the_intake_shows_the_answers_so_far_to_her_alone(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=8)  # wishes given; asked whether her mentor may read them
    replies = await anna.say("mina uppgifter" if lw.locale == "sv" else "mydata")
    assert [r.kind for r in replies] == ["commands/mydata", "dialogs/still_waiting"]
    shown = replies[0]
    assert shown.ephemeral
    assert ("inte inskickad" if lw.locale == "sv" else "not submitted") in shown.text
    for answer in ("Knivsta kommun", "Hemtjänst Norr", "Enhetschef", "Att leda genom en omorganisation"):
        assert answer in shown.text, answer
    assert ("(känsligt)" if lw.locale == "sv" else "(sensitive)") in shown.text  # the wishes
    # Nothing is submitted: the coordinator does not see them, and the question still waits.
    assert (await lw.enrollment("Anna")).answers == {}
    assert "Hemtjänst Norr" not in "\n".join(r.text for r in await lw.chat("Hanna").say("person Anna"))
    assert asked(await anna.say(lw.words["yes"])) == "dialogs/ask/format"


async def test_forget_in_the_middle_ends_the_intake(world):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=4)
    replies = await anna.say("forget")
    assert asked(replies) == "commands/forget_confirm"
    assert asked(await anna.choose(1)) == "commands/forgotten"
    # What she types next is no longer taken as an answer.
    assert asked(await anna.say("Enhetschef")) == "errors/unknown_command"


async def test_a_plain_yes_confirms_the_summary(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    assert asked(await anna.say(lw.words["yes"])) == "dialogs/done"
