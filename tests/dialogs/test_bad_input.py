"""Every step re-asks with what it expects; three misses offer the coordinator."""

from __future__ import annotations

import re

import pytest

from adapters.console_render import render_text
from bot.messages import Choice
from tests.dialogs.conftest import COORDINATOR, make_world
from tests.dialogs.script import ADEPT, MENTOR, asked, line, run, type_raw

# step index in the script (the question asked after that many lines) -> bad answer, fragments of the re-prompt
ADEPT_BAD = {
    1: ("kanske", {"sv": ["ja", "nej"], "en": ["yes", "no"]}),
    2: ("7", {"sv": ["”7”", "1–3", "Täby kommun"], "en": ["“7”", "1–3", "Täby kommun"]}),
    3: ("", {"sv": ["inget svar"], "en": ["didn't get an answer"]}),
    4: ("x" * 121, {"sv": ["121 tecken", "120"], "en": ["121 characters", "120"]}),
    5: ("ett tag", {"sv": ["”ett tag”", "`14`"], "en": ["“ett tag”", "`14`"]}),
    6: ("1,99", {"sv": ["”99”", "1–12"], "en": ["“99”", "1–12"]}),
    7: ("x" * 2001, {"sv": ["2\u00a0001 tecken"], "en": ["2,001 characters"]}),  # numbers in the reader's format
    8: ("kanske", {"sv": ["`ja`", "`nej`"], "en": ["`yes`", "`no`"]}),
    9: ("cykel", {"sv": ["”cykel”", "På plats"], "en": ["“cykel”", "In person"]}),
    10: ("x" * 121, {"sv": ["120"], "en": ["120"]}),
    11: ("klingonska", {"sv": ["Svenska, Engelska"], "en": ["Swedish, English"]}),
    12: ("kanske", {"sv": ["Bekräfta"], "en": ["Confirm"]}),
}
MENTOR_BAD = {
    4: ("massor", {"sv": ["`8`"], "en": ["`8`"]}),
    5: ("", {"sv": ["inget svar"], "en": ["didn't get an answer"]}),
    7: ("0", {"sv": ["mellan 1 och 3"], "en": ["between 1 and 3"]}),
    8: ("kanske", {"sv": ["`ja`"], "en": ["`yes`"]}),
    9: ("typ", {"sv": ["`nej`"], "en": ["`no`"]}),
}


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param)
    world.locale = request.param
    return world


@pytest.mark.parametrize("script,bad", [(ADEPT, ADEPT_BAD), (MENTOR, MENTOR_BAD)], ids=["adept", "mentor"])
async def test_every_step_rejects_bad_input_and_says_what_is_expected(lw, script, bad):
    chat = lw.chat("Anna")
    for index, (typed, expected) in enumerate(script):
        if index in bad:
            wrong, fragments = bad[index]
            replies = await type_raw(chat, wrong)
            if wrong:
                assert asked(replies) == script[index - 1][1], (index, wrong)  # the same question again
            else:  # an empty line: how to answer, in a line (`test_empty_answer`)
                assert [r.kind for r in replies] == ["dialogs/invalid/empty"], (index, [r.text for r in replies])
            for fragment in fragments[lw.locale]:
                assert fragment in replies[-1].text, (index, fragment, replies[-1].text)
        replies = await chat.say(line(typed, lw.locale))
        assert asked(replies) == expected
    assert (await lw.enrollment("Anna")).answers == {}  # nothing written before the confirm


async def test_the_year_can_be_given_in_years_or_months(world):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=5)
    assert asked(await anna.say("1,5 år")) == "dialogs/ask/topics"
    await anna.say("tillbaka")
    assert asked(await anna.say("18 mån")) == "dialogs/ask/topics"
    for typed, _ in ADEPT[6:]:
        await anna.say(line(typed, "sv"))
    await anna.say("1")
    assert (await world.enrollment("Anna")).answers["months_as_manager"] == 18


@pytest.mark.parametrize("typed", ["-5", "-5 mån"])
async def test_negative_months_in_the_intake_are_told_the_range(lw, typed):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=5)
    replies = await type_raw(anna, typed)
    assert asked(replies) == "dialogs/ask/months_as_manager"  # asked again, nothing stored
    said = {"sv": f"{typed} går inte här: svaret ska vara mellan 0 och 600 månader", "en": f"{typed} doesn't work here"}
    assert said[lw.locale] in replies[-1].text, replies[-1].text
    assert "between 0 and 600 months" in replies[-1].text or lw.locale == "sv"


async def test_topics_by_name_or_code(world):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=6)
    assert asked(await anna.say("konflikthantering och budget")) == "dialogs/ask/wishes"
    await anna.say("tillbaka")
    assert asked(await anna.say("strategy; coaching")) == "dialogs/ask/wishes"


async def test_three_misses_offer_the_coordinator_instead_of_looping(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=5)  # asked for months
    await anna.say("x?")
    await anna.say("vet ej")
    stuck = await anna.say("länge")
    assert [r.kind for r in stuck] == ["dialogs/stuck"]
    assert COORDINATOR in stuck[0].text
    # The third miss too says what was wrong and what would be right, and how to go on or stop.
    said = {
        "sv": ["”länge”", "`14`", "`1,5 år`", "försöka igen", "avbryta", "inget av det du har svarat"],
        "en": ["“länge”", "`14`", "`1.5 years`", "try again", "cancel", "nothing you have answered"],
    }
    for fragment in said[lw.locale]:
        assert fragment in stuck[0].text and fragment in render_text(stuck[0]), fragment
    labels = [b.label for b in stuck[0].card.blocks[1].buttons]
    assert len(labels) == 3

    helped = await anna.choose(1)  # ask the coordinator
    assert helped[-2].kind == "dialogs/coordinator_told" and asked(helped) == "dialogs/ask/months_as_manager"
    told = lw.chat(COORDINATOR).inbox()
    assert [m.kind for m in told] == ["dialogs/coordinator_help_wanted"] and "Anna" in told[0].text
    # She can still answer, and the count started over.
    assert asked(await anna.say("nope")) == "dialogs/ask/months_as_manager"
    assert asked(await anna.say("14")) == "dialogs/ask/topics"


async def test_try_again_after_three_misses(world):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=5)
    for wrong in ("a", "b", "c"):
        replies = await anna.say(wrong)
    assert replies[0].kind == "dialogs/stuck"
    assert asked(await anna.choose(2)) == "dialogs/ask/months_as_manager"
    assert asked(await anna.say("20")) == "dialogs/ask/topics"


def examples(text: str) -> list[list[int]]:
    """The lists of option numbers a message gives as examples (`1,3`, "1,2")."""
    return [[int(n) for n in m.split(",")] for m in re.findall(r"\b\d+(?:,\d+)+\b", text)]


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_every_example_of_several_answers_names_real_options(sqlite_db, clock, locale):
    """A two-option question once suggested `1,3`, where 3 was "Back"."""
    world = await make_world(sqlite_db, clock, locale=locale, topics=["conflict", "budget"])
    anna = world.chat("Anna")
    questions = [(await run(anna, ADEPT, locale, upto=6))[-1]]  # the two topics
    questions.append((await type_raw(anna, "klingonska"))[-1])  # not an option: the rule again, with an example
    for typed in ("1,2", "Att leda genom en omorganisation", "{yes}", "2"):  # format 2: digital, no place asked
        await anna.say(line(typed, locale))
    questions.append((await type_raw(anna, "klingonska"))[-1])  # the two languages, said wrongly
    for question in questions:
        (menu,) = [b for b in question.card.blocks if isinstance(b, Choice)]
        assert menu.multi and len(menu.options) == 2
        shown = [examples(question.text), examples(render_text(question))]
        assert all(shown), (question.kind, question.text)
        assert {n for found in shown for example in found for n in example} <= {1, 2}, render_text(question)
    assert asked(await type_raw(anna, "1,2")) == "dialogs/ask/summary"  # an example is an answer


LONG = {
    "sv": ("5\u00a0818 tecken", "2\u00a0000 tecken", "40\u00a0001 tecken", "40\u00a0000 tecken"),
    "en": ("5,818 characters", "2,000 characters", "40,001 characters", "40,000 characters"),
}


async def test_a_long_answer_is_told_its_own_length_and_a_huge_one_is_refused_whole(lw):
    """Probe 2, item 22: a 5,818-character dilemma was cut to 4,000 at the
    door and then told "too long (4,000 characters)". Its own length and the
    step's limit are said; a message over what is taken at all (40,000) is
    refused whole, saying both; the question stays open."""
    chat = lw.chat("Anna")
    await run(chat, ADEPT, lw.locale, upto=7)  # the wishes (the dilemma) are asked
    own, limit, huge, most = LONG[lw.locale]
    replies = await type_raw(chat, "x" * 5818)
    assert asked(replies) == "dialogs/ask/wishes"
    assert own in replies[-1].text and limit in replies[-1].text, replies[-1].text
    (refused,) = await type_raw(chat, "y" * 40_001)
    assert refused.kind == "errors/message_too_long", refused.text
    assert huge in refused.text and most in refused.text, refused.text
    replies = await chat.say("Att leda genom en omorganisation")
    assert asked(replies) == "dialogs/ask/wishes_with_mentor"  # the same question was still open


SAID_ONCE = {"sv": "ett eller flera", "en": "one or more"}


@pytest.mark.parametrize("script, upto", [(ADEPT, 6), (MENTOR, 6)], ids=["topics", "experience"])
async def test_a_question_with_several_answers_says_how_to_pick_once(lw, script, upto):
    """Probe 2, item 24: the topics question said "Välj ett eller flera
    områden, till exempel `1,3`" and the list under it was labelled "Välj ett
    eller flera" again. The list is labelled with what it lists."""
    import json

    from adapters.slack.render import message_payload

    replies = await run(lw.chat("Anna"), script, lw.locale, upto=upto)
    question = replies[-1]
    said = SAID_ONCE[lw.locale]
    assert render_text(question).lower().count(said) == 1, render_text(question)
    blocks = message_payload(question, lw.locale)["blocks"]  # the payload's "text" is the notification
    assert json.dumps(blocks, ensure_ascii=False).lower().count(said) == 1
