"""Someone who said no at the consent question, or cancelled the intake, is
listed as what happened (declined, cancelled the sign-up), not as "invited":
in `participants` and `program show` for the coordinator, and in
their own `status` and `home` (without the program's next event: neither
takes part); `join` still takes them back in."""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import COORDINATOR, make_world, text_of
from tests.dialogs.script import ADEPT, WORDS, asked, run

SAID = {
    "sv": {
        "declined": "Anna – adept, tackade nej",
        "cancelled": "Bo – adept, avbröt sin anmälan",
        "show": "1 tackade nej, 1 avbröt sin anmälan",
        "anna": "Du tackade nej till att vara med som adept",
        "bo": "Du avbröt din anmälan som adept",
        "invited": "inbjuden",
    },
    "en": {
        "declined": "Anna – mentee, declined",
        "cancelled": "Bo – mentee, cancelled the sign-up",
        "show": "1 declined, 1 cancelled the sign-up",
        "anna": "You said no to taking part as a mentee",
        "bo": "You cancelled your sign-up as a mentee",
        "invited": "invited",
    },
}


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param)
    world.locale = request.param
    return world


async def test_said_no_and_cancelled_are_listed_as_such_everywhere(lw):
    words, said = WORDS[lw.locale], SAID[lw.locale]
    anna, bo, hanna = lw.chat("Anna"), lw.chat("Bo"), lw.chat(COORDINATOR)
    for chat in (anna, bo, hanna):  # each reads the program's language
        await chat.say(f"language {lw.locale}")
    await anna.say("join")
    assert asked(await anna.say(words["no"])) == "dialogs/consent_declined"
    await run(bo, ADEPT, lw.locale, upto=5)
    await bo.say(words["cancel"])
    assert asked(await bo.say(words["yes"])) == "dialogs/cancelled"
    assert (await lw.enrollment("Anna")).status == "declined"
    assert (await lw.enrollment("Bo")).status == "cancelled"

    listed = text_of(await hanna.say("participants"))
    assert said["declined"] in listed and said["cancelled"] in listed, listed
    assert said["invited"] not in listed
    shown = text_of(await hanna.say("program show"))
    assert said["show"] in shown and said["invited"] not in shown, shown
    assert "Anna" in text_of(await hanna.say("participants status=declined"))

    for chat, line in ((anna, said["anna"]), (bo, said["bo"])):
        for command in ("status", "home"):
            answer = text_of(await chat.say(command))
            assert line in answer and said["invited"] not in answer, answer
            assert "Stadshuset" not in answer, answer  # the kickoff is not theirs: neither is taking part

    # The way back: joining again starts the intake from its consent question.
    assert asked(await anna.say("join")) == "dialogs/ask/consent_adept"
