"""What waits for a participant's answer can be had again by typing (probe 2,
item 13): `survey` shows an open survey's message with its button, `home`
lists the open survey and the events they were asked about with the buttons
again, and a card's number typed where no card is shown (a console started
again) says how to get the card back instead of "unknown command `2`".
Swedish and English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from adapters.console_render import options
from bot.store.models import EventRsvp
from tests.core.harness import texts
from tests.life.helpers import Year

SAY = {
    "sv": {
        "survey": "enkät",
        "home": "hem",
        "none": "Ingen enkät väntar på ditt svar just nu",
        "asked": "Efter inspirationsträffen",
        "waiting_survey": "Frågorna efter inspirationsträffen väntar på ditt svar.",
        "waiting_rsvp": "Kommer du? #2 Uppföljning",
        "coming": "Jag kommer",
        "number": "`7` väljer inget just nu",
        "home_hint": "Hittar du inte kortet längre, visar `hem` enkäter och träffar",
    },
    "en": {
        "survey": "survey",
        "home": "home",
        "none": "No survey is waiting for your answer right now",
        "asked": "After the inspiration meeting",
        "waiting_survey": "The questions after the inspiration meeting wait for your answer.",
        "waiting_rsvp": "Are you coming? #2 Uppföljning",
        "coming": "I'm coming",
        "number": "`7` picks nothing right now",
        "home_hint": "If you cannot find the card any more, `home` shows the surveys and events",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    await y.start()
    await y["Anna"].say('event add inspiration 2027-05-12 13:00 place="Täby kulturhus"')
    # Its first reminder (a week before) goes out on 13 May, with the RSVP buttons.
    await y["Anna"].say("event add custom 2027-05-20 13:00 title=Uppföljning")
    y.say = SAY[request.param]
    return y


def _labels(message) -> list[str]:
    return [p.label for p in options(message.card)]


async def test_survey_typed_shows_the_open_survey_and_its_button(year):
    cecilia = year["Cecilia"]
    (before,) = await cecilia.say(year.say["survey"])
    assert before.kind == "surveys/none_open" and year.say["none"] in before.text, before.text
    await year.run_until(date(2027, 5, 14))
    (card,) = await cecilia.say(year.say["survey"])
    assert card.kind == "surveys/survey" and year.say["asked"] in card.text, card.text
    assert [p.action_id for p in options(card.card)] == ["survey.start"]
    first = await cecilia.choose(1)  # the button, pressed from the typed card
    assert first[-1].kind.startswith("dialogs/ask/") or first[-1].kind.startswith("surveys/ask/"), texts(first)
    for score in (4, 4, 4):
        await cecilia.say(str(score))
    await cecilia.say("hoppa över" if year.locale == "sv" else "skip")
    await cecilia.say("1")  # confirm
    (after,) = await cecilia.say(year.say["survey"])
    assert after.kind == "surveys/none_open", after.text


async def test_home_lists_the_open_survey_and_the_event_asked_about_with_their_buttons(year):
    await year.run_until(date(2027, 5, 14))
    david = year["David"]
    (home,) = await david.say(year.say["home"])
    shown = home.card.blocks
    text = "\n".join(getattr(b, "text", "") for b in shown)
    assert year.say["waiting_survey"] in text and year.say["waiting_rsvp"] in text, text
    labels = _labels(home)
    assert year.say["coming"] in labels
    await david.choose(labels.index(year.say["coming"]) + 1)  # "I'm coming", from the home card
    async with year.db.read() as s:
        rsvp = (await s.exec(select(EventRsvp))).one()
    assert rsvp.coming and rsvp.event_id == 2
    (again,) = await david.say(year.say["home"])
    text = "\n".join(getattr(b, "text", "") for b in again.card.blocks)
    assert year.say["waiting_rsvp"] not in text and year.say["waiting_survey"] in text, text


async def test_an_event_not_yet_asked_about_is_not_listed(year):
    await year.run_until(date(2027, 5, 10))  # the follow-up's reminder goes out on the 13th
    (home,) = await year["Erik"].say(year.say["home"])
    text = "\n".join(getattr(b, "text", "") for b in home.card.blocks)
    assert year.say["waiting_rsvp"] not in text and year.say["waiting_survey"] not in text, text


async def test_a_cards_number_where_none_is_shown_says_how_to_get_the_card_back(year):
    await year.run_until(date(2027, 5, 14))
    erik = year["Erik"]
    erik.last = []  # a console started again: no card shown yet
    (reply,) = await erik.say("7")
    assert reply.kind == "core/no_open_question", reply.text
    assert year.say["number"] in reply.text and year.say["home_hint"] in reply.text, reply.text
    (no,) = await erik.say("nej" if year.locale == "sv" else "no")
    assert no.kind == "core/no_open_question" and year.say["home_hint"] in no.text, no.text
