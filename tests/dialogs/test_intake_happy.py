"""Adepts and mentors join through the real dialogues, in Swedish and English."""

from __future__ import annotations

import pytest

from bot.store.models import ReminderStatus
from tests.dialogs.conftest import COORDINATOR, make_world, text_of
from tests.dialogs.script import ADEPT, MENTOR, WORDS, asked, line, reminders, run


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param)
    world.locale = request.param
    return world


async def test_adept_happy_path_ends_active_with_answers_and_next_steps(lw):
    anna = lw.chat("Anna")
    replies = await run(anna, ADEPT, lw.locale)
    summary = text_of(replies)
    for shown in ("Knivsta kommun", "Hemtjänst Norr", "Enhetschef", "Att leda genom en omorganisation"):
        assert shown in summary
    assert "14 " + ("mån" if lw.locale == "sv" else "months") in summary
    assert await lw.enrollment("Anna") is not None and (await lw.enrollment("Anna")).answers == {}  # not before confirm

    done = await anna.say("1")  # confirm
    assert asked(done) == "dialogs/done"
    text = text_of(done)
    assert ("tisdag 19 januari kl. 09:00" if lw.locale == "sv" else "Tuesday 19 January at 09:00") in text
    assert "09:00" in text and "Stadshuset" in text

    enrollment = await lw.enrollment("Anna")
    assert enrollment.status == "active" and enrollment.consent_at is not None
    answers = enrollment.answers
    assert answers["organisation_id"] == lw.org_ids["Knivsta kommun"]
    assert answers["department"] == "Hemtjänst Norr" and answers["role_title"] == "Enhetschef"
    assert answers["months_as_manager"] == 14 and answers["years_as_manager"] == 1.2
    assert answers["topics"] == ["conflict", "budget"]
    assert answers["format"] == "mixed" and answers["place"] == "Knivsta" and answers["languages"] == ["sv"]
    assert answers["sensitive"] == ["wishes"] and answers["eligible"] is True
    assert (await lw.person("Anna")).organisation_id == lw.org_ids["Knivsta kommun"]
    # The unfinished-intake reminder was planned when she started, and called off when she finished.
    planned = await reminders(lw.db)
    assert len(planned) == 1 and planned[0].status == ReminderStatus.CANCELLED
    # Typing now is a command again, not an answer.
    assert asked(await anna.say("status")) == "commands/status"


async def test_mentor_happy_path_without_nomination_waits_for_the_coordinator(lw):
    bo = lw.chat("Bo")
    replies = await run(bo, MENTOR, lw.locale)
    assert "Karin Ek" in text_of(replies)
    done = await bo.say("1")
    assert asked(done) == "dialogs/done"
    enrollment = await lw.enrollment("Bo", "mentor")
    assert enrollment.status == "pending" and enrollment.capacity == 2
    assert enrollment.answers["pending_reasons"] == ["nomination"]
    assert enrollment.answers["can_attend_joint_meetings"] is True
    assert enrollment.answers["can_attend_training"] is True
    assert enrollment.answers["topics"] == ["staffing", "change"]
    assert enrollment.answers["languages"] == ["sv", "en"]
    assert enrollment.answers["years_as_manager"] == 12 and enrollment.answers["months_as_manager"] == 144
    told = lw.chat(COORDINATOR).inbox()
    assert [m.kind for m in told] == ["dialogs/coordinator_pending"]
    assert (
        "Bo" in told[0].text
        and "Karin Ek" in told[0].text
        # In the coordinator's own language (the installation's, Swedish), whatever the program's.
        and 'godkänn-deltagare "Bo"' in told[0].text
    )


async def test_mentor_capacity_is_bounded_by_the_program(lw):
    bo = lw.chat("Bo")
    await run(bo, MENTOR, lw.locale, upto=7)  # now asked for capacity
    too_many = await bo.say("4")
    assert asked(too_many) == "dialogs/ask/capacity" and "1" in too_many[-1].text and "3" in too_many[-1].text
    assert asked(await bo.say("3")) == "dialogs/ask/joint_meetings"


async def test_a_digital_meeting_skips_the_place_question(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale, upto=9)  # asked for the format
    assert asked(await anna.say("2")) == "dialogs/ask/languages"
    assert asked(await anna.say(line("1", lw.locale))) == "dialogs/ask/summary"
    await anna.say("1")
    answers = (await lw.enrollment("Anna")).answers
    assert answers["format"] == "digital" and "place" not in answers


async def test_the_swedish_command_word_starts_it_too(world):
    replies = await world.chat("Anna").say("gå-med")
    assert asked(replies) == "dialogs/ask/consent_adept"
    assert WORDS["sv"]["yes"] in replies[-1].text


async def test_a_dilemma_typed_in_paragraphs_keeps_them(lw):
    """Wishes and dilemmas are several sentences, often paragraphs (Shift+Enter
    in Slack and Teams): they are kept as typed, each line tidied and the
    blank lines between paragraphs made one. They were run into one line."""
    typed = "  Första   stycket: en omorganisation.  \n\n\n\n  Andra stycket,\n  på två rader.  \n"
    script = [(typed, step) if step == "dialogs/ask/wishes_with_mentor" else (t, step) for t, step in ADEPT]
    anna = lw.chat("Anna")
    await run(anna, script, lw.locale)
    await anna.say("1")  # confirm
    answers = (await lw.enrollment("Anna")).answers
    assert answers["wishes"] == "Första stycket: en omorganisation.\n\nAndra stycket,\npå två rader."
