"""Outside the program's rules: told kindly, held as pending, the
coordinator told, and the coordinator may approve."""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import COORDINATOR, make_world
from tests.dialogs.script import ADEPT, MENTOR, asked, line, run


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param)
    world.locale = request.param
    return world


async def finish(chat, script, locale, start):
    for typed, _ in script[start:]:
        await chat.say(line(typed, locale))
    return await chat.say("1")


async def test_adept_too_new_is_told_kindly_and_held_for_the_coordinator(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=5)
    note = await anna.say("3")
    assert asked(note) == "dialogs/ask/topics"
    assert "6–36" in note[-1].text and "3" in note[-1].text
    done = await finish(anna, ADEPT, lw.locale, 6)
    assert asked(done) == "dialogs/done"
    assert ("samordnaren" if lw.locale == "sv" else "coordinator") in done[-1].text
    enrollment = await lw.enrollment("Anna")
    assert enrollment.status == "pending" and enrollment.answers["pending_reasons"] == ["months"]
    (told,) = lw.chat(COORDINATOR).inbox()
    assert told.kind == "dialogs/coordinator_pending" and "Anna" in told.text and "6–36" in told.text


async def test_adept_with_too_long_a_time_is_held_too(world):
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=5)
    await anna.say("5 år")
    await finish(anna, ADEPT, "sv", 6)
    assert (await world.enrollment("Anna")).status == "pending"


async def test_the_coordinator_approves_a_pending_adept(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=5)
    await anna.say("40")
    await finish(anna, ADEPT, lw.locale, 6)
    hanna = lw.chat(COORDINATOR)
    hanna.inbox()
    refused = await lw.chat("Bo").say('approve-participant "Anna"')
    assert [r.kind for r in refused] == ["errors/not_coordinator"]
    assert (await lw.enrollment("Anna")).status == "pending"

    approved = await hanna.say('approve-participant "Anna"')
    assert [r.kind for r in approved] == ["dialogs/approved_ok"] and "Anna" in approved[0].text
    enrollment = await lw.enrollment("Anna")
    assert enrollment.status == "active" and enrollment.override_by == "console:local:hanna"
    assert enrollment.answers["approved"]["reasons"] == ["months"]
    assert [m.kind for m in anna.inbox()] == ["dialogs/approved"]
    again = await hanna.say('approve-participant "Anna"')
    assert [r.kind for r in again] == ["dialogs/nothing_to_approve"]


async def test_mentor_with_too_few_years_is_held(world):
    bo = world.chat("Bo")
    await run(bo, MENTOR, "sv", upto=4)
    note = await bo.say("2")
    assert asked(note) == "dialogs/ask/nominator" and "minst 5 år" in note[-1].text
    await finish(bo, MENTOR, "sv", 5)
    enrollment = await world.enrollment("Bo", "mentor")
    assert enrollment.status == "pending" and enrollment.answers["pending_reasons"] == ["years", "nomination"]


async def test_a_program_with_its_own_rules(sqlite_db, clock):
    world = await make_world(sqlite_db, clock, adept_min_months=0, adept_max_months=12)
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv", upto=5)
    assert "0–12" in (await anna.say("14"))[-1].text


async def test_approving_a_mentor_before_the_first_match_offers_no_match(world):
    """An offer to match a freed place is for after the program's match: before
    it, the coordinator's `match` covers everyone, and each approval would
    otherwise read the whole cohort and tell the coordinators again."""
    anna = world.chat("Anna")
    await run(anna, ADEPT, "sv")
    await anna.say("1")  # confirmed: an adept waiting for a mentor
    assert (await world.enrollment("Anna")).status == "active"
    bo = world.chat("Bo")
    await run(bo, MENTOR, "sv", upto=4)
    await bo.say("2")  # too few years: held for the coordinator
    await finish(bo, MENTOR, "sv", 5)
    hanna = world.chat(COORDINATOR)
    hanna.inbox()
    approved = await hanna.say('approve-participant "Bo"')
    assert [r.kind for r in approved] == ["dialogs/approved_ok"]
    assert "matching/offer" not in [m.kind for m in hanna.inbox()]
