"""Surveys from the participant's side (the "Start" button) and the
coordinator's (`survey results`): aggregates only, and only for groups of at
least three answers; free-text answers are shown without names, in an
order that says nothing about who wrote them."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.commands.registry import COORDINATOR, Param, action, command
from bot.dialogs.entrances import start
from bot.dialogs.survey import QUESTIONS, SURVEYS, flow_name
from bot.errors import stale_button
from bot.store.models import Enrollment, Program, SurveyResponse
from bot.store.rows import fetch
from bot.turn import Turn

MIN_GROUP = 3  # fewer answers than this could point at a person


@action("survey.start")
async def survey_start(turn: Turn):
    survey, _, ref = (turn.inbound.value or "").partition(":")
    enrollment = await turn.session.get(Enrollment, int(ref)) if ref.isdigit() else None
    if survey not in SURVEYS or enrollment is None or enrollment.person_id != turn.person.id:
        raise stale_button()
    program = await fetch(turn.session, Program, enrollment.program_id)
    turn.about(program)  # the survey's card was about it: so is the answer (`bot.language`)
    done = (
        await turn.session.exec(
            select(SurveyResponse.id).where(
                SurveyResponse.program_id == program.id,
                SurveyResponse.person_id == turn.person.id,
                SurveyResponse.survey == survey,
            )
        )
    ).first()
    if done is not None:
        return [turn.say("surveys/already_answered", program=program)]
    return await start(turn, flow_name(survey, enrollment.role), program, enrollment)


def aggregate(rows: list[SurveyResponse], survey: str, role: str) -> dict:
    """Averages per question and the free text, or only the count below MIN_GROUP."""
    answers = [r.answers for r in rows if r.answers.get("role") == role]
    group: dict[str, Any] = {
        "role": role,
        "count": len(answers),
        "shown": len(answers) >= MIN_GROUP,
        "questions": [],
        "comments": [],
    }
    if not group["shown"]:
        return group
    for name in QUESTIONS[(survey, role)]:
        values = [a[name] for a in answers if isinstance(a.get(name), int)]
        group["questions"].append(
            {"name": name, "count": len(values), "average": round(sum(values) / len(values), 1) if values else None}
        )
    group["comments"] = sorted(a["comment"] for a in answers if a.get("comment"))
    return group


@command("survey", "results", role=COORDINATOR, params=(Param("survey", "choice", required=False, choices=SURVEYS),))
async def survey_results(turn: Turn, args):
    program = await turn.program(args["program"])
    shown = [args["survey"]] if args["survey"] else list(SURVEYS)
    rows = list((await turn.session.exec(select(SurveyResponse).where(SurveyResponse.program_id == program.id))).all())
    results = [
        {
            "survey": s,
            "groups": [aggregate([r for r in rows if r.survey == s], s, role) for role in ("adept", "mentor")],
        }
        for s in shown
    ]
    return [turn.say("surveys/results", program=program, results=results, minimum=MIN_GROUP, ephemeral=True)]
