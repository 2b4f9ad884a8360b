"""A click carries its option's identity; a typed number is the position shown.

The organisations are added in the reverse order of their names, so the id of
each is never its position in the (alphabetical) list: Enköping has id 3 and
is shown first, Täby has id 1 and is shown third."""

from __future__ import annotations

import pytest

from bot.dialogs.steps import ChoiceStep, Invalid
from bot.i18n import render
from bot.messages import Option
from tests.dialogs.conftest import make_world
from tests.dialogs.script import WORDS

REVERSED = ("Täby kommun", "Knivsta kommun", "Enköpings kommun")
ORGS = ChoiceStep(
    "o",
    field="o",
    int_values=True,
    source=lambda ctx, r: [Option("3", "Enköpings kommun"), Option("2", "Knivsta kommun"), Option("1", "Täby kommun")],
)


def sv(name, **kw):
    return render("sv", name, **kw)


def test_a_click_is_matched_by_value_and_typing_by_position():
    assert ORGS.parse_values(["1"], None, sv) == 1  # the button of Täby (id 1), shown third
    assert ORGS.parse("1", None, sv) == 3  # typed "1": the first one shown, Enköping
    assert ORGS.parse("Täby", None, sv) == 1


def test_a_clicked_value_that_is_no_option_is_refused_not_read_as_a_position():
    with pytest.raises(Invalid) as bad:
        ORGS.parse_values(["4"], None, sv)
    assert bad.value.template == "dialogs/invalid/option_gone"


@pytest.fixture(params=["sv", "en"])
async def rw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param, orgs=REVERSED)
    world.locale = request.param
    return world


async def test_clicking_an_organisation_on_the_console_stores_that_organisation(rw):
    anna = rw.chat("Anna")
    await anna.say("join")
    await anna.say(WORDS[rw.locale]["yes"])
    shown = [p.label for p in anna._picks(anna.last)][:3]
    assert shown == ["Enköpings kommun", "Knivsta kommun", "Täby kommun"]
    await anna.choose(1)  # the first button: Enköping, whose id is 3
    answers = (await rw.states("Anna"))[0].data["answers"]
    assert answers["organisation_id"] == rw.org_ids["Enköpings kommun"] != 1


async def test_typing_the_number_shown_picks_that_position(rw):
    anna = rw.chat("Anna")
    await anna.say("join")
    await anna.say(WORDS[rw.locale]["yes"])
    anna.last = []  # typed, not the console's shortcut for a click
    await anna.say("3")
    answers = (await rw.states("Anna"))[0].data["answers"]
    assert answers["organisation_id"] == rw.org_ids["Täby kommun"]
