"""An empty line at an open question (Enter pressed too soon) is no answer
and no mistake: every step, the consent question first of all, answers it
with how to answer in one short line, not with the question (the whole
consent text) again, and counts no miss. The card above keeps its buttons:
in the console a bare number still presses them."""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import make_world
from tests.dialogs.script import asked, line

SAY = {
    "sv": {"empty": "Jag fick inget svar där", "yes_no": "`ja` eller `nej`", "skip": "`hoppa över`"},
    "en": {"empty": "I didn't get an answer there", "yes_no": "`yes` or `no`", "skip": "`skip`"},
}


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param)
    world.locale = request.param
    return world


async def test_an_empty_line_at_the_consent_question_gets_a_short_nudge(lw):
    chat, say = lw.chat("Anna"), SAY[lw.locale]
    (consent,) = await chat.say("join")
    assert consent.kind == "dialogs/ask/consent_adept"
    for _ in range(3):  # three in a row: still no "stuck" card, nothing counted
        (nudge,) = await chat.say("")
        assert nudge.kind == "dialogs/invalid/empty", nudge.text
        assert nudge.text.startswith(say["empty"]) and say["yes_no"] in nudge.text, nudge.text
        assert nudge.card is None and len(nudge.text) < 160, nudge.text  # not the consent text again
    assert asked(await chat.say("1")) == "dialogs/ask/organisation"  # the consent card's Yes, by its number


async def test_every_step_treats_an_empty_line_alike(lw):
    chat, say = lw.chat("Anna"), SAY[lw.locale]
    for typed in ("join", "{yes}", "2"):  # to the department: a text question
        await chat.say(line(typed, lw.locale))
    for blank in ("", "   ", "\n"):
        (nudge,) = await chat.say(blank)
        assert nudge.kind == "dialogs/invalid/empty" and nudge.text.startswith(say["empty"]), nudge.text
    await chat.say("Hemtjänst Norr")
    assert (await chat.say(""))[0].kind == "dialogs/invalid/empty"  # the role title
    for typed in ("Enhetschef", "14", "1,3"):
        await chat.say(typed)
    (nudge,) = await chat.say("")  # the wishes: a question that may be skipped says so
    assert nudge.kind == "dialogs/invalid/empty" and say["skip"] in nudge.text, nudge.text
