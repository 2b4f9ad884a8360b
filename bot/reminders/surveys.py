"""When the surveys go out: the inspiration survey the first working day
after the inspiration meeting, the close-out survey (the reflection
questions) four weeks before the program ends; one reminder a week later to
whoever has not answered. Each is a message with a "Start" button that opens
the survey dialogue (bot.dialogs.survey). A survey whose day has come and
that is not answered stays open (`open_surveys`): `survey` and `home` offer
its button again, for the message that scrolled away or a console restarted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogs.survey import ABOUT_THE_PAIR, SURVEYS, paired
from bot.lifecycle import RUNNING
from bot.messages import Button, Buttons, Card, Text
from bot.programs import first_event, my_enrollments
from bot.reminders.calendar import ProgramCalendar
from bot.reminders.kinds import Skip, reminder_kind
from bot.reminders.store import HELD_UNTIL, Planned, T, cancel_ids, insert_if_absent, reconcile, retime, revive, run
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    Program,
    ProgramEvent,
    Reminder,
    ReminderStatus,
    SurveyResponse,
)

CLOSEOUT_BEFORE_END = timedelta(weeks=4)
REMIND_AFTER_WORKING_DAYS = 5


def survey_day(program: Program, survey: str, inspiration: ProgramEvent | None) -> date | None:
    cal = ProgramCalendar.of(program)
    if survey == "inspiration":
        if inspiration is None:
            return None
        return cal.nudge_day_on_or_after(cal.local_day(inspiration.starts_at) + timedelta(days=1))
    return cal.nudge_day_on_or_after(program.end - CLOSEOUT_BEFORE_END)


async def _active(session: AsyncSession, program: Program) -> list[Enrollment]:
    query = select(Enrollment).where(Enrollment.program_id == program.id, Enrollment.status == EnrollmentStatus.ACTIVE)
    return list((await session.exec(query)).all())


def _survey_rows(
    program: Program, survey: str, day: date, enrollments: list[Enrollment], since: datetime | None
) -> list[Planned]:
    """One survey and its reminder for each active enrollment; with `since`,
    only those due from then on."""
    cal = ProgramCalendar.of(program)
    later = cal.nudge_day_on_or_after(cal.add_working_days(day, REMIND_AFTER_WORKING_DAYS))
    rows = []
    for e in enrollments:
        if e.status != EnrollmentStatus.ACTIVE:
            continue
        for kind, on in (("survey", day), ("survey_reminder", later)):
            key = f"{kind}:{survey}:enrollment{e.id}"
            due = cal.nudge_time(on, key)
            if since is not None and due < since:
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
    return rows


async def plan_surveys(
    session: AsyncSession,
    program: Program,
    now: datetime,
    enrollments: list[Enrollment] | None = None,
    surveys: tuple[str, ...] = ("inspiration", "closeout"),
) -> int:
    """The `surveys` and their reminder for the program's active participants
    (or just `enrollments`); idempotent. Rows already planned keep their
    moment here: `replan_inspiration_survey` moves them with the meeting."""
    if program.status not in RUNNING:
        return 0
    if enrollments is None:
        enrollments = await _active(session, program)
    inspiration = await first_event(session, program, "inspiration") if "inspiration" in surveys else None
    rows = []
    for survey in surveys:
        day = survey_day(program, survey, inspiration)
        if day is None or day >= program.end:
            continue
        rows += _survey_rows(program, survey, day, enrollments, now - timedelta(minutes=5))
    return await insert_if_absent(session, rows, now)


# Survey rows by key, with their moments (built once; the keys bound at execution).
_ROWS_BY_KEY = sa.select(T.c.id, T.c.key, T.c.status, T.c.due_at).where(
    T.c.key.in_(sa.bindparam("keys", expanding=True))
)


async def replan_inspiration_survey(
    session: AsyncSession, program: Program, now: datetime, enrollments: list[Enrollment] | None = None
) -> int:
    """The inspiration survey and its reminder follow the program's first
    inspiration meeting that is not cancelled: after it was added, moved or
    removed (and at each sweep, for rows planned before a move). Rows still
    pending move to the new day (their keys stay), those of a removed
    meeting are cancelled, cancelled ones wanted again come back; rows sent
    are history, and a row held for someone unreachable stays held. The
    rows are looked up by key, for the program's `enrollments` (all of them
    by default)."""
    if enrollments is None:
        query = select(Enrollment).where(Enrollment.program_id == program.id)
        enrollments = list((await session.exec(query)).all())
    inspiration = await first_event(session, program, "inspiration")
    day = survey_day(program, "inspiration", inspiration)
    wanted = []
    if program.status in RUNNING and day is not None and day < program.end:
        wanted = _survey_rows(program, "inspiration", day, enrollments, None)
    keys = [f"{kind}:inspiration:enrollment{e.id}" for e in enrollments for kind in ("survey", "survey_reminder")]
    existing = []
    for start in range(0, len(keys), 500):
        existing += list(await run(session, _ROWS_BY_KEY, {"keys": keys[start : start + 500]}))
    soon_enough = now - timedelta(minutes=5)
    cancel, fresh, again = await reconcile(session, existing, wanted, now, insert_if=lambda p: p.due_at >= soon_enough)
    by_key = {r.key: r for r in existing}
    moved = [
        (by_key[p.key].id, p)
        for p in wanted
        if p.key in by_key
        and by_key[p.key].status == ReminderStatus.PENDING
        and by_key[p.key].due_at not in (p.due_at, HELD_UNTIL)
        and p.due_at >= soon_enough
    ]
    await cancel_ids(session, cancel)
    await revive(session, again)
    await retime(session, moved)
    return await insert_if_absent(session, fresh, now) + len(again) + len(moved)


def start_button(render, survey: str, enrollment_id: int) -> Buttons:
    """The survey's "Answer" button (answered by `bot.commands.surveys.survey_start`)."""
    return Buttons((Button("survey.start", render("surveys/button_start"), f"{survey}:{enrollment_id}", "primary"),))


# Whether the program's inspiration meeting still stands, and whether the
# person has answered the survey: columns of one statement.
_INSPIRATION_STANDS = (
    sa.exists()
    .where(
        col(ProgramEvent.program_id) == sa.bindparam("program_id"),
        col(ProgramEvent.kind) == "inspiration",
        col(ProgramEvent.cancelled).is_(False),
    )
    .label("inspiration_stands")
)


def _answered(person_id) -> sa.Label:
    return (
        sa.exists()
        .where(
            col(SurveyResponse.program_id) == sa.bindparam("program_id"),
            col(SurveyResponse.person_id) == person_id,
            col(SurveyResponse.survey) == sa.bindparam("survey"),
        )
        .label("answered")
    )


def _in_a_pair(enrollment_id) -> sa.Label:
    return sa.exists().where(paired(enrollment_id)).label("paired")


_SURVEY_STATE = sa.select(
    _INSPIRATION_STANDS, _answered(sa.bindparam("person_id")), _in_a_pair(sa.bindparam("enrollment_id"))
)
# The same with the enrollment the row is for (a survey's own row: one statement).
_ENROLLMENT_AND_SURVEY_STATE = sa.select(
    Enrollment, _INSPIRATION_STANDS, _answered(col(Enrollment.person_id)), _in_a_pair(col(Enrollment.id))
).where(col(Enrollment.id) == sa.bindparam("enrollment_id"))


def _why_not(
    enrollment: Enrollment | None, survey: str, inspiration_stands: bool, answered: bool, in_a_pair: bool
) -> str | None:
    """Why the survey is no longer for this enrollment (None: it is). A
    survey about the pair (`ABOUT_THE_PAIR`) is for someone in a pair now:
    the message is rendered from the live state when it is sent."""
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        return "no longer an active participant"
    if survey == "inspiration" and not inspiration_stands:
        return "the inspiration meeting was removed"
    if survey in ABOUT_THE_PAIR and not in_a_pair:
        return "not in a pair, and the survey is about the pair"
    return "already answered" if answered else None


async def _answerable(session, program: Program, enrollment: Enrollment | None, survey: str) -> str | None:
    """Why the survey is no longer for this enrollment (None: it is)."""
    if enrollment is None or enrollment.status != EnrollmentStatus.ACTIVE:
        return _why_not(enrollment, survey, False, False, False)
    params = {
        "program_id": program.id,
        "person_id": enrollment.person_id,
        "survey": survey,
        "enrollment_id": enrollment.id,
    }
    stands, answered, in_a_pair = (await session.exec(_SURVEY_STATE, params=params)).one()
    return _why_not(enrollment, survey, stands, answered, in_a_pair)


async def _open(session, row, program):
    survey, enrollment_id = row.context.get("survey"), row.context.get("enrollment_id")
    params = {"enrollment_id": enrollment_id, "program_id": program.id, "survey": survey}
    found = (await session.exec(_ENROLLMENT_AND_SURVEY_STATE, params=params)).first()
    enrollment, stands, answered, in_a_pair = found if found is not None else (None, False, False, False)
    why_not = _why_not(enrollment, survey, stands, answered, in_a_pair)
    if why_not is not None or enrollment is None:
        return Skip(why_not or "no longer an active participant")
    eid = enrollment.id

    def card(render, text):
        return Card((Text(text), start_button(render, survey, eid)))

    return {"program": program, "survey": survey, "role": enrollment.role}, card


@dataclass(frozen=True)
class OpenSurvey:
    program: Program
    enrollment: Enrollment
    survey: str


async def open_surveys(session: AsyncSession, person_id: int, now: datetime) -> list[OpenSurvey]:
    """The surveys waiting for this person's answer: the survey's day has
    come (its message is due or went out, and was not cancelled), they are
    still an active participant of a running program, have not answered,
    the inspiration meeting (for its survey) still stands, and, for a survey
    about the pair, they are in one."""
    mine = [
        (e, p)
        for e, p in await my_enrollments(session, person_id)
        if e.status == EnrollmentStatus.ACTIVE and p.status in RUNNING
    ]
    keys = {f"survey:{survey}:enrollment{e.id}": (e, p, survey) for e, p in mine for survey in SURVEYS}
    if not keys:
        return []
    due = (
        await session.exec(
            select(Reminder.key).where(
                col(Reminder.key).in_(list(keys)),
                Reminder.due_at <= now,
                Reminder.status != ReminderStatus.CANCELLED,
            )
        )
    ).all()
    found = []
    for key in sorted(due, key=list(keys).index):
        enrollment, program, survey = keys[key]
        if await _answerable(session, program, enrollment, survey) is None:
            found.append(OpenSurvey(program, enrollment, survey))
    return found


@reminder_kind("survey")
async def survey(session, row, program, person):
    return await _open(session, row, program)


@reminder_kind("survey_reminder")
async def survey_reminder(session, row, program, person):
    return await _open(session, row, program)
