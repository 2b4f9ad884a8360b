"""A survey asks the questions about the pair ("how do the conversations in
your pair work?") only of someone in a pair: a mentor with no mentee gets the
others. Swedish and English, through the console and the dispatcher."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.messages import Buttons
from bot.store.models import SurveyResponse
from tests.core.harness import texts
from tests.life.helpers import COHORT, Year

ASK = {
    "sv": {"pair": "Hur bra fungerar samtalen i ert par?", "growth": "Hur mycket har du själv lärt dig som mentor?"},
    "en": {
        "pair": "How well do the conversations in your pair work?",
        "growth": "How much have you learned yourself as a mentor?",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    # Lena (Knivsta, budget) fits nobody better than the three mentors who do: no mentee.
    await y.start(cohort={**COHORT, "Lena": ("mentor", "Knivsta kommun", ["budget"])})
    await y["Anna"].say('event add inspiration 2027-05-12 13:00 place="Täby kulturhus"')
    await y.run_until(date(2027, 5, 14))
    y.ask = ASK[request.param]
    return y


def _start_value(year: Year, name: str) -> str:
    message = next(m for at, to, m in year.sent.log if to.user == name.lower() and m.kind == "surveys/survey")
    return next(b for block in message.card.blocks if isinstance(block, Buttons) for b in block.buttons).value


async def _questions(year: Year, name: str) -> list[str]:
    """Answer 4 to every question until the free text; the questions asked."""
    chat = year[name]
    asked = [texts(await chat.click("survey.start", _start_value(year, name)))]
    while True:
        replies = await chat.say("4")
        if any(m.kind == "surveys/ask/comment" for m in replies):
            return asked
        asked.append(texts(replies))


async def test_a_mentor_without_a_mentee_is_not_asked_about_the_pair(year):
    lena = await _questions(year, "Lena")
    assert len(lena) == 2 and not any(year.ask["pair"] in q for q in lena)
    assert year.ask["growth"] in lena[1]
    frida = await _questions(year, "Frida")  # in a pair: all three
    assert len(frida) == 3 and year.ask["pair"] in frida[1]
    await year["Lena"].say("hoppa över" if year.locale == "sv" else "skip")
    await year["Lena"].say("1")  # confirm
    async with year.db.read() as s:
        (row,) = (await s.exec(select(SurveyResponse))).all()
    assert row.answers == {"role": "mentor", "expectations": 4, "own_growth": 4}
