"""Errors name the real problem: `met` corrects the length of a logged
meeting, decimals are refused (not cut), text is capped with a message, a
wrong kind of value says which kind is expected, and the coordinator's
failure report names the message in words, not by its template key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.dialogs.steps import Invalid, NumberStep
from bot.i18n import render
from bot.store.models import Meeting
from tests.core.harness import program_world, texts
from tests.scheduler.test_nudge_actions import setup, typed

UTC = UTC


async def test_met_again_with_minutes_corrects_the_logged_length(sqlite_db, clock):
    _pairing, core = await setup(sqlite_db, clock)
    clock.set(datetime(2027, 2, 10, 10, 0, tzinfo=UTC))
    await core.handle(typed("Anna", "met 2027-02-03"))  # 90 minutes by default
    (fixed,) = await core.handle(typed("Anna", "met 2027-02-03 75"))
    assert fixed.kind == "nudges/met_corrected" and "75 minuter" in fixed.text and "90" in fixed.text
    (same,) = await core.handle(typed("Bo", "met 2027-02-03"))  # no length given: nothing to correct
    assert same.kind == "nudges/met_already" and "75 minutes" in same.text
    async with sqlite_db.read() as s:
        (meeting,) = (await s.exec(select(Meeting))).all()
    assert meeting.minutes == 75


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_a_decimal_capacity_is_refused_not_truncated(locale):
    capacity = NumberStep("capacity", field="capacity", minimum=1, maximum=3)
    with pytest.raises(Invalid) as bad:
        capacity.parse("2,5", None, lambda n, **k: render(locale, n, **k))
    assert bad.value.template == "dialogs/invalid/number_whole"
    assert "2,5" in render(locale, bad.value.template, **bad.value.context)
    assert NumberStep("m", field="m", unit="months", maximum=600).parse("1,5 år", None, None) == 18


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    return await program_world(sqlite_db, clock, request.param)


async def test_wrong_kinds_and_lengths_say_what_is_expected(world):
    sv = world.locale == "sv"
    months = texts(await world["Anna"].say("program set adept_months=abc"))
    assert ("intervall i månader" if sv else "range of months") in months and "dagar" not in months
    capacity = texts(await world["Anna"].say("program set max_capacity=2,5"))
    assert ("inget heltal" if sv else "not a whole number") in capacity
    assert ("avrundar inte" if sv else "will not round") in capacity
    long_name = "Kommun" * 500  # within a line (4 000 characters), far over a name (200)
    capped = texts(await world["Anna"].say(f'org add "{long_name}"'))
    assert ("för långt" if sv else "too long") in capped and (
        "3\u00a0000 tecken" if sv else "3,000 characters"
    ) in capped
    shown = texts(await world["Anna"].say("program show"))
    assert long_name not in shown


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_the_failure_report_names_the_message_in_words(locale):
    text = render(
        locale,
        "scheduler/unreachable",
        who="Anna",
        what="scheduler/event_reminder",
        why="x",
        attempts=5,
        program_name="P",
    )
    assert "scheduler/" not in text and ("påminnelsen om en träff" if locale == "sv" else "event reminder") in text
