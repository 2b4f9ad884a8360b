"""A coordinator who also takes part. Anna coordinates and is Cecilia's
mentor; Cecilia keeps her dilemma from her mentor. Anna does not read it
(`person`, `export confidential`), and sees that it is held back and why;
another coordinator reads it. Cecilia's "not a good fit" does not reach
Anna. Making a participant a coordinator, or a coordinator joining as a
participant, says that they can read the others' answers."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from bot.store.models import Enrollment, Person
from tests.life.helpers import Year

COHORT = {
    "Cecilia": ("adept", "Täby kommun", ["conflict", "budget"]),
    "David": ("adept", "Knivsta kommun", ["staffing"]),
    "Anna": ("mentor", "Knivsta kommun", ["conflict", "budget"]),
    "Gustav": ("mentor", "Täby kommun", ["staffing"]),
}
KEPT = "Hur säger jag nej till min förvaltningschef"  # Cecilia's, kept from her mentor
SHARED = "Hur leder jag en grupp som inte vill"  # David's, kept from his mentor too
SAY = {
    "sv": {"withheld": "visas inte för dig", "warn": "läsa de andra deltagarnas personliga svar"},
    "en": {"withheld": "not shown to you", "warn": "read the other participants' personal answers"},
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    year = Year(sqlite_db, clock, request.param)
    await year.start(cohort=COHORT, announce=False)
    async with sqlite_db.write() as s:
        for name, dilemma in (("Cecilia", KEPT), ("David", SHARED)):
            enrollment = (
                await s.exec(
                    select(Enrollment).join(Person, Person.id == Enrollment.person_id).where(Person.name == name)
                )
            ).one()
            enrollment.answers = {
                **enrollment.answers,
                "wishes": dilemma,
                "wishes_with_mentor": False,
                "sensitive": ["wishes"],
            }
            s.add(enrollment)
    for line in ("match", "match approve", "match announce"):
        await year["Anna"].say(line)
    year.say = SAY[request.param]
    return year


async def _second_coordinator(year) -> None:
    await year["Zoe"].say("help")  # known to the bot
    await year["Anna"].say("coordinator add console:local:zoe")
    told = [m.kind for m in year["Zoe"].inbox()]  # she is told she coordinates now; nothing else yet
    assert told == ["commands/coordinator_you_added"], told


def _participants_csv(reply) -> str:
    file = next(f for f in reply.files if f.filename.endswith("participants.csv"))
    return "\n".join(";".join(r) for r in csv.reader(io.StringIO(file.data.decode("utf-8-sig")), delimiter=";"))


async def test_a_coordinator_does_not_read_what_their_adept_keeps_from_their_mentor(year):
    anna = year["Anna"]
    (shown,) = await anna.say("person Cecilia")
    assert KEPT not in shown.text and year.say["withheld"] in shown.text
    (other,) = await anna.say("person David")  # not her pair: she reads it as any coordinator
    assert SHARED in other.text and year.say["withheld"] not in other.text
    exported = _participants_csv((await anna.say("export confidential"))[0])
    assert KEPT not in exported and SHARED in exported and year.say["withheld"] in exported

    await _second_coordinator(year)
    zoe = year["Zoe"]
    (theirs,) = await zoe.say("person Cecilia")
    assert KEPT in theirs.text and year.say["withheld"] not in theirs.text
    exported = _participants_csv((await zoe.say("export confidential"))[0])
    assert KEPT in exported and SHARED in exported


@pytest.mark.parametrize("others", [False, True])
async def test_a_good_fit_no_does_not_reach_the_coordinator_who_is_the_partner(year, others):
    if others:
        await _second_coordinator(year)
    cecilia, anna = year["Cecilia"], year["Anna"]
    question = [m for m in await cecilia.say("met") if m.kind == "firstmeeting/fit_question"]
    anna.inbox()  # her own fit question
    (reply,) = await cecilia.choose(2, question)  # "no"
    assert [m.kind for m in anna.inbox()] == []
    if others:
        assert reply.kind == "firstmeeting/fit_sorry"
        assert [m.kind for m in year["Zoe"].inbox()] == ["firstmeeting/fit_no_notice"]
    else:  # nobody else to tell: she is told so, not that the coordinator will call
        assert reply.kind == "firstmeeting/fit_sorry_untold"


async def test_making_a_participant_a_coordinator_warns_that_they_read_the_others_answers(year):
    anna = year["Anna"]
    (made,) = await anna.say("coordinator add console:local:david")
    assert year.say["warn"] in made.text and "Mentorprogram 2027" in made.text
    await year["Ivar"].say("help")
    (plain,) = await anna.say("coordinator add console:local:ivar")  # takes part in nothing
    assert year.say["warn"] not in plain.text
    joined = await year["Ivar"].say("join role=mentor")  # a coordinator now, joining as a participant
    assert year.say["warn"] in joined[0].text
    assert year.say["warn"] not in (await year["Jonas"].say("join role=mentor"))[0].text
