"""Surveys in chat: sent the working day after the inspiration meeting,
answered as a dialogue, stored in `survey_response`, reminded once; the
coordinator sees averages only for groups of at least three, and free text
without names. Swedish and English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.messages import Buttons
from bot.store.models import AuditLog, SurveyResponse
from tests.core.harness import texts
from tests.life.helpers import Year

SAY = {
    "sv": {
        "asked": "Efter inspirationsträffen",
        "thanks": "Tack för dina svar",
        "too_few": "För få för att visa",
        "avg": "Förväntningar: 4 av 5",
        "reminder": "En påminnelse",
        "already": "Du har redan svarat",
    },
    "en": {
        "asked": "After the inspiration meeting",
        "thanks": "Thank you for your answers",
        "too_few": "Too few to show",
        "avg": "Expectations: 4 of 5",
        "reminder": "A reminder",
        "already": "You have already answered",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    await y.start()
    await y["Anna"].say('event add inspiration 2027-05-12 13:00 place="Täby kulturhus"')
    y.say = SAY[request.param]
    return y


def _start_value(year: Year, name: str) -> str:
    message = next(m for at, to, m in year.sent.log if to.user == name.lower() and m.kind == "surveys/survey")
    return next(b for block in message.card.blocks if isinstance(block, Buttons) for b in block.buttons).value


async def _answer(year: Year, name: str, scores: tuple[int, int, int], comment: str | None) -> list:
    chat = year[name]
    await chat.click("survey.start", _start_value(year, name))
    for score in scores:
        await chat.say(str(score))
    await chat.say(comment or ("hoppa över" if year.locale == "sv" else "skip"))
    return await chat.say("1")  # confirm the summary


async def test_help_in_a_survey_says_how_to_answer_stop_and_carry_on(year):
    await year.run_until(date(2027, 5, 14))
    chat = year["Cecilia"]
    first = await chat.click("survey.start", _start_value(year, "Cecilia"))
    help_, again = await chat.say("hjälp" if year.locale == "sv" else "help")
    assert help_.kind == "dialogs/help" and again.kind == first[-1].kind
    said = {
        "sv": ["nummer (1–5)", "`avbryt` – avsluta enkäten", "trycker på *Svara*"],
        "en": ["number (1–5)", "`cancel` – stop the survey", "press *Answer*"],
    }
    for fragment in said[year.locale]:
        assert fragment in help_.text, (fragment, help_.text)
    assert ("`gå med`" if year.locale == "sv" else "`join`") not in help_.text  # that is the sign-up's way back


async def test_survey_after_the_inspiration_meeting_and_aggregates_from_three(year):
    await year.run_until(date(2027, 5, 14))
    got = {to.user: (at, m) for at, to, m in year.sent.log if m.kind == "surveys/survey"}
    assert set(got) == {"cecilia", "david", "erik", "frida", "gustav", "hanna"}
    assert all(year.clock.now().date() >= at.date() == date(2027, 5, 13) for at, _ in got.values())
    assert year.say["asked"] in got["cecilia"][1].text

    answers = {
        "Cecilia": ((4, 5, 3), "Bra samtal om budget"),
        "David": ((5, 4, 4), None),
        "Erik": ((3, 4, 5), "Svårt att hitta tider"),
        "Frida": ((5, 5, 5), "Givande"),
        "Gustav": ((2, 3, 4), None),
    }
    for name, (scores, comment) in answers.items():
        assert year.say["thanks"] in texts(await _answer(year, name, scores, comment))
    again = await year["Cecilia"].click("survey.start", _start_value(year, "Cecilia"))
    assert year.say["already"] in texts(again)

    async with year.db.read() as s:
        rows = (await s.exec(select(SurveyResponse))).all()
        audit = [a.detail for a in (await s.exec(select(AuditLog).where(AuditLog.action == "survey answered"))).all()]
    assert len(rows) == 5 and {r.survey for r in rows} == {"inspiration"}
    assert "Givande" not in str(audit)  # the log says that someone answered, never what

    results = texts(await year["Anna"].say("survey results inspiration"))
    assert year.say["avg"] in results  # adepts: (4 + 5 + 3) / 3
    assert year.say["too_few"] in results  # mentors: two answers are not shown
    assert "Bra samtal om budget" in results and "Givande" not in results
    for name in ("Cecilia", "David", "Erik", "Frida", "Gustav"):
        assert name not in results

    # One reminder, to the one who has not answered, a week later.
    await year.run_until(date(2027, 5, 24))
    reminded = {to.user for _, to, m in year.sent.log if m.kind == "surveys/survey_reminder"}
    assert reminded == {"hanna"}
    await year.run_until(date(2027, 6, 30))
    assert len([1 for _, to, m in year.sent.log if m.kind == "surveys/survey_reminder"]) == 1


async def test_a_survey_answer_does_not_read_the_programs_organisations(year):
    """The organisations are for the intake's choice; a survey's turns skip that read."""
    from tests.dialogs.test_statements import counted

    await year.run_until(date(2027, 5, 14))
    chat = year["Cecilia"]
    with counted() as seen:
        await chat.click("survey.start", _start_value(year, "Cecilia"))
        for score in (4, 5, 3):
            await chat.say(str(score))
    assert seen, "the survey turns issued no statements at all"
    assert not [s for s in seen if "organisation" in s.lower()], seen


REPORT = {
    "sv": {
        "adepts": "Adepter (3 svar): Förväntningar 4 av 5 i snitt; Samtalen i paret 4,3 av 5 i snitt; Nytta i arbetet 4 av 5 i snitt.",
        "mentors": "Mentorer (2 svar): för få för att visa (minst 3)",
        "hidden": ("Eget lärande", "4,5", "4,2"),
    },
    "en": {
        "adepts": "Mentees (3 answers): Expectations 4 of 5 on average; Conversations in the pair 4.3 of 5 on average; "
        "Use at work 4 of 5 on average.",
        "mentors": "Mentors (2 answers): too few to show (at least 3)",
        "hidden": ("Own learning", "4.5", "4.2"),
    },
}


async def test_the_report_shows_survey_figures_by_the_rule_survey_results_follows(year):
    """Three mentees and two mentors answered: the report, like `survey
    results`, shows the mentees' averages and only the mentors' count (the
    mentors' own question, or an average over both roles, would show what
    two people said), with the questions' words rather than field names."""
    await year.run_until(date(2027, 5, 14))
    answers = {
        "Cecilia": (4, 5, 3),
        "David": (5, 4, 4),
        "Erik": (3, 4, 5),
        "Frida": (5, 5, 5),
        "Gustav": (4, 3, 4),
    }
    for name, scores in answers.items():
        await _answer(year, name, scores, None)
    report = texts(await year["Anna"].say("rapport" if year.locale == "sv" else "report"))
    say = REPORT[year.locale]
    assert say["adepts"] in report, report
    assert say["mentors"] in report, report
    for figure in (*say["hidden"], "own_growth", "expectations", "inspiration”", 'inspiration"'):
        assert figure not in report, (figure, report)
    results = texts(await year["Anna"].say("survey results inspiration"))
    assert year.say["too_few"] in results and ("Eget lärande" if year.locale == "sv" else "Own learning") not in results
