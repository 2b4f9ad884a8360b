"""Keeping the waitlist moving:

    match unwaitlist NAME         undo `match waitlist`: back in the pool (told, if they were told)
    match unexclude ADEPT MENTOR  undo `match exclude`: the pair may be proposed again

and the idle mentor's answer ("would you take an adept later?"). The offer
to the coordinators when a mentor's capacity frees up is `bot.matching.offers`.
"""

from __future__ import annotations

from sqlmodel import select

from bot.commands.participant import answered
from bot.commands.registry import COORDINATOR, Param, action, command
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.matching.cohort import LATER, TOLD_WAITLIST
from bot.people import resolve_person
from bot.programs import enrollment_of
from bot.store.models import Enrollment, MatchExclusion, Program, Role
from bot.store.rows import pk
from bot.turn import Turn


async def _enrollment(turn: Turn, program: Program, ref: str, role: str) -> Enrollment:
    person = await resolve_person(turn.session, ref, turn.inbound.actor, turn.now, program)
    enrollment = await enrollment_of(turn.session, program, pk(person), role)
    if enrollment is None:
        raise UserError(
            "matching/errors/not_an_adept" if role == Role.ADEPT else "matching/errors/not_a_mentor",
            name=person.name,
            program=program,
        )
    return enrollment


@command("match", "unwaitlist", role=COORDINATOR, params=(Param("person", "person"),))
async def match_unwaitlist(turn: Turn, args):
    program = await turn.program(args.get("program"))
    enrollment = await _enrollment(turn, program, str(args["person"]), Role.ADEPT)
    name = (await resolve_person(turn.session, str(args["person"]), turn.inbound.actor, turn.now, program)).name
    if not enrollment.waitlisted:
        raise UserError("matching/errors/not_waitlisted", name=name)
    # Said as it was done: someone told they are on the waitlist hears they
    # are off it; someone who was not told (the round is not announced yet) hears nothing.
    told = None
    if TOLD_WAITLIST in (enrollment.answers or {}):
        told = await turn.tell(enrollment.person_id, "matching/unwaitlisted_notice", program=program)
    enrollment.waitlisted = False
    enrollment.answers = {k: v for k, v in (enrollment.answers or {}).items() if k != TOLD_WAITLIST}
    turn.session.add(enrollment)
    await turn.audit("match unwaitlisted", program=program, adept=enrollment.id, told=bool(told))
    return [turn.say("matching/unwaitlisted", name=name, told=told)]


@command("match", "unexclude", role=COORDINATOR, params=(Param("adept", "person"), Param("mentor", "person")))
async def match_unexclude(turn: Turn, args):
    program = await turn.program(args.get("program"))
    adept = await _enrollment(turn, program, str(args["adept"]), Role.ADEPT)
    mentor = await _enrollment(turn, program, str(args["mentor"]), Role.MENTOR)
    row = (
        await turn.session.exec(
            select(MatchExclusion).where(
                MatchExclusion.program_id == program.id,
                MatchExclusion.adept_id == adept.id,
                MatchExclusion.mentor_id == mentor.id,
            )
        )
    ).first()
    if row is None:
        raise UserError("matching/errors/not_excluded", adept=args["adept"], mentor=args["mentor"])
    await turn.session.delete(row)
    await turn.audit("match unexcluded", program=program, pair=[adept.id, mentor.id])
    return [turn.say("matching/unexcluded", adept=args["adept"], mentor=args["mentor"])]


@action("idle.")
async def idle_answer(turn: Turn):
    value = turn.inbound.value or ""
    number = parse_int(value, low=1)
    enrollment = await turn.session.get(Enrollment, number) if number is not None else None
    if enrollment is None or enrollment.person_id != turn.person.id:
        raise stale_button()
    later = turn.inbound.action_id == "idle.later"
    enrollment.answers = {**(enrollment.answers or {}), LATER: later}
    turn.session.add(enrollment)
    program = await turn.session.get(Program, enrollment.program_id)
    await turn.audit("idle mentor answered", program=program, later=later)
    return answered(turn, "matching/later_yes" if later else "matching/later_no")
