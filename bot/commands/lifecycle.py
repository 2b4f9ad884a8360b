"""A program's lifecycle in chat (see `bot.lifecycle`):

program use NAME          the program this coordinator's commands mean
program open [NAME]       draft -> active
program close [NAME] [force=yes]   asks to confirm; -> closed (`bot.commands.closing`)
program archive NAME      closed -> archived
program new-cohort FROM NAME start=DATE
                          a draft copying FROM's settings, organisations and
                          calendar (shifted to the new dates); FROM's mentors
                          are invited to stay on when it opens
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlmodel import col, select

from bot import lifecycle, plan
from bot.commands.registry import COORDINATOR, Param, command
from bot.errors import UserError
from bot.messages import Button, Buttons, Card, Text
from bot.programs import enrollments, events, local_moment, slugify, whole_weeks, zone
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    Pairing,
    Program,
    ProgramEvent,
    ProgramOrganisation,
    Role,
)
from bot.store.rows import pk
from bot.turn import Turn, with_text_first

NAMED = Param("program", "program", required=False)


@command("program", "use", role=COORDINATOR, params=(Param("program", "program"),))
async def program_use(turn: Turn, args):
    program = await turn.program(args["program"])
    if program.status == lifecycle.ARCHIVED:
        raise UserError("lifecycle/archived", program=program)
    work_on(turn, program)
    return [turn.say("lifecycle/using", program=program)]


def work_on(turn: Turn, program: Program) -> None:
    """The program the coordinator's next commands work on (`program use`;
    `program create` and `program new-cohort` switch to the one they made,
    and say so with `commands/working_on`)."""
    turn.person.coordinating_program_id = pk(program)
    turn.session.add(turn.person)


def require_status(program: Program, *allowed: str) -> None:
    if program.status not in allowed:
        raise UserError("lifecycle/wrong_status", program=program, status=program.status, allowed=list(allowed))


@command("program", "open", role=COORDINATOR, params=(NAMED,))
async def program_open(turn: Turn, args):
    program = await turn.program(args["program"])
    require_status(program, lifecycle.DRAFT)
    program.status = lifecycle.ACTIVE
    turn.session.add(program)
    staying = [
        e
        for e in (
            await turn.session.exec(
                select(Enrollment).where(
                    Enrollment.program_id == program.id, Enrollment.status == EnrollmentStatus.INVITED
                )
            )
        ).all()
        if STAY_ON in (e.answers or {})
    ]
    for enrollment in staying:  # invited now: "have not answered" counts from today
        enrollment.updated_at = turn.now
        turn.session.add(enrollment)
    await turn.session.flush()
    await plan.program_changed(turn, program)
    invited = 0
    own: list = []  # the coordinator who opens it was a mentor last year: asked here, not "from" themselves
    for enrollment in staying:
        source = await turn.session.get(Program, enrollment.answers[STAY_ON])
        if enrollment.person_id == turn.person.id:
            text = turn.render("lifecycle/stay_on_self", program=program, source=source)
            card = with_text_first(stay_on_card(turn.render, enrollment=enrollment, program=program), text)
            own.append(turn.reply(text, kind="lifecycle/stay_on_self", card=card))
            continue
        invited += await turn.tell(
            enrollment.person_id,
            "lifecycle/stay_on",
            program=program,
            source=source,
            had_adept=await _had_an_adept(turn, source, enrollment.person_id),
            coordinator=turn.person.name,
            card=partial(stay_on_card, enrollment=enrollment, program=program),
        )
    return [turn.say("lifecycle/opened", program=program, invited=invited), *own]


def stay_on_card(render, enrollment: Enrollment, program: Program) -> Card:
    """A returning mentor's invitation: what a mentor's year asks of them, Yes
    (starts the intake) and No thanks (`nomination.decline`)."""
    value = str(enrollment.id)
    return Card(
        (
            Text(render("lifecycle/stay_on_card", program=program)),
            Buttons(
                (
                    Button("invite.join", render("commands/button_join"), value, "primary"),
                    Button("nomination.decline", render("commands/button_decline"), value),
                )
            ),
        )
    )


async def _had_an_adept(turn: Turn, source: Program | None, person_id: int) -> bool:
    """Whether the person was a mentor in a pair of `source` (announced, even
    if it ended): only they are thanked for their year as a mentor."""
    if source is None:
        return False
    found = (
        await turn.session.exec(
            select(Pairing.id)
            .join(Enrollment, col(Enrollment.id) == col(Pairing.mentor_id))
            .where(
                Pairing.program_id == source.id,
                Enrollment.person_id == person_id,
                col(Pairing.announced_at).is_not(None),
            )
        )
    ).first()
    return found is not None


STAY_ON = "stay_on_from"  # key in Enrollment.answers: invited to stay on from this program id
COPIED = (
    "locale",
    "timezone",
    "country",
    "nudge_min_days",
    "nudge_max_days",
    "first_nudge_days",
    "stall_days",
    "reminder_offsets",
    "quiet_periods",
    "adept_min_months",
    "adept_max_months",
    "mentor_min_years",
    "mentor_max_capacity",
    "topics",
    "match_rule",
    "names_in_channel",
    "nominators",
)


@command(
    "program",
    "new-cohort",
    role=COORDINATOR,
    params=(
        Param("source", "program"),
        Param("name", rest=True),
        Param("start", "date", named=True),
    ),
)
async def program_new_cohort(turn: Turn, args):
    source: Program = args["source"]
    name = str(args["name"]).strip()
    shift = args["start"] - source.start
    if shift.days <= 0:
        raise UserError("lifecycle/cohort_not_later", source=source, start=args["start"])
    slug = slugify(name)
    if (await turn.session.exec(select(Program).where(Program.slug == slug))).first():
        raise UserError("errors/program_exists", name=name, slug=slug)
    cohort = Program(
        slug=slug,
        name=name,
        start=args["start"],
        end=source.end + shift,
        status=lifecycle.DRAFT,
        previous_id=source.id,
        created_at=turn.now,
        **{k: getattr(source, k) for k in COPIED},
    )
    turn.session.add(cohort)
    await turn.session.flush()
    for link in (
        await turn.session.exec(select(ProgramOrganisation).where(ProgramOrganisation.program_id == source.id))
    ).all():
        turn.session.add(ProgramOrganisation(program_id=pk(cohort), organisation_id=link.organisation_id))
    copied = 0
    # Whole weeks, so a Thursday meeting stays a Thursday, at its time of day in the program's zone.
    weeks = max(1, whole_weeks(shift.days) // 7)
    for event in await events(turn.session, source):
        local = event.starts_at.astimezone(zone(source.timezone))
        turn.session.add(
            ProgramEvent(
                program_id=pk(cohort),
                kind=event.kind,
                title=event.title,
                starts_at=local_moment(cohort, local.date() + timedelta(weeks=weeks), local.time(), strict=False),
                place=event.place,
                audience=event.audience,
            )
        )
        copied += 1
    mentors = 0
    for enrollment, _person in await enrollments(turn.session, source, Role.MENTOR):
        if enrollment.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING):
            turn.session.add(
                Enrollment(
                    program_id=pk(cohort),
                    person_id=enrollment.person_id,
                    role=Role.MENTOR,
                    status=EnrollmentStatus.INVITED,
                    capacity=enrollment.capacity,
                    answers={STAY_ON: source.id},
                    created_at=turn.now,
                    updated_at=turn.now,
                )
            )
            mentors += 1
    await turn.session.flush()
    work_on(turn, cohort)  # her next commands prepare the new cohort, as after `program create`
    return [
        turn.say("lifecycle/cohort_created", program=cohort, source=source, events=copied, mentors=mentors, weeks=weeks)
    ]


@command("program", "archive", role=COORDINATOR, params=(Param("program", "program"),))
async def program_archive(turn: Turn, args):
    program = await turn.program(args["program"])
    require_status(program, lifecycle.CLOSED)
    program.status = lifecycle.ARCHIVED
    turn.session.add(program)
    return [turn.say("lifecycle/archived_done", program=program)]
