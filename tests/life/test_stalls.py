"""Stalled pairs: the weekly digest names a pair once when it goes quiet,
with buttons (remind, ask how it goes, end the pair), and again only after it
has met and gone quiet again; it states the real last meeting (a pause gives
more time, not a new "last meeting"); the coordinator's home counts and
lists the same pairs. Swedish and English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.messages import Buttons, Fields, Text
from bot.store.models import Reminder
from tests.core.harness import pair_of, texts
from tests.life.helpers import CAL, Year

SAY = {
    "sv": {
        "asked": "undrar hur det går för dig och",
        "refused": "är ett kommando för programmets samordnare",
        "ended": "är avslutat",
        "earlier": "Dessutom står 1 par still sedan tidigare veckor",
        "david_again": "*David* (adept) och *Gustav* (mentor): ingen träff sedan 9 mars 2027 (62 dagar).",
        "cecilia_paused": "*Cecilia* (adept) och *Frida* (mentor): ingen träff sedan 22 jan. 2027 (157 dagar), "
        "pausade till 30 apr. 2027.",
        "home_cecilia": "Cecilia och Frida: träffades senast 22 jan. 2027",
        "home_david": "David och Gustav: har inte träffats sedan paret presenterades 4 jan. 2027",
        "home_list": "Par som inte har träffats på länge ({n})",
        "health": "Par utan träff på länge",
    },
    "en": {
        "asked": "wonders how it is going for you and",
        "refused": "is a command for the program's coordinators",
        "ended": "has ended",
        "earlier": "Also, one pair is still quiet from earlier weeks",
        "david_again": "*David* (mentee) and *Gustav* (mentor): no meeting since 9 Mar 2027 (62 days).",
        "cecilia_paused": "*Cecilia* (mentee) and *Frida* (mentor): no meeting since 22 Jan 2027 (157 days), "
        "paused until 30 Apr 2027.",
        "home_cecilia": "Cecilia and Frida: last met 22 Jan 2027",
        "home_david": "David and Gustav: have not met since the pair was announced on 4 Jan 2027",
        "home_list": "Pairs that have not met for long ({n})",
        "health": "Pairs that have not met for long",
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


def _lines(message) -> list[str]:
    return [b.text for b in message.card.blocks if isinstance(b, Text)]


async def test_a_pair_is_in_the_digest_once_when_it_goes_quiet_with_buttons(year):
    await year.run_until(date(2027, 3, 23))
    digests = _digests(year)
    # Monday 1 March (56 days after 4 January): one message for all three
    # pairs; on 8, 15 and 22 March nothing has changed, so nothing is sent.
    assert [day for day, _ in digests] == [date(2027, 3, 1)]
    lines = _lines(digests[0][1])
    assert all(any(name in line for line in lines) for name in ("Cecilia", "David", "Erik"))
    rows = [b for b in digests[0][1].card.blocks if isinstance(b, Buttons)]
    assert len(rows) == 3 and [b.action_id for b in rows[0].buttons] == ["stall.nudge", "stall.ask", "stall.unpair"]
    # Nobody else got a stall message.
    assert {to.user for _, to, m in year.sent.log if m.kind == "scheduler/stall_digest"} == {"anna"}


async def test_a_pair_that_meets_and_goes_quiet_again_is_named_again_and_the_buttons_work(year):
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
    # David and Gustav met on 9 March: quiet again from 4 May, named again on
    # Monday 10 May; Cecilia and Frida, named on 1 March, only counted.
    await year.run_until(date(2027, 5, 11))
    assert [day for day, _ in _digests(year)] == [date(2027, 3, 1), date(2027, 5, 10)]
    latest = _digests(year)[-1][1]
    text = " ".join(_lines(latest))
    assert SAY[year.locale]["david_again"] in text, text
    assert "Cecilia" not in text and "Erik" not in text
    assert SAY[year.locale]["earlier"] in latest.text
    assert [b.buttons[0].value for b in latest.card.blocks if isinstance(b, Buttons)] == [
        str(await pair_of(year.db, "David"))
    ]


def _home(message) -> tuple[str, dict[str, str]]:
    text = "\n".join(getattr(b, "text", "") for b in message.card.blocks)
    fields = {k: v for b in message.card.blocks if isinstance(b, Fields) for k, v in b.items}
    return text, fields


async def test_a_pause_gives_time_but_the_digest_and_home_state_the_real_last_meeting(year):
    say = SAY[year.locale]
    await year.run_until(date(2027, 1, 22))
    await year["Cecilia"].say("met")
    await year.run_until(date(2027, 3, 10))
    await year["Cecilia"].say("pause 2027-04-30")
    # On 1 April Cecilia's pair has not met for ten weeks but is paused: the
    # home's count and its list agree that two pairs are stalled.
    await year.run_until(date(2027, 4, 1))
    text, fields = _home((await year["Anna"].say("home"))[0])
    assert fields[say["health"]] == "2" and say["home_list"].format(n=2) in text, (fields, text)
    assert say["home_david"] in text and "Cecilia" not in text
    # The pause ended on 30 April; 56 days later (Friday 25 June) the pair is
    # stalled and Monday's digest says when they last met, and the pause.
    await year.run_until(date(2027, 6, 29))
    digests = _digests(year)
    assert [day for day, _ in digests] == [date(2027, 3, 1), date(2027, 6, 28)]
    assert "Cecilia" not in " ".join(_lines(digests[0][1]))
    assert say["cecilia_paused"] in " ".join(_lines(digests[-1][1]))
    text, fields = _home((await year["Anna"].say("home"))[0])
    assert fields[say["health"]] == "3" and say["home_list"].format(n=3) in text, (fields, text)
    assert say["home_cecilia"] in text and say["home_david"] in text


async def test_every_copy_of_a_weeks_digest_names_its_pairs_and_next_weeks_does_not(year):
    """A coordinator's copy built after another's was sent (a retry, a second
    coordinator) is the same week's digest: it still names the pairs; the
    next week's names none of them again."""
    from types import SimpleNamespace

    from bot.reminders.kinds import Skip, kind_of
    from bot.store.models import Program

    await year.run_until(date(2027, 3, 2))
    assert [day for day, _ in _digests(year)] == [date(2027, 3, 1)]
    build = kind_of("digest").build
    async with year.db.read() as s:
        program = (await s.exec(select(Program))).one()
        same = await build(s, SimpleNamespace(context={"week": "2027-03-01", "day": "2027-03-02"}), program, None)
        later = await build(s, SimpleNamespace(context={"week": "2027-03-08", "day": "2027-03-08"}), program, None)
    assert not isinstance(same, Skip) and [p.adept for p in same[0]["pairs"]] == ["Cecilia", "David", "Erik"]
    assert isinstance(later, Skip)
