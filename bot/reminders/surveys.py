"""When the surveys go out: the inspiration survey the first working day
after the inspiration meeting, the close-out survey (the reflection
questions) four weeks before the program ends; one reminder a week later to
whoever has not answered. Each is a message with a "Start" button that opens
the survey dialogue (bot.dialogs.survey)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.lifecycle import RUNNING
from bot.messages import Button, Buttons, Card, Text
from bot.programs import first_event
from bot.reminders.calendar import ProgramCalendar
from bot.reminders.kinds import Skip, reminder_kind
from bot.reminders.store import Planned, insert_if_absent
from bot.store.models import Enrollment, EnrollmentStatus, Program, ProgramEvent, SurveyResponse

CLOSEOUT_BEFORE_END = timedelta(weeks=4)
REMIND_AFTER_WORKING_DAYS = 5


def survey_day(program: Program, survey: str, inspiration: ProgramEvent | None) -> date | None:
    cal = ProgramCalendar.of(program)
    if survey == "inspiration":
        if inspiration is None:
            return None
        return cal.nudge_day_on_or_after(cal.local_day(inspiration.starts_at) + timedelta(days=1))
    return cal.nudge_day_on_or_after(program.end - CLOSEOUT_BEFORE_END)


async def plan_surveys(
    session: AsyncSession, program: Program, now: datetime, enrollments: list[Enrollment] | None = None
) -> int:
    """Both surveys and their reminder for the program's active participants
    (or just `enrollments`); idempotent."""
    if program.status not in RUNNING:
        return 0
    if enrollments is None:
        enrollments = list(
            (
                await session.exec(
                    select(Enrollment).where(
                        Enrollment.program_id == program.id, Enrollment.status == EnrollmentStatus.ACTIVE
                    )
                )
            ).all()
        )
    inspiration = await first_event(session, program, "inspiration")
    cal = ProgramCalendar.of(program)
    rows = []
    for survey in ("inspiration", "closeout"):
        day = survey_day(program, survey, inspiration)
        if day is None or day >= program.end:
            continue
        later = cal.nudge_day_on_or_after(cal.add_working_days(day, REMIND_AFTER_WORKING_DAYS))
        for e in enrollments:
            if e.status != EnrollmentStatus.ACTIVE:
                continue
            for kind, on in (("survey", day), ("survey_reminder", later)):
                key = f"{kind}:{survey}:enrollment{e.id}"
                due = cal.nudge_time(on, key)
                if due < now - timedelta(minutes=5):
                    continue
                rows.append(
                    Planned(
                        key=key,
                        kind=kind,
                        template=f"surveys/{kind}",
                        due_at=due,
                        subject=f"enrollment:{e.id}",
                        program_id=program.id,
                        person_id=e.person_id,
                        context={"survey": survey, "enrollment_id": e.id, "day": on.isoformat()},
                        expires_at=due + timedelta(days=5),
                    )
                )
    return await insert_if_absent(session, rows, now)


async def _open(session, row, program):
    survey, enrollment_id = row.context.get("survey"), row.context.get("enrollment_id")
    enrollment = await session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        return Skip("no longer an active participant")
    answered = (
        await session.exec(
            select(SurveyResponse.id).where(
                SurveyResponse.program_id == program.id,
                SurveyResponse.person_id == enrollment.person_id,
                SurveyResponse.survey == survey,
            )
        )
    ).first()
    if answered is not None:
        return Skip("already answered")
    value = f"{survey}:{enrollment.id}"

    def card(render, text):
        return Card((Text(text), Buttons((Button("survey.start", render("surveys/button_start"), value, "primary"),))))

    return {"program": program, "survey": survey, "role": enrollment.role}, card


@reminder_kind("survey")
async def survey(session, row, program, person):
    return await _open(session, row, program)


@reminder_kind("survey_reminder")
async def survey_reminder(session, row, program, person):
    return await _open(session, row, program)
