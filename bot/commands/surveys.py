"""Surveys from the participant's side (the "Start" button, and `survey`:
the open survey's message and button again) and the coordinator's
(`survey results`): aggregates only, by the rule that every view of survey
figures follows (`bot.reports.surveys`)."""

from __future__ import annotations

from sqlmodel import select

from bot.commands.registry import COORDINATOR, Param, action, command
from bot.dialogs.entrances import start
from bot.dialogs.survey import SURVEYS, flow_name, in_a_pair
from bot.errors import stale_button
from bot.inputs import parse_int
from bot.messages import Card, Text
from bot.reminders.surveys import open_surveys, start_button
from bot.reports.surveys import MIN_GROUP, survey_figures
from bot.store.models import Enrollment, Program, SurveyResponse
from bot.store.rows import fetch, pk
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


@command("survey")
async def survey_open(turn: Turn, args):
    """The surveys waiting for the person's answer, each as its message came
    (its text and its button), for the message that scrolled away."""
    waiting = await open_surveys(turn.session, pk(turn.person), turn.now)
    if not waiting:
        return [turn.say("surveys/none_open", coordinator=await turn.coordinates())]
    replies = []
    for open_survey in waiting:
        turn.about(open_survey.program)  # the survey's language (`bot.language`), as its message had
        text = turn.render(
            "surveys/survey", program=open_survey.program, survey=open_survey.survey, role=open_survey.enrollment.role
        )
        card = Card((Text(text), start_button(turn.render, open_survey.survey, pk(open_survey.enrollment))))
        replies.append(turn.reply(text, card=card, kind="surveys/survey"))
    return replies


@command("survey", "results", role=COORDINATOR, params=(Param("survey", "choice", required=False, choices=SURVEYS),))
async def survey_results(turn: Turn, args):
    program = await turn.program(args["program"])
    shown = [args["survey"]] if args["survey"] else list(SURVEYS)
    rows = list((await turn.session.exec(select(SurveyResponse).where(SurveyResponse.program_id == program.id))).all())
    results = survey_figures(rows, shown)
    return [turn.say("surveys/results", program=program, results=results, minimum=MIN_GROUP, ephemeral=True)]
