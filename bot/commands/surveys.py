"""Surveys from the participant's side (the "Start" button) and the
coordinator's (`survey results`): aggregates only, by the rule that every
view of survey figures follows (`bot.reports.surveys`)."""

from __future__ import annotations

from sqlmodel import select

from bot.commands.registry import COORDINATOR, Param, action, command
from bot.dialogs.entrances import start
from bot.dialogs.survey import SURVEYS, flow_name, in_a_pair
from bot.errors import stale_button
from bot.inputs import parse_int
from bot.reports.surveys import MIN_GROUP, survey_figures
from bot.store.models import Enrollment, Program, SurveyResponse
from bot.store.rows import fetch
from bot.turn import Turn


@action("survey.start")
async def survey_start(turn: Turn):
    survey, _, ref = (turn.inbound.value or "").partition(":")
    number = parse_int(ref, low=1)
    enrollment = await turn.session.get(Enrollment, number) if number is not None else None
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
    paired = await in_a_pair(turn.session, enrollment)  # the pair questions only to someone in a pair
    return await start(turn, flow_name(survey, enrollment.role, paired), program, enrollment)


@command("survey", "results", role=COORDINATOR, params=(Param("survey", "choice", required=False, choices=SURVEYS),))
async def survey_results(turn: Turn, args):
    program = await turn.program(args["program"])
    shown = [args["survey"]] if args["survey"] else list(SURVEYS)
    rows = list((await turn.session.exec(select(SurveyResponse).where(SurveyResponse.program_id == program.id))).all())
    results = survey_figures(rows, shown)
    return [turn.say("surveys/results", program=program, results=results, minimum=MIN_GROUP, ephemeral=True)]
