"""`match waitlist` right after a draft proposed a mentor for the adept
(trial 2, finding 11): the adept is not told at once that no mentor fits
(the draft said otherwise); they hear it when a round is announced without
them, and `match unwaitlist` before that sends them nothing either."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Enrollment, Pairing, Person
from tests.core.harness import enroll
from tests.life.helpers import Year


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    await y.start()  # three pairs, announced: the program has presented its pairs
    # A late adept and a late mentor who fit each other.
    await enroll(sqlite_db, clock, 1, "Nora", "adept", "Täby kommun", ["budget"])
    await enroll(sqlite_db, clock, 1, "Karin", "mentor", "Knivsta kommun", ["budget"])
    await y["Nora"].say("help")  # reachable
    y["Nora"].inbox()
    return y


async def test_waitlisting_an_adept_the_draft_proposed_tells_them_nothing_yet(year):
    anna = year["Anna"]
    await anna.say("match")
    async with year.db.read() as s:
        drafts = (
            await s.exec(
                select(Person.name)
                .join(Enrollment, Enrollment.person_id == Person.id)
                .join(Pairing, Pairing.adept_id == Enrollment.id)
                .where(Pairing.status == "draft")
            )
        ).all()
    assert drafts == ["Nora"]  # the draft proposes Karin for her
    done = await anna.say("match waitlist Nora")
    assert done, "no answer to the coordinator"
    assert year["Nora"].inbox() == []  # not "no mentor fits you": the draft had proposed Karin
    await anna.say("match unwaitlist Nora")
    assert year["Nora"].inbox() == []  # and no "you are no longer on the waitlist" for a list she never heard of
