"""The mentor intake's questions about the program's meetings (the joint
meetings, the coaching-skills session) list the program's own events with
their dates, in the reader's language and naming the program's time zone
when the reader lives in another; without dated events they keep the
general words. Swedish and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.store.models import Person, ProgramEvent
from tests.dialogs.conftest import make_world
from tests.dialogs.script import MENTOR, asked, run

SAY = {
    "sv": {
        "kickoff": "Uppstartsmöte: 19 jan. 2027 kl. 09:00",
        "inspiration": "Inspirationsträff: 12 maj 2027 kl. 13:00",
        "undated": "Inget datum än: avslutning.",
        "training": "(2 feb. 2027 kl. 09:00, Knivsta)",
        "zone": "kl. 09:00 (centraleuropeisk normaltid)",
        "general": "Programmet har tre gemensamma träffar: uppstart, inspirationsträff och avslutning.",
        "left": "som är kvar har inget datum än: inspirationsträff, avslutning.",
        "training_label": "Utbildning i coachande förhållningssätt",
    },
    "en": {
        "kickoff": "Kickoff: 19 Jan 2027 at 09:00",
        "inspiration": "Inspiration meeting: 12 May 2027 at 13:00",
        "undated": "Not dated yet: closing event.",
        "training": "(2 Feb 2027 at 09:00, Knivsta)",
        "zone": "at 09:00 (Central European Standard Time)",
        "general": "The program has three joint meetings: the kickoff, the inspiration meeting and the closing.",
        "left": "still to come have no date yet: inspiration meeting, closing event.",
        "training_label": "Coaching session",
    },
}


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    """The world's program has a kickoff on 19 January, 09:00 in Stockholm, at Stadshuset."""
    world = await make_world(sqlite_db, clock, locale=request.param)
    world.locale, world.say = request.param, SAY[request.param]
    return world


async def add_events(world, *events: ProgramEvent) -> None:
    async with world.db.write() as s:
        for event in events:
            event.program_id = world.program_id
            s.add(event)


async def test_the_joint_meetings_question_lists_the_programs_own_dates(lw):
    await add_events(
        lw,
        ProgramEvent(kind="inspiration", starts_at=datetime(2027, 5, 12, 11, 0, tzinfo=UTC)),  # 13:00 in Stockholm
        ProgramEvent(kind="closing", starts_at=datetime(2027, 12, 8, 14, 0, tzinfo=UTC), cancelled=True),
        ProgramEvent(kind="mentor_training", starts_at=datetime(2027, 2, 2, 8, 0, tzinfo=UTC), place="Knivsta"),
    )
    bo = lw.chat("Bo")
    question = (await run(bo, MENTOR, lw.locale, upto=8))[-1]
    assert question.kind == "dialogs/ask/joint_meetings"
    for said in (lw.say["kickoff"], "Stadshuset", lw.say["inspiration"], lw.say["undated"]):
        assert said in question.text, (said, question.text)
    assert lw.say["general"] not in question.text
    training = (await bo.say("1"))[-1]
    assert asked([training]) == "dialogs/ask/training" and lw.say["training"] in training.text


async def test_the_dates_name_the_programs_time_zone_for_a_reader_in_another(lw):
    bo = lw.chat("Bo")
    await run(bo, MENTOR, lw.locale, upto=7)  # asked for the capacity
    async with lw.db.write() as s:
        person = (await s.exec(select(Person).where(Person.name == "Bo"))).one()
        person.timezone = "Europe/London"
        s.add(person)
    question = (await bo.say("2"))[-1]
    assert asked([question]) == "dialogs/ask/joint_meetings" and lw.say["zone"] in question.text


async def test_without_dated_meetings_the_question_keeps_its_general_words(lw):
    async with lw.db.write() as s:
        for event in (await s.exec(select(ProgramEvent))).all():
            event.cancelled = True
            s.add(event)
    question = (await run(lw.chat("Bo"), MENTOR, lw.locale, upto=8))[-1]
    assert lw.say["general"] in question.text


async def test_a_meeting_that_has_been_is_not_asked_about(lw, clock):
    clock.advance(timedelta(days=20))  # the kickoff on 19 January is over
    question = (await run(lw.chat("Bo"), MENTOR, lw.locale, upto=8))[-1]
    assert lw.say["left"] in question.text and "Stadshuset" not in question.text


async def test_a_mentor_who_joins_after_the_coaching_session_is_not_asked_about_it(lw, clock):
    """The coaching session on 2 February is over when Bo joins in April: the
    joint meetings still ahead are asked about, the session is not (it was
    asked without a date), and the summary has no answer about it."""
    await add_events(
        lw,
        ProgramEvent(kind="mentor_training", starts_at=datetime(2027, 2, 2, 8, 0, tzinfo=UTC), place="Knivsta"),
        ProgramEvent(kind="inspiration", starts_at=datetime(2027, 5, 12, 11, 0, tzinfo=UTC)),
    )
    clock.set(datetime(2027, 4, 6, 9, 0, tzinfo=UTC))
    bo = lw.chat("Bo")
    joint = (await run(bo, MENTOR, lw.locale, upto=8))[-1]
    assert lw.say["inspiration"] in joint.text
    after = await bo.say("1")
    assert asked(after) == "dialogs/ask/format", [r.text for r in after]
    summary = (await run(bo, MENTOR[10:], lw.locale))[-1]  # format, place, languages: the summary
    assert lw.say["training_label"] not in summary.text


@pytest.mark.parametrize("today, year_said", [(datetime(2026, 12, 20, 9, 0, tzinfo=UTC), True), (None, False)])
async def test_the_kickoff_in_the_last_answer_has_its_year_when_it_is_not_this_one(lw, clock, today, year_said):
    """Signed up in December, the kickoff on 19 January is next year's, and
    the last answer says so; in January the year goes without saying."""
    from tests.dialogs.script import ADEPT

    if today is not None:
        clock.set(today)
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    done = (await anna.say("1"))[-1]
    assert asked([done]) == "dialogs/done"
    day = {"sv": "tisdag 19 januari", "en": "Tuesday 19 January"}[lw.locale]
    assert (f"{day} 2027" in done.text) is year_said and day in done.text, done.text


@pytest.mark.parametrize("can_come", [True, False])
async def test_the_last_answer_gives_the_coaching_sessions_date_only_to_a_mentor_who_can_come(lw, can_come):
    """Bo said whether he can come to the coaching session on 2 February; the
    sign-up confirmation repeats its date only when he said he can."""
    await add_events(
        lw, ProgramEvent(kind="mentor_training", starts_at=datetime(2027, 2, 2, 8, 0, tzinfo=UTC), place="Knivsta")
    )
    bo = lw.chat("Bo")
    await run(bo, MENTOR[:9], lw.locale)  # asked about the coaching session
    script = [("1" if can_come else "2", "dialogs/ask/format"), *MENTOR[10:]]
    await run(bo, script, lw.locale)
    done = (await bo.say("1"))[-1]
    assert asked([done]) == "dialogs/done"
    day = {"sv": "tisdag 2 februari", "en": "Tuesday 2 February"}[lw.locale]
    assert (day in done.text) is can_come, done.text
