"""Joining a program: the `join` command, the buttons of the invitation and
nomination cards, the dialogue cards, and the coordinator's override for a
participant held as `pending` by the intake's rules."""

from __future__ import annotations

from sqlmodel import select

from bot import plan
from bot.commands.choices import choice_value
from bot.commands.participant import SIGNING_UP
from bot.commands.registry import COORDINATOR, Param, action, command
from bot.commands.which import Question, choose, none_open, not_taking_part, on_pick, open_to
from bot.dialogs import begin_intake, nomination, role_change
from bot.dialogs.entrances import continue_action
from bot.dialogs.flow import ACTION_PREFIX
from bot.errors import UserError
from bot.lifecycle import is_over
from bot.matching.offers import offer_match
from bot.messages import Outbound
from bot.people import resolve_person
from bot.programs import enrollment_of, my_enrollments
from bot.store.models import GONE, Enrollment, EnrollmentStatus, Person, Program, Role
from bot.store.rows import pk
from bot.turn import Turn

ROLES = role_change.ROLES


@command(
    "join",
    params=(
        Param("program", required=False),
        Param("role", "choice", choices=ROLES, named=True, required=False),
    ),
)
async def join(turn: Turn, args):
    program_ref, role = args["program"], args["role"]
    if program_ref and role is None and choice_value(str(program_ref), ROLES):  # `join mentor`, `join mentee`
        program_ref, role = None, choice_value(str(program_ref), ROLES)
    if program_ref:  # named: any program of that name their organisation takes part in
        program = await turn.program(program_ref)
        if taking_part := await not_taking_part(turn, program):
            # Its intake would offer only those organisations: a dead end.
            raise UserError("errors/not_for_your_organisation", program=program.name, organisations=taking_part)
        return await _join(turn, program, role)
    return await _join_one_of(turn, None, role)


@on_pick("join")
async def _join_picked(turn: Turn, program: Program, extra: str) -> list[Outbound]:
    return await _join_one_of(turn, program, choice_value(extra, ROLES) if extra else None)


async def _join_one_of(turn: Turn, ref: Program | None, role: str | None) -> list[Outbound]:
    """`join` without a program: the one active program open to the person
    that they are not already in (in that role), else asked which."""
    mine = await my_enrollments(turn.session, pk(turn.person))
    enrolled = {e.program_id: e for e, _ in mine if e.status not in GONE}
    rows = await open_to(turn, enrolled)
    if not rows:  # programs may run, for other organisations: said so (`none_open`)
        # Invited to (or signing up for) a program that has closed since: that one is named.
        closed = [p for e, p in mine if e.status in SIGNING_UP and is_over(p)]
        if closed:
            raise UserError("dialogs/program_closed", program=max(closed, key=pk).name)  # the newest
        raise await none_open(turn)
    joined = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING)
    fresh = [(e, p) for e, p in rows if e is None or e.status not in joined or (role and e.role != role)]
    chosen = await choose(
        turn,
        fresh or rows,
        ref,
        command="join",
        extra=role or "",
        args=[("role", role)] if role else [],
        joining=True,
    )
    if isinstance(chosen, Question):
        return chosen.replies
    return await _join(turn, chosen[1], role)


async def _join(turn: Turn, program: Program, role: str | None) -> list[Outbound]:
    if is_over(program):  # named: a closed program takes nobody in (its invitations stopped holding)
        raise UserError("dialogs/program_closed", program=program.name)
    turn.program_in_use = program
    # One enrollment per person and program: another role is a confirmed change.
    enrollment = await enrollment_of(turn.session, program, pk(turn.person))
    role = role or (enrollment.role if enrollment is not None else Role.ADEPT.value)
    if enrollment is not None and enrollment.role != role:
        if enrollment.status not in role_change.OVER:
            return await role_change.ask(turn, program, enrollment, role)
        role_change.retake(enrollment, role, turn.now)
    if enrollment is not None and enrollment.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING):
        return [
            turn.say(
                "dialogs/already_joined",
                program=program.name,
                role=role,
                pending=enrollment.status == EnrollmentStatus.PENDING,
            )
        ]
    if enrollment is None:
        enrollment = Enrollment(
            program_id=pk(program),
            person_id=pk(turn.person),
            role=role,
            status=EnrollmentStatus.INVITED,
            created_at=turn.now,
            updated_at=turn.now,
        )
        turn.session.add(enrollment)
        await turn.session.flush()
    elif enrollment.status in GONE:
        enrollment.status = EnrollmentStatus.INVITED
        enrollment.updated_at = turn.now
        turn.session.add(enrollment)
    return await begin_intake(turn, program, enrollment)


@command("approve-participant", role=COORDINATOR, params=(Param("person", "person"),))
async def approve_participant(turn: Turn, args):
    program = await turn.program(args["program"])
    person = (
        args["person"]
        if isinstance(args["person"], Person)
        else await resolve_person(  # the home card's button
            turn.session, str(args["person"]), turn.inbound.actor, turn.now, program
        )
    )
    query = select(Enrollment).where(
        Enrollment.program_id == program.id,
        Enrollment.person_id == person.id,
        Enrollment.status == EnrollmentStatus.PENDING,
    )
    pending = list((await turn.session.exec(query)).all())
    if not pending:
        raise UserError("dialogs/nothing_to_approve", name=person.name, program=program.name)
    for enrollment in pending:
        reasons = list(enrollment.answers.get("pending_reasons", []))
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.override_by = turn.actor_key
        enrollment.answers = {
            **enrollment.answers,
            "approved": {"by": turn.actor_key, "at": turn.now.isoformat(), "reasons": reasons},
        }
        enrollment.updated_at = turn.now
        turn.session.add(enrollment)
        await plan.person_changed(turn, enrollment)
        if enrollment.role == Role.MENTOR:
            await offer_match(turn, program)
        await turn.audit(
            "participant.approved", program=program, enrollment=enrollment.id, person=person.name, reasons=reasons
        )
        await turn.tell(
            pk(person), "dialogs/approved", program=program, program_name=program.name, role=enrollment.role
        )
    return [turn.say("dialogs/approved_ok", name=person.name, program=program.name, roles=[e.role for e in pending])]


@action("invite.join")
async def invitation_accepted(turn: Turn):
    return await nomination.join_from_card(turn, turn.inbound.value)


@action("nomination.accept")
async def nomination_accepted(turn: Turn):
    return await nomination.join_from_card(turn, turn.inbound.value, role=Role.MENTOR.value)


@action("nomination.decline")
async def nomination_declined(turn: Turn):
    return await nomination.decline(turn, turn.inbound.value)


@action(ACTION_PREFIX)
async def dialogue_card(turn: Turn):
    return await continue_action(turn)


@action("role.confirm")
@action("role.change")  # the same button on a card sent before it was a Yes/No card
async def role_change_confirmed(turn: Turn):
    return await role_change.change(turn)


@action("role.cancel")
@action("role.keep")
async def role_change_refused(turn: Turn):
    return await role_change.keep(turn)
