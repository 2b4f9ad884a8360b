"""A program's lifecycle in chat (see `bot.lifecycle`):

program use NAME          the program this coordinator's commands mean
program open [NAME]       draft -> active
program close [NAME] [force=yes]   asks to confirm; -> closed
program archive NAME      closed -> archived
program new-cohort FROM NAME start=DATE
                          a draft copying FROM's settings, organisations and
                          calendar (shifted to the new dates); FROM's mentors
                          are invited to stay on when it opens
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from sqlmodel import col, select

from bot import lifecycle, plan
from bot.commands.participant import answered, confirm_card
from bot.commands.registry import COORDINATOR, Param, action, command
from bot.dialogs.entrances import end_sign_ups
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.messages import Button, Buttons, Card, Text
from bot.programs import enrollments, events, first_event, has_run, local_moment, slugify, whole_weeks, zone
from bot.reminders.calendar import ProgramCalendar
from bot.reminders.closeout import closeout_moment
from bot.roster import enrollment_names
from bot.store.models import (
    EndReason,
    Enrollment,
    EnrollmentStatus,
    Pairing,
    PairStatus,
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
    turn.person.coordinating_program_id = program.id
    turn.session.add(turn.person)
    return [turn.say("lifecycle/using", program=program)]


def _require(program: Program, *allowed: str) -> None:
    if program.status not in allowed:
        raise UserError("lifecycle/wrong_status", program=program, status=program.status, allowed=list(allowed))


@command("program", "open", role=COORDINATOR, params=(NAMED,))
async def program_open(turn: Turn, args):
    program = await turn.program(args["program"])
    _require(program, lifecycle.DRAFT)
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
    return [
        turn.say("lifecycle/cohort_created", program=cohort, source=source, events=copied, mentors=mentors, weeks=weeks)
    ]


async def awaiting_closeout(session, program: Program) -> list[Pairing]:
    """Pairs still running: the close-out has not settled them yet."""
    return list(
        (
            await session.exec(
                select(Pairing).where(Pairing.program_id == program.id, Pairing.status == PairStatus.ANNOUNCED)
            )
        ).all()
    )


@command(
    "program",
    "close",
    role=COORDINATOR,
    params=(
        NAMED,
        Param("force", "choice", named=True, required=False, choices=("yes", "no")),
    ),
)
async def program_close(turn: Turn, args):
    program = await turn.program(args["program"])
    _require(program, lifecycle.ACTIVE, lifecycle.CLOSING)
    waiting = await awaiting_closeout(turn.session, program)
    forced = args["force"] == "yes"
    asked = program.status == lifecycle.CLOSING  # the close-out question has gone out
    if waiting and not forced:
        if not asked:
            day, after_event = await _closeout_when(turn, program)
            raise UserError(
                "lifecycle/closeout_not_sent", program=program, count=len(waiting), day=day, after_event=after_event
            )
        raise UserError("lifecycle/pairs_waiting", program=program, count=len(waiting))
    value = f"{program.id}:{'force' if forced else 'plain'}"
    on_their_way = await _on_their_way(turn, program)
    return [
        confirm_card(
            turn,
            "lifecycle/close_confirm",
            "program.close",
            value,
            program=program,
            count=len(waiting),
            forced=forced,
            asked=asked,
            invited=on_their_way.get(EnrollmentStatus.INVITED, 0),
            onboarding=on_their_way.get(EnrollmentStatus.ONBOARDING, 0),
        )
    ]


async def _on_their_way(turn: Turn, program: Program) -> dict[str, int]:
    """How many of the program's people are invited (and have not answered)
    or in the middle of their intake: the close question names them, since
    an invitation stops holding and an intake stops with the program."""
    counts: dict[str, int] = {}
    for status in (
        await turn.session.exec(
            select(Enrollment.status).where(
                Enrollment.program_id == program.id,
                col(Enrollment.status).in_((EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING)),
            )
        )
    ).all():
        counts[status] = counts.get(status, 0) + 1
    return counts


async def _closeout_when(turn: Turn, program: Program) -> tuple[date, bool]:
    """When the close-out question goes out: its day, and whether it follows
    the closing event (else it is the end date's)."""
    due = await closeout_moment(turn.session, program)
    closing = await first_event(turn.session, program, "closing")
    return ProgramCalendar.of(program).local_day(due), closing is not None


@action("program.close.", role=COORDINATOR, name="program close")
async def program_close_answer(turn: Turn):
    ref, _, mode = (turn.inbound.value or "").partition(":")
    number = parse_int(ref, low=1)
    program = await turn.session.get(Program, number) if number is not None else None
    if program is None or program.status not in (lifecycle.ACTIVE, lifecycle.CLOSING) or mode not in ("plain", "force"):
        raise stale_button()  # closed since the question (or a forged value)
    turn.about(program, working=True)  # the answer in the question's language: the coordinator's own
    if turn.inbound.action_id != "program.close.confirm":
        return answered(turn, "lifecycle/close_kept", program=program)
    waiting = await awaiting_closeout(turn.session, program)
    if waiting and mode != "force":  # a pair was announced since the question
        if program.status != lifecycle.CLOSING:
            day, after_event = await _closeout_when(turn, program)
            raise UserError(
                "lifecycle/closeout_not_sent", program=program, count=len(waiting), day=day, after_event=after_event
            )
        raise UserError("lifecycle/pairs_waiting", program=program, count=len(waiting))
    for pairing in waiting:
        pairing.status, pairing.ended_at, pairing.end_reason = PairStatus.COMPLETED, turn.now, EndReason.PROGRAM_CLOSED
        turn.session.add(pairing)
    ran = await has_run(turn.session, program, turn.now)  # else no year to thank anyone for
    program.status, program.closed_at = lifecycle.CLOSED, turn.now
    turn.session.add(program)
    await turn.session.flush()
    await plan.program_changed(turn, program)  # a closed program's pending rows are cancelled
    await end_sign_ups(turn, program)  # no answer after the close signs anyone up
    told = await _tell_closed(turn, program, waiting, ran=ran)
    await turn.audit("program closed", program=program, forced=mode == "force", completed=len(waiting), told=told)
    return answered(turn, "lifecycle/closed", program=program, told=told, ran=ran)


async def _tell_closed(turn: Turn, program: Program, waiting: list[Pairing], *, ran: bool) -> int:
    """Each participant hears that the program has closed, in their own
    language: those in a pair that was still running (closed before the
    close-out, or before both answered it) that they may go on meeting on
    their own. Whoever the close-out already said goodbye to (every pair of
    theirs settled by it) hears nothing more. Whoever is only invited hears
    that the invitation no longer holds (its card may still be pressed: it
    is answered so). `ran`: the program got going (`has_run`); one that
    never did thanks nobody for taking part. Returns how many were told."""
    running: dict[int, list[int]] = {}  # enrollment id -> the enrollments it was still paired with
    for pairing in waiting:
        running.setdefault(pairing.adept_id, []).append(pairing.mentor_id)
        running.setdefault(pairing.mentor_id, []).append(pairing.adept_id)
    settled: set[int] = set()
    for pairing in (
        await turn.session.exec(
            select(Pairing).where(Pairing.program_id == program.id, Pairing.end_reason == EndReason.CLOSE_OUT)
        )
    ).all():
        settled.update((pairing.adept_id, pairing.mentor_id))
    names = await enrollment_names(turn.session, [e for partners in running.values() for e in partners])
    told = 0
    for enrollment in (
        await turn.session.exec(
            select(Enrollment)
            .where(Enrollment.program_id == program.id, col(Enrollment.status).in_(STILL_IN))
            .order_by(col(Enrollment.id))
        )
    ).all():
        partners = [names.get(e, "?") for e in running.get(pk(enrollment), [])]
        if pk(enrollment) in settled and not partners:
            continue  # the close-out's goodbye was theirs
        # Someone in the middle of the intake did not take part: their sign-up stops (`end_sign_ups`).
        signing_up = enrollment.status == EnrollmentStatus.ONBOARDING
        told += await turn.tell(
            enrollment.person_id,
            "lifecycle/closed_notice",
            program=program,
            partners=partners,
            ran=ran,
            signing_up=signing_up,
        )
    invited = await turn.session.exec(
        select(Enrollment.person_id)
        .where(Enrollment.program_id == program.id, Enrollment.status == EnrollmentStatus.INVITED)
        .order_by(col(Enrollment.id))
    )
    for person_id in invited.all():
        told += await turn.tell(person_id, "lifecycle/invitation_closed", program=program)
    return told


# Who is told that their program has closed: those taking part, or on their way in.
STILL_IN = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING, EnrollmentStatus.ONBOARDING)


@command("program", "archive", role=COORDINATOR, params=(Param("program", "program"),))
async def program_archive(turn: Turn, args):
    program = await turn.program(args["program"])
    _require(program, lifecycle.CLOSED)
    program.status = lifecycle.ARCHIVED
    turn.session.add(program)
    return [turn.say("lifecycle/archived_done", program=program)]
