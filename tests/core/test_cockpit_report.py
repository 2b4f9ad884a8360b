"""Issue 13, point 5: `report` answers with the program's figures and a
PNG chart (matplotlib, Agg) that decodes, with Swedish and English labels."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import select

from bot.store.models import Meeting, Pairing, SurveyResponse
from tests.core.cockpit import paired_world

SAY = {
    "sv": {
        "pairs": "Par: 1 igång",
        "met": "1 av 1 (100 %)",
        "meetings": "Loggade möten: 2",
        "alias": "rapport",
        "survey": "Enkät ”midterm”: 2 svar; nytta 4,5 i snitt",
    },
    "en": {
        "pairs": "Pairs: 1 running",
        "met": "1 of 1 (100 %)",
        "meetings": "Meetings logged: 2",
        "alias": "report",
        "survey": "Survey “midterm”: 2 answers; nytta 4.5 on average",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await paired_world(sqlite_db, clock, request.param)
    clock.advance(timedelta(days=60))
    async with sqlite_db.write() as s:
        pair = (await s.exec(select(Pairing))).one()
        s.add(Meeting(pairing_id=pair.id, held_on=date(2027, 1, 25)))
        s.add(Meeting(pairing_id=pair.id, held_on=date(2027, 2, 22)))
        for score in (4, 5):
            s.add(SurveyResponse(program_id=1, person_id=1, survey="midterm", answers={"nytta": score, "text": "bra"}))
    w.say = SAY[request.param]
    return w


async def test_report_has_the_figures_and_a_png_chart(world):
    (reply,) = await world["Anna"].say(world.say["alias"])
    text = reply.text
    for fragment in ("pairs", "met", "meetings", "survey"):
        assert world.say[fragment] in text, (fragment, text)
    (png,) = reply.files
    assert png.media_type == "image/png" and png.filename.endswith(".png")
    image = Image.open(io.BytesIO(png.data))
    image.verify()
    assert image.format == "PNG" and image.size == (1000, 420)


async def test_participants_cannot_ask_for_the_report(world):
    replies = await world["Cecilia"].say("report")
    assert not any(r.files for r in replies)
