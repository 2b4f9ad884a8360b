"""A date may be typed as a word, in either language: `idag`/`i dag`/`today`,
`igår`/`i går`/`yesterday`, `imorgon`/`i morgon`/`tomorrow`, counted from the
injected clock's day in the program's time zone (never the machine's day,
nor UTC's). Each command's own rule (no meeting in the future, no event or
pause in the past) applies to the day the word names; the help and the
answer to a date that cannot be read name the words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.store.models import Enrollment, Meeting, ProgramEvent
from tests.core.cockpit import paired_world
from tests.core.harness import texts

WORDS = {
    "sv": {"met": "träffats", "pause": "pausa till", "yesterday": "igår", "today": "i dag", "tomorrow": "i morgon"},
    "en": {"met": "met", "pause": "pause until", "yesterday": "yesterday", "today": "today", "tomorrow": "tomorrow"},
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await paired_world(sqlite_db, clock, request.param)  # Cecilia and Frida, announced on 4 January
    # 7 January 23:30 UTC is 8 January 00:30 in Stockholm, the program's zone: today is the 8th.
    clock.advance(timedelta(days=3, hours=15, minutes=30))
    w.words = WORDS[request.param]
    return w


async def _meetings(db) -> list[date]:
    async with db.read() as s:
        return sorted(m.held_on for m in (await s.exec(select(Meeting))).all())


async def test_a_meeting_is_logged_yesterday_or_today_and_not_tomorrow(world, sqlite_db):
    cecilia, w = world["Cecilia"], world.words
    await cecilia.say(f"{w['met']} {w['yesterday']} 60")
    await cecilia.say(f"{w['met']} {w['today'].upper()}")  # as typed, in capitals too
    assert await _meetings(sqlite_db) == [date(2027, 1, 7), date(2027, 1, 8)]
    (refused,) = await cecilia.say(f"{w['met']} {w['tomorrow']} 90")
    assert refused.kind == "nudges/future_date", refused.text
    assert await _meetings(sqlite_db) == [date(2027, 1, 7), date(2027, 1, 8)]


async def test_both_languages_words_work_in_either_language(world, sqlite_db):
    await world["Cecilia"].say("met imorgon")
    await world["Cecilia"].say("träffats yesterday 45")
    await world["Cecilia"].say("met i går")
    assert await _meetings(sqlite_db) == [date(2027, 1, 7)]


async def test_a_pause_and_an_event_keep_their_rules(world, sqlite_db):
    cecilia, anna, w = world["Cecilia"], world["Anna"], world.words
    (refused,) = await cecilia.say(f"{w['pause']} {w['today']}")
    assert refused.kind == "errors/pause_in_past", refused.text
    (paused,) = await cecilia.say(f"{w['pause']} {w['tomorrow']}")
    assert paused.kind == "commands/paused", paused.text
    async with sqlite_db.read() as s:
        paused_until = {e.paused_until for e in (await s.exec(select(Enrollment))).all()}
    assert date(2027, 1, 9) in paused_until

    (refused,) = await anna.say(f"event add inspiration {w['yesterday']} 10:00")
    assert refused.kind == "errors/event_in_past", refused.text
    await anna.say(f'event add inspiration {w["today"]} 18:00 place="Sal 2" confirm=yes')
    async with sqlite_db.read() as s:
        events = (await s.exec(select(ProgramEvent).where(ProgramEvent.place == "Sal 2"))).all()
    assert [e.starts_at.date() for e in events] == [date(2027, 1, 8)]  # 18:00 in Stockholm is 17:00 UTC


async def test_the_help_and_an_unreadable_date_name_the_words(world):
    cecilia, w = world["Cecilia"], world.words
    (wrong,) = await cecilia.say(f"{w['met']} someday")
    assert wrong.kind == "errors/bad_date"
    for word in ("yesterday", "today", "tomorrow"):
        assert w[word].replace("igår", "i går") in wrong.text, wrong.text
    assert w["yesterday"].replace("igår", "i går") in texts(await cecilia.say(f"help {w['met']}"))
