"""Stalled pairs: the weekly digest names a pair once when it goes quiet,
with buttons (remind, ask how it goes, end the pair: after the question
`unpair` asks), and again only after it
has met and gone quiet again; it states the real last meeting (a pause gives
more time, not a new "last meeting"); the coordinator's home counts and
lists the same pairs. Swedish and English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.messages import Buttons, Fields, Text
from bot.store.models import Pairing, PairStatus, Reminder
from tests.core.harness import pair_of, texts
from tests.life.helpers import CAL, Year

SAY = {
    "sv": {
        "asked": "undrar hur det går för dig och",
        "refused": "är ett kommando för programmets samordnare",
        "ended": "är avslutat",
        "unpair_asked": "Avsluta paret #{n} Erik → Hanna i Mentorprogram 2027 (motivering: ”har inte träffats (veckosammanfattningen)”)? "
        "Båda får veta att paret är avslutat",
        "reason": "har inte träffats (veckosammanfattningen)",
        "kept": "Okej, jag gjorde ingenting.",
        "notice": "är avslutat av samordnaren",
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
        "unpair_asked": "End pair #{n} Erik → Hanna in Mentorprogram 2027 (reason: “has not met (weekly digest)”)? "
        "Both are told the pair has ended",
        "reason": "has not met (weekly digest)",
        "kept": "All right, I did nothing.",
        "notice": "has been ended by the coordinator",
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
    asked = await year["Anna"].click("stall.unpair", str(erik))
    assert SAY[year.locale]["ended"] in texts(await year["Anna"].click("confirm.confirm", _yes(asked), on=asked[0]))
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


def _yes(asked) -> str:
    """The value of the question's Yes button (what a client sends when it is pressed)."""
    (row,) = [b for b in asked[0].card.blocks if isinstance(b, Buttons)]
    return next(b.value for b in row.buttons if b.action_id == "confirm.confirm")


async def _pair_status(year: Year, n: int) -> tuple[str, str | None]:
    async with year.db.read() as s:
        row = await s.get(Pairing, n)
        return row.status, row.end_reason


async def test_end_the_pair_in_the_digest_asks_what_unpair_asks_and_ends_it_on_yes(year):
    """The button ended the pair at once. Now it asks `unpair`'s question;
    No leaves the pair and tells nobody; Yes (the button's value, pressed on
    the question's card) ends it, both are told, the digest's reason kept."""
    say = SAY[year.locale]
    await year.run_until(date(2027, 3, 2))
    for name in ("Erik", "Hanna"):
        year[name].inbox()
    (digest,) = [m for _, m in _digests(year)]
    n = await pair_of(year.db, "Erik")
    (end,) = [
        b
        for row in digest.card.blocks
        if isinstance(row, Buttons)
        for b in row.buttons
        if b.action_id == "stall.unpair" and b.value == str(n)
    ]
    asked = await year["Anna"].click(end.action_id, end.value, on=digest)
    assert [m.kind for m in asked] == ["matching/unpair_confirm"], texts(asked)
    assert asked[0].text.startswith(say["unpair_asked"].format(n=n)), asked[0].text
    assert (await _pair_status(year, n))[0] == PairStatus.ANNOUNCED  # nothing done yet
    assert year["Erik"].inbox() == [] and year["Hanna"].inbox() == []
    no = [b for row in asked[0].card.blocks if isinstance(row, Buttons) for b in row.buttons][1]
    assert no.action_id == "confirm.cancel"
    assert say["kept"] in texts(await year["Anna"].click(no.action_id, no.value, on=asked[0]))
    assert (await _pair_status(year, n))[0] == PairStatus.ANNOUNCED
    assert year["Erik"].inbox() == [] and year["Hanna"].inbox() == []
    asked = await year["Anna"].click(end.action_id, end.value, on=digest)  # asked again
    done = await year["Anna"].click("confirm.confirm", _yes(asked), on=asked[0])
    assert say["ended"] in texts(done), texts(done)
    assert await _pair_status(year, n) == (PairStatus.ENDED, say["reason"])
    for name in ("Erik", "Hanna"):
        assert say["notice"] in texts(year[name].inbox())


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
