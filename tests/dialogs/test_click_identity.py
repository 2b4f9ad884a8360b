"""A click carries its option's identity; a typed number is the position shown.

The organisations are added in the reverse order of their names, so the id of
each is never its position in the (alphabetical) list: Enköping has id 3 and
is shown first, Täby has id 1 and is shown third."""

from __future__ import annotations

import pytest

from adapters.console_render import options
from bot.dialogs.choice import ChoiceStep
from bot.dialogs.steps import Invalid
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


async def test_a_pressed_value_that_is_no_option_of_the_card_is_a_stale_button_and_the_card_still_works(rw):
    """A button's value is the client's to send: one the card does not offer
    (`dlg:6:3:7` with 99, an empty one, a real one with a forged one) is
    refused as a stale button, and neither the card (it is not replaced by
    "Your answer: 99") nor the dialogue (its version, step, answers, count of
    misses) changes, so the real card's buttons still work."""
    anna = rw.chat("Anna")
    await anna.say("join")
    await anna.say(WORDS[rw.locale]["yes"])
    card = anna._card(anna.last)
    assert card is not None
    first = options(card.card)[0]  # Enköping's button
    (before,) = await rw.states("Anna")
    for forged in ("99", "4", "", "²", "_nope", f"{first.value},99"):
        answer = await anna.click(first.action_id, forged, on=card)
        assert [(m.kind, m.replace) for m in answer] == [("errors/stale_action", None)], forged
        assert answer[0].text == render(rw.locale, "errors/stale_action")
        (now,) = await rw.states("Anna")
        assert (now.version, now.step, now.data, now.invalid_count) == (
            before.version,
            before.step,
            before.data,
            before.invalid_count,
        )
    pressed = await anna.click(first.action_id, first.value, on=card)
    assert pressed[0].kind == "dialogs/answered" and pressed[0].replace is not None
    answers = (await rw.states("Anna"))[0].data["answers"]
    assert answers["organisation_id"] == rw.org_ids["Enköpings kommun"]
