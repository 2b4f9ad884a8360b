"""Who gets which survey, decided from the live state when it is sent.

The survey after the inspiration meeting is about the pair: it goes only to
someone in a pair that day. A mentor with no mentee, a mentor whose pair the
coordinator ended (`unpair`) and one whose mentee used `forget` get no
message, and `survey` does not offer it. The close-out survey goes to every
active participant, and someone not in a pair is not asked the questions
about the pair ("how do the conversations in your pair work?", "the goals
you set"); nor is someone whose pair ended between the message and its Start
button. Swedish and English, through the console and the dispatcher. The
people's enrollment ids are not their person ids, nor the pairs' ids."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.messages import Buttons
from bot.store.models import SurveyResponse
from tests.core.harness import confirmed, pair_of, texts
from tests.life.helpers import COHORT, Year

ASK = {
    "sv": {
        "pair": "Hur bra fungerar samtalen i ert par?",
        "growth": "Hur mycket har du själv lärt dig som mentor?",
        "goals": "Hur nära har ni kommit de mål ni satte i början?",
        "recommend": "Hur gärna skulle du rekommendera programmet",
        "none_open": "Ingen enkät väntar på ditt svar just nu.",
        "skip": "hoppa över",
    },
    "en": {
        "pair": "How well do the conversations in your pair work?",
        "growth": "How much have you learned yourself as a mentor?",
        "goals": "How close have you come to the goals you set at the start?",
        "recommend": "How gladly would you recommend the program",
        "none_open": "No survey is waiting for your answer right now.",
        "skip": "skip",
    },
}
INSPIRATION, CLOSEOUT = date(2027, 5, 14), date(2027, 6, 4)  # the day after each survey's day


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    # Lena (Knivsta, budget) fits nobody better than the three mentors who do: no mentee.
    # The program ends on 30 June, so the close-out survey comes on 2 June.
    await y.start(end="2027-06-30", cohort={**COHORT, "Lena": ("mentor", "Knivsta kommun", ["budget"])})
    await y["Anna"].say('event add inspiration 2027-05-12 13:00 place="Täby kulturhus"')
    y.ask = ASK[request.param]
    return y


def _start_value(year: Year, name: str, survey: str = "inspiration") -> str:
    values = [
        b.value
        for at, to, m in year.sent.log
        if to.user == name.lower() and m.kind == "surveys/survey"
        for block in m.card.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
    ]
    return next(v for v in values if v.startswith(survey + ":"))


def _surveyed(year: Year) -> set[str]:
    return {to.user for at, to, m in year.sent.log if m.kind == "surveys/survey"}


async def _questions(year: Year, name: str, survey: str = "inspiration") -> list[str]:
    """Answer 4 to every question until the free text; the questions asked."""
    chat = year[name]
    asked = [texts(await chat.click("survey.start", _start_value(year, name, survey)))]
    while True:
        replies = await chat.say("4")
        if any(m.kind == "surveys/ask/comment" for m in replies):
            return asked
        asked.append(texts(replies))


async def test_the_inspiration_survey_goes_only_to_people_in_a_pair(year):
    anna = year["Anna"]
    await confirmed(anna, f"unpair {await pair_of(year.db, 'Erik')} byter tjänst")  # Hanna's pair ends
    await year["David"].say("forget")  # Gustav's mentee leaves and is forgotten
    await year["David"].choose(1)
    await year.run_until(INSPIRATION)
    assert _surveyed(year) == {"cecilia", "frida"}  # not Lena (no mentee), Hanna, Gustav nor Erik
    assert year.ask["none_open"] in texts(await year["Hanna"].say("survey"))
    assert year.ask["none_open"] in texts(await year["Lena"].say("survey"))
    assert year.ask["none_open"] not in texts(await year["Frida"].say("survey"))
    frida = await _questions(year, "Frida")  # in a pair: all three
    assert len(frida) == 3 and year.ask["pair"] in frida[1]


async def test_the_close_out_survey_comes_without_the_pair_questions_to_the_unpaired(year):
    await year.run_until(CLOSEOUT)
    lena = await _questions(year, "Lena", "closeout")
    assert len(lena) == 2 and year.ask["growth"] in lena[0] and year.ask["recommend"] in lena[1], lena
    assert not any(year.ask["goals"] in q or year.ask["pair"] in q for q in lena)
    frida = await _questions(year, "Frida", "closeout")
    assert len(frida) == 3 and year.ask["goals"] in frida[0], frida
    await year["Lena"].say(year.ask["skip"])
    await year["Lena"].say("1")  # confirm
    async with year.db.read() as s:
        (row,) = (await s.exec(select(SurveyResponse))).all()  # Frida has not confirmed hers
    assert row.answers == {"role": "mentor", "own_growth": 4, "recommend": 4}


async def test_a_pair_that_ends_after_the_message_is_not_asked_about_the_pair(year):
    await year.run_until(INSPIRATION)
    assert {"cecilia", "frida", "hanna"} <= _surveyed(year)
    await confirmed(year["Anna"], f"unpair {await pair_of(year.db, 'Erik')} byter tjänst")
    hanna = await _questions(year, "Hanna")
    assert len(hanna) == 2 and not any(year.ask["pair"] in q for q in hanna)
    assert year.ask["growth"] in hanna[1]
    await year["Hanna"].say(year.ask["skip"])
    await year["Hanna"].say("1")  # confirm
    async with year.db.read() as s:
        (row,) = (await s.exec(select(SurveyResponse))).all()
    assert row.answers == {"role": "mentor", "expectations": 4, "own_growth": 4}
