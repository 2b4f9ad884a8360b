"""The weekly stall digest: one message a week to the coordinator listing
every quiet pair with buttons (remind, ask how it goes, end the pair); a pair
stays in it until it meets. Swedish and English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.messages import Buttons, Text
from bot.store.models import Reminder
from tests.core.harness import pair_of, texts
from tests.life.helpers import CAL, Year

SAY = {
    "sv": {
        "asked": "undrar hur det går för dig och",
        "refused": "är ett kommando för programmets samordnare",
        "ended": "är avslutat",
    },
    "en": {
        "asked": "wonders how it is going for you and",
        "refused": "is a command for the program's coordinators",
        "ended": "has ended",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    await y.start()
    return y


def _digests(year: Year):
    return [
        (CAL.local_day(at), m)
        for at, to, m in year.sent.log
        if to.user == "anna" and m.kind == "scheduler/stall_digest"
    ]


async def test_the_weekly_digest_is_one_message_with_buttons_per_pair(year):
    await year.run_until(date(2027, 3, 16))
    digests = _digests(year)
    assert (
        len(digests) == 3
    )  # Mondays 1, 8 and 15 March (56 days after 4 January): once a week, one message for all pairs
    assert all(day.weekday() == 0 for day, _ in digests)
    card = digests[0][1].card
    lines = [b.text for b in card.blocks if isinstance(b, Text)]
    assert all(any(name in line for line in lines) for name in ("Cecilia", "David", "Erik"))
    rows = [b for b in card.blocks if isinstance(b, Buttons)]
    assert len(rows) == 3 and [b.action_id for b in rows[0].buttons] == ["stall.nudge", "stall.ask", "stall.unpair"]
    # Nobody else got a stall message.
    assert {to.user for _, to, m in year.sent.log if m.kind == "scheduler/stall_digest"} == {"anna"}


async def test_a_pair_that_meets_leaves_the_digest_and_the_buttons_work(year):
    await year.run_until(date(2027, 3, 9))
    await year["David"].say("met")
    for name in ("Cecilia", "Frida"):
        year[name].inbox()  # the announcement
    cecilia, erik = await pair_of(year.db, "Cecilia"), await pair_of(year.db, "Erik")
    refused = await year["Bo"].click("stall.ask", str(cecilia))
    assert SAY[year.locale]["refused"] in texts(refused)
    assert year["Cecilia"].inbox() == []  # a participant's click asks nobody
    await year["Anna"].click("stall.ask", str(cecilia))
    assert SAY[year.locale]["asked"] in texts(year["Cecilia"].inbox())
    assert SAY[year.locale]["asked"] in texts(year["Frida"].inbox())
    assert SAY[year.locale]["ended"] in texts(await year["Anna"].click("stall.unpair", str(erik)))
    await year["Anna"].click("stall.nudge", str(cecilia))
    async with year.db.read() as s:
        nudges = (
            await s.exec(
                select(Reminder).where(
                    Reminder.kind == "nudge", Reminder.status == "pending", Reminder.subject == f"pair:{cecilia}"
                )
            )
        ).all()
    assert {CAL.local_day(r.due_at) for r in nudges} == {date(2027, 3, 9)}
    await year.run_until(date(2027, 3, 16))
    latest = _digests(year)[-1]
    assert latest[0] == date(2027, 3, 15)
    text = " ".join(b.text for b in latest[1].card.blocks if isinstance(b, Text))
    assert "Cecilia" in text and "David" not in text and "Erik" not in text
