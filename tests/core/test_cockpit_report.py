"""Issue 13, point 5: `report` answers with the program's figures and a
PNG chart (matplotlib, Agg) that decodes, with Swedish and English labels."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import select

from bot.i18n import render
from bot.reports.figures import Figures
from bot.store.models import Meeting, Pairing, Program, SurveyResponse
from tests.core.cockpit import announce, cockpit_world, enroll, paired_world

SAY = {
    "sv": {
        "pairs": "Par: 1 igång",
        "met": "1 av 1 (100 %)",
        "meetings": "Loggade möten: 2",
        "alias": "rapport",
        "survey": "Enkäten efter inspirationsträffen: 3 svar. Adepter (3 svar): Förväntningar 4 av 5 i snitt;",
    },
    "en": {
        "pairs": "Pairs: 1 running",
        "met": "1 of 1 (100 %)",
        "meetings": "Meetings logged: 2",
        "alias": "report",
        "survey": "The survey after the inspiration meeting: 3 answers. Mentees (3 answers): Expectations 4 of 5 on average;",
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
        for score in (3, 4, 5):
            s.add(
                SurveyResponse(
                    program_id=1,
                    person_id=1,
                    survey="inspiration",
                    answers={"role": "adept", "expectations": score, "relationship": 4, "useful": 4},
                )
            )
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


EARLY = {
    "sv": ("Loggade möten: 1 (dec. 2026: 1", "Par som har träffats de senaste 6 veckorna: 1 av 1", "möten 1"),
    "en": ("Meetings logged: 1 (Dec 2026: 1", "Pairs that met in the last 6 weeks: 1 of 1", "meetings 1"),
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_a_meeting_before_the_program_starts_counts_in_the_report_as_in_the_export(sqlite_db, clock, locale):
    """A pair announced before the start may meet before it: the report, the
    six-week share and the export count the same meetings."""
    w = await cockpit_world(sqlite_db, clock, locale)  # starts 2027-01-19; today is 2027-01-04
    await enroll(w, "Cecilia", "adept", "Täby kommun")
    await enroll(w, "Frida", "mentor", "Knivsta kommun")
    await announce(w)
    async with sqlite_db.write() as s:
        pair = (await s.exec(select(Pairing))).one()
        s.add(Meeting(pairing_id=pair.id, held_on=date(2026, 12, 28)))
    (reply,) = await w["Anna"].say("report")
    logged, met, exported = EARLY[locale]
    assert logged in reply.text and met in reply.text
    (export,) = await w["Anna"].say("export")
    assert exported in export.text


@pytest.mark.parametrize(
    "locale, adepts, mentors, pairs",
    [
        (
            "sv",
            "Adepter: 2 anmälda, 1 inbjuden",
            "Mentorer: 1 anmäld, 2 har lämnat",
            "Par: 1 igång, 1 avslutat, 2 godkända",
        ),
        (
            "en",
            "Mentees: 2 signed up, 1 invited",
            "Mentors: 1 signed up, 2 have left",
            "Pairs: 1 running, 1 ended, 2 approved",
        ),
    ],
)
def test_the_report_counts_people_and_pairs_in_the_readers_plural(locale, adepts, mentors, pairs):
    people = {("adept", "active"): 2, ("adept", "invited"): 1, ("mentor", "active"): 1, ("mentor", "left"): 2}
    data = Figures(people, {"announced": 1, "ended": 1, "approved": 2}, [], 1, 1)
    text = render(
        locale,
        "reports/report",
        program=Program(slug="p", name="P", start=date(2027, 1, 1), end=date(2027, 12, 31)),
        data=data,
    )
    for line in (adepts, mentors, pairs):
        assert line in text, (line, text)


SPREAD = {
    "sv": "Loggade möten: 5 (feb. 2027: 2, mars 2027: 0, apr. 2027: 1, maj 2027: 0, juni 2027: 2)",
    "en": "Meetings logged: 5 (Feb 2027: 2, Mar 2027: 0, Apr 2027: 1, May 2027: 0, Jun 2027: 2)",
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_the_reports_months_add_up_to_every_meeting_logged(sqlite_db, clock, locale):
    """Probe 2, item 17: the text showed the last three months only, so
    meetings in February were counted in the total and in no month. Every
    month from the first meeting on is listed, a quiet one as 0."""
    w = await cockpit_world(sqlite_db, clock, locale)  # starts 2027-01-19; today is 2027-01-04
    await enroll(w, "Cecilia", "adept", "Täby kommun")
    await enroll(w, "Frida", "mentor", "Knivsta kommun")
    await announce(w)
    async with sqlite_db.write() as s:
        pair = (await s.exec(select(Pairing))).one()
        for day in (date(2027, 2, 3), date(2027, 2, 24), date(2027, 4, 7), date(2027, 6, 2), date(2027, 6, 23)):
            s.add(Meeting(pairing_id=pair.id, held_on=day))
    clock.advance(date(2027, 6, 28) - date(2027, 1, 4))
    (reply,) = await w["Anna"].say("report")
    assert SPREAD[locale] in reply.text, reply.text


def test_the_reports_months_start_at_the_first_meeting_and_none_without_meetings():
    months = [(date(2027, m, 1), n) for m, n in ((1, 0), (2, 0), (3, 4), (4, 0))]
    assert Figures({}, {}, months, 0, 0).logged_months == months[2:]
    assert Figures({}, {}, [(date(2027, 1, 1), 0)], 0, 0).logged_months == []


async def test_the_chart_and_the_workbook_are_made_off_the_loop_and_outside_the_write_lock(
    world, sqlite_db, monkeypatch
):
    """Attack probe, item 10: 40 `report`s at once held the event loop (and
    /healthz) for half a second, the chart drawn inside the turn's write
    transaction on the loop's thread. Drawing and packing now run in a
    worker thread, in the command's prepare step, before the write lock."""
    import threading

    from bot.reports import export, figures

    seen: list[tuple[str, bool, bool]] = []

    def watched(name, real):
        def run(*args):
            seen.append((name, threading.current_thread() is threading.main_thread(), sqlite_db._write_lock.locked()))
            return real(*args)

        return run

    monkeypatch.setattr(figures, "chart_png", watched("chart", figures.chart_png))
    monkeypatch.setattr(export, "to_xlsx", watched("xlsx", export.to_xlsx))
    (reply,) = await world["Anna"].say(world.say["alias"])
    assert reply.files[0].data.startswith(b"\x89PNG")
    (exported,) = await world["Anna"].say("export")
    assert exported.files[0].filename.endswith(".xlsx")
    assert seen == [("chart", False, False), ("xlsx", False, False)]
