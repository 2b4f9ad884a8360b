"""A pause as the others see it: the partner is told until when the pair is
paused (never why) and sees it in `status`; the pause shows in `participants`,
`status` and `home` only while it lasts, and in `mydata` as stored; `resume`
tells the partner the pair is running again. Swedish and English."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.store.models import Enrollment
from tests.core.harness import texts
from tests.life.helpers import started_year

SAY = {
    "sv": {
        "told": "Hej! Cecilia har pausat ert par i Mentorprogram 2027 till 30 apr. 2027.",
        "pair_paused": "Ert par är pausat till 30 apr. 2027.",
        "own": "pausad till 30 apr. 2027",
        "mydata": "paus till 30 apr. 2027",
        "resumed": "David har avslutat pausen i ert par",
    },
    "en": {
        "told": "Hi! Cecilia has paused your pair in Mentorprogram 2027 until 30 Apr 2027.",
        "pair_paused": "Your pair is paused until 30 Apr 2027.",
        "own": "paused until 30 Apr 2027",
        "mydata": "pause until 30 Apr 2027",
        "resumed": "David has ended the pause in your pair",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = await started_year(sqlite_db, clock, request.param, SAY)
    for name in ("Cecilia", "Frida", "David", "Gustav"):
        y[name].inbox()
    return y


async def test_the_partner_is_told_until_when_and_sees_it_in_status(year):
    say, cecilia, frida = year.say, year["Cecilia"], year["Frida"]
    await cecilia.say("pause until 2027-04-30")
    told = [m for m in frida.inbox() if m.kind == "commands/partner_paused"]
    assert len(told) == 1 and say["told"] in told[0].text
    assert say["pair_paused"] in texts(await frida.say("status"))
    await year.run_until(date(2027, 6, 1))  # the pause is over
    assert say["pair_paused"] not in texts(await frida.say("status"))


async def test_a_pause_shows_while_it_lasts_and_mydata_has_it(year):
    say, cecilia, anna = year.say, year["Cecilia"], year["Anna"]
    await cecilia.say("pause until 2027-04-30")
    assert say["own"] in texts(await cecilia.say("status"))
    assert say["own"] in texts(await anna.say("participants"))
    assert say["mydata"] in texts(await cecilia.say("mydata"))

    await year.run_until(date(2027, 6, 1))  # the pause is over
    assert say["own"] not in texts(await anna.say("participants"))
    assert say["own"] not in texts(await cecilia.say("status"))
    home = await cecilia.say("home")
    assert say["own"] not in texts(home) + " ".join(
        b.text for m in home if m.card for b in m.card.blocks if hasattr(b, "text")
    )
    assert say["mydata"] in texts(await cecilia.say("mydata"))  # what is stored, as stored


async def test_resume_tells_the_partner(year):
    await year["David"].say("pause until 2027-04-30")
    year["Gustav"].inbox()
    await year["David"].say("resume")
    resumed = [m for m in year["Gustav"].inbox() if m.kind == "commands/partner_resumed"]
    assert len(resumed) == 1 and year.say["resumed"] in resumed[0].text


async def test_resume_and_status_agree_on_the_day_after_local_midnight(year):
    """00:30 in Stockholm on 30 April is still 29 April in UTC: a pause until
    30 April is over by the program's day, for `status` and `resume` alike
    (resume once went by the UTC day, and "resumed" a pause status no longer
    showed, telling the partner)."""
    say, cecilia = year.say, year["Cecilia"]
    await cecilia.say("pause until 2027-04-30")
    await year.run_until(date(2027, 4, 29))
    year.clock.set(datetime(2027, 4, 30, 0, 30, tzinfo=ZoneInfo("Europe/Stockholm")))
    assert year.clock.now().date() == date(2027, 4, 29)  # the UTC day is still the day before
    year["Frida"].inbox()

    assert say["own"] not in texts(await cecilia.say("status"))
    answer = await cecilia.say("resume")
    assert [m.kind for m in answer] == ["commands/not_paused"], texts(answer)
    assert [m.kind for m in year["Frida"].inbox()] == []  # nothing to tell: the pause had ended


async def test_a_pause_ending_today_by_the_programs_day_is_refused_after_local_midnight(year):
    """00:30 in Stockholm on 30 April (29 April in UTC): a pause until 30
    April would be over at once by the program's day, as `status` and
    `resume` count it, so `pause` refuses it as it refuses any day not
    after today (it once went by the UTC day and accepted it, telling the
    partner of a pause that status never showed), and so does the intake's
    pause card pressed at that moment."""
    cecilia = year["Cecilia"]
    await year.run_until(date(2027, 4, 29))
    year.clock.set(datetime(2027, 4, 30, 0, 30, tzinfo=ZoneInfo("Europe/Stockholm")))
    assert year.clock.now().date() == date(2027, 4, 29)  # the UTC day is still the day before
    year["Frida"].inbox()

    answer = await cecilia.say("pause until 2027-04-30")
    assert [m.kind for m in answer] == ["errors/pause_in_past"], texts(answer)
    pressed = await cecilia.click("pause.confirm", "1:2027-04-30")
    assert [m.kind for m in pressed] == ["errors/stale_action"], texts(pressed)
    assert [m.kind for m in year["Frida"].inbox()] == []  # no pause, so nothing to tell
    async with year.db.read() as s:
        assert [e.paused_until for e in (await s.exec(select(Enrollment))).all()] == [None] * 6
