"""What the adept and mentor intakes share: the common questions, the
intake reminder, cancelling without a trace, and the final write.

Answers are written to `Enrollment.answers` only at the final confirm. The
keys (read by matching and by `mydata`):

| key | type | who | meaning |
|---|---|---|---|
| `organisation_id` | int | both | one of the program's organisations (also `Person.organisation_id`) |
| `department` | str | both | unit / department |
| `role_title` | str or null | adept | their role |
| `months_as_manager` | int | both | adepts answer in months; mentors get `years * 12` |
| `years_as_manager` | number | both | mentors answer in years; adepts get `months / 12`, one decimal |
| `nominator_name` | str | mentor | who nominated them, when no nomination is on record |
| `nominated_by` | int or null | mentor | the nominator's person id, from the nomination |
| `topics` | list[str] | both | topic codes (`bot.matching.topics`): wanted / offered |
| `wishes` | str or null | adept | wishes and leadership dilemmas; **sensitive** |
| `wishes_with_mentor` | bool | adept | asked after `wishes`: false = only the coordinator reads them |
| `capacity` | int | mentor | adepts they can take (also `Enrollment.capacity`) |
| `can_attend_joint_meetings` | bool | mentor | kickoff, inspiration, closing |
| `can_attend_training` | bool | mentor | the coaching-skills session |
| `format` | str | both | `in_person`, `digital` or `mixed` |
| `place` | str or null | both | where they can meet (not asked for `digital`) |
| `languages` | list[str] | both | `sv`, `en` |
| `sensitive` | list[str] | both | answer keys to show only to the coordinator and (unless `wishes_with_mentor` is false) the matched mentor |
| `eligible` | bool | both | inside the program's rules when confirmed |
| `pending_reasons` | list[str] | both | `months`, `years`, `nomination`: why a coordinator must approve |
| `completed_at` | ISO datetime | both | when they confirmed |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col

from bot import plan
from bot.coordinators import coordinator_people
from bot.dialogs.answers import sensitive_keys
from bot.dialogs.choice import ChoiceStep
from bot.dialogs.consent import after_consent, consent_declined, consent_step, record_consent
from bot.dialogs.flow import SUMMARY, Ctx, Flow, State, program_events
from bot.dialogs.steps import Step, TextStep
from bot.markup import mark
from bot.matching.offers import offer_match
from bot.messages import Option, Outbound
from bot.programs import audience_includes
from bot.store.models import EnrollmentStatus, ProgramEvent, Reminder, ReminderStatus
from bot.store.rows import pk

if TYPE_CHECKING:
    from bot.turn import Turn

FORMATS = ("in_person", "digital", "mixed")
LANGUAGES = ("sv", "en")


def _organisations(ctx: Ctx, render) -> list[Option]:
    return [Option(str(o.id), mark(o.name)) for o in ctx.organisations]


def _topics(ctx: Ctx, render) -> list[Option]:
    return [Option(code, render(f"topics/{code}")) for code in ctx.topics]


ORGANISATION = ChoiceStep("organisation", field="organisation_id", source=_organisations, int_values=True)
DEPARTMENT = TextStep("department", field="department", max_length=120)
FORMAT = ChoiceStep(
    "format",
    field="format",
    source=lambda ctx, render: [Option(f, render(f"dialogs/option/format_{f}")) for f in FORMATS],
)
PLACE = TextStep("place", field="place", skippable=True, max_length=120)
LANGUAGES_STEP = ChoiceStep(
    "languages",
    field="languages",
    multi=True,
    source=lambda ctx, render: [Option(c, render(f"dialogs/option/language_{c}")) for c in LANGUAGES],
)


def topics_step(name: str) -> ChoiceStep:
    return ChoiceStep(name, field="topics", source=_topics, multi=True)


def first_after_consent(ctx: Ctx) -> str:
    """Ask for the organisation only when the program has some to choose from."""
    return ORGANISATION.name if ctx.organisations else DEPARTMENT.name


def after_format(answers: dict, ctx: Ctx) -> str:
    return LANGUAGES_STEP.name if answers.get("format") == "digital" else PLACE.name


def to_summary(answers: dict, ctx: Ctx) -> str:
    return SUMMARY


# ------------------------------------------------------------ the reminder


def _reminder_key(ctx: Ctx) -> str:
    return f"intake:enrollment{ctx.member.id}"


async def plan_reminder(turn: Turn, ctx: Ctx, state: State) -> None:
    """One reminder if the intake is not finished (the scheduler's planner
    decides when and sends it)."""
    from bot import plan

    await plan.intake_started(turn, ctx.member)


async def cancel_reminder(turn: Turn, ctx: Ctx) -> None:
    await turn.session.exec(
        sa.update(Reminder)
        .where(col(Reminder.key) == _reminder_key(ctx), col(Reminder.status) == ReminderStatus.PENDING)
        .values(status=ReminderStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )


async def forget_progress(turn: Turn, ctx: Ctx, state: State, ended: EnrollmentStatus) -> None:
    """Cancel or refused consent: nothing of the intake is kept, and the
    reminder is called off. Someone who was not yet taking part (invited,
    or in the intake) is now `ended` (declined or cancelled), so every list
    says what happened; anyone else goes back to how they were."""
    enrollment = ctx.member
    prior = state.data.get("prior_status") or EnrollmentStatus.INVITED
    not_yet = prior in (EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING)
    enrollment.status = ended if not_yet else prior
    enrollment.consent_at = None
    enrollment.updated_at = turn.now
    turn.session.add(enrollment)
    await cancel_reminder(turn, ctx)
    await turn.audit("intake.cancelled", program=ctx.program, enrollment=enrollment.id, step=state.step)


async def cancelled(turn: Turn, ctx: Ctx, state: State) -> list[Outbound]:
    await forget_progress(turn, ctx, state, EnrollmentStatus.CANCELLED)
    return [turn.say("dialogs/cancelled", program=ctx.program.name)]


# --------------------------------------------------------------- the finish


async def complete(turn: Turn, ctx: Ctx, state: State, answers: dict, pending_reasons: list[str]) -> list[Outbound]:
    """Write the confirmed answers, activate (or hold for the coordinator),
    and tell the person what happens next."""
    enrollment, program, person = ctx.member, ctx.program, turn.person
    answers = dict(answers)
    answers["sensitive"] = sensitive_keys(answers)
    answers["eligible"] = not pending_reasons
    answers["pending_reasons"] = list(pending_reasons)
    answers["completed_at"] = turn.now.isoformat()
    enrollment.answers = answers
    if answers.get("capacity"):
        enrollment.capacity = int(answers["capacity"])
    enrollment.status = EnrollmentStatus.PENDING if pending_reasons else EnrollmentStatus.ACTIVE
    enrollment.updated_at = turn.now
    turn.session.add(enrollment)
    if answers.get("organisation_id"):
        person.organisation_id = answers["organisation_id"]
        turn.session.add(person)
    await cancel_reminder(turn, ctx)
    await plan.person_changed(turn, enrollment)  # event reminders for a late joiner, now
    if enrollment.role == "mentor" and enrollment.status == EnrollmentStatus.ACTIVE:
        await offer_match(turn, program)  # a late mentor may have room for the waitlist
    await turn.audit(
        "intake.completed",
        program=program,
        enrollment=enrollment.id,
        role=enrollment.role,
        status=enrollment.status,
        pending=pending_reasons,
    )
    if pending_reasons:
        await tell_coordinators(
            turn,
            ctx,
            "dialogs/coordinator_pending",
            reasons=pending_reasons,
            months=answers.get("months_as_manager"),
            years=answers.get("years_as_manager"),
            nominator_name=answers.get("nominator_name"),
        )
    # The kickoff while it is ahead; for someone joining later, the next
    # event of their audience, named by its own kind (not "the kickoff").
    ahead = [e for e in await program_events(turn.session, ctx) if e.starts_at >= turn.now]
    coming = _upcoming(ahead, "kickoff") or next(
        (e for e in ahead if audience_includes(e.audience, enrollment.role)), None
    )
    # The coaching session's date, for a mentor who has not said they cannot come.
    coaching = enrollment.role == "mentor" and answers.get("can_attend_training") is not False
    training = _upcoming(ahead, "mentor_training") if coaching else None
    if training is not None and coming is not None and training.id == coming.id:
        training = None  # said once, as the next event
    return [
        turn.say(
            "dialogs/done",
            role=enrollment.role,
            pending=bool(pending_reasons),
            reasons=pending_reasons,
            program=program.name,
            coming=coming.starts_at if coming else None,
            coming_kind=coming.kind if coming else None,
            coming_title=coming.title if coming else None,
            place=coming.place if coming else None,
            training=training.starts_at if training else None,
        )
    ]


def _upcoming(ahead: list[ProgramEvent], kind: str) -> ProgramEvent | None:
    """The program calendar's next event of this kind (of `ahead`: those not past, by date)."""
    return next((e for e in ahead if e.kind == kind), None)


async def tell_coordinators(turn: Turn, ctx: Ctx, template: str, /, **context) -> int:
    told = 0
    for coordinator in await coordinator_people(turn.session, turn.core.config):
        if await turn.tell(
            pk(coordinator),
            template,
            as_coordinator=True,
            program=ctx.program,
            name=turn.person.name,
            role=ctx.member.role,
            program_name=ctx.program.name,
            min_months=ctx.program.adept_min_months,
            max_months=ctx.program.adept_max_months,
            min_years=ctx.program.mentor_min_years,
            **context,
        ):
            told += 1
    return told


def intake_flow(name: str, role: str, questions: tuple[Step, ...], transitions: dict, hooks: dict, finish) -> Flow:
    """An intake dialogue: consent, organisation and unit, the role's own
    `questions` (wired by `transitions`, the last one leading to `format`),
    then the shared ending: meeting format, place, languages, summary."""
    return Flow(
        name=name,
        steps=(consent_step(role), ORGANISATION, DEPARTMENT, *questions, FORMAT, PLACE, LANGUAGES_STEP),
        transitions={
            "consent": lambda a, ctx: after_consent(first_after_consent(ctx))(a, ctx),
            "organisation": lambda a, ctx: "department",
            "department": lambda a, ctx: questions[0].name,
            **transitions,
            "format": after_format,
            "place": lambda a, ctx: "languages",
            "languages": to_summary,
        },
        hooks={"consent": record_consent, **hooks},
        finish=finish,
        cancelled=cancelled,
        declined=consent_declined,
        started=plan_reminder,
        organisation_steps=("consent", ORGANISATION.name),  # consent: whether to ask for one
    )
