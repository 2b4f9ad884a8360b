"""Keeping the waitlist moving:

    match unwaitlist NAME         undo `match waitlist`: back in the pool (told, if they were told)
    match unexclude ADEPT MENTOR  undo `match exclude`, or allow a pair that has been one
                                  (`unpair`, an earlier program): it may be proposed again

and the idle mentor's answer ("would you take an adept later?"). The offer
to the coordinators when a mentor's capacity frees up is `bot.matching.offers`.
"""

from __future__ import annotations

from sqlmodel import select

from bot.commands.participant import answered
from bot.commands.registry import COORDINATOR, Param, action, command
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.matching.cohort import LATER, TOLD_WAITLIST, previous_pair
from bot.people import resolve_person
from bot.programs import enrollment_of
from bot.reports.export import end_reason  # a coordinator's words as written, the bot's from labels
from bot.store.models import Enrollment, MatchAllowance, MatchExclusion, Pairing, Program, Role
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


def _between(
    model: type[MatchExclusion] | type[MatchAllowance], program: Program, adept: Enrollment, mentor: Enrollment
):
    """The program's row of `model` (an exclusion, an allowance) for this adept and mentor."""
    return select(model).where(model.program_id == program.id, model.adept_id == adept.id, model.mentor_id == mentor.id)


@command("match", "unexclude", role=COORDINATOR, params=(Param("adept", "person"), Param("mentor", "person")))
async def match_unexclude(turn: Turn, args):
    """Whatever keeps the two from being proposed together, lifted: the
    coordinator's exclusion, and the rule that a pair that has been one is
    not proposed again (an allowance, covering the pairs ended until now)."""
    program = await turn.program(args.get("program"))
    adept = await _enrollment(turn, program, str(args["adept"]), Role.ADEPT)
    mentor = await _enrollment(turn, program, str(args["mentor"]), Role.MENTOR)
    row = (await turn.session.exec(_between(MatchExclusion, program, adept, mentor))).first()
    if row is not None:
        await turn.session.delete(row)
    before = await previous_pair(turn.session, program, adept, mentor)
    allowance = (await turn.session.exec(_between(MatchAllowance, program, adept, mentor))).first()
    lifted = allowance is not None and (
        before is None
        or before.program_id != program.id
        or (
            allowance.created_at is not None and before.ended_at is not None and allowance.created_at >= before.ended_at
        )
    )
    previous = None
    if before is not None and not lifted:
        allowance = allowance or MatchAllowance(program_id=pk(program), adept_id=pk(adept), mentor_id=pk(mentor))
        allowance.added_by, allowance.created_at = turn.actor_key, turn.now
        turn.session.add(allowance)
        previous = await _previous_view(turn, program, before)
    if row is None and previous is None:
        raise UserError("matching/errors/not_excluded", adept=args["adept"], mentor=args["mentor"])
    await turn.audit(
        "match unexcluded",
        program=program,
        pair=[adept.id, mentor.id],
        excluded=row is not None,
        previous=before and before.id,
    )
    return [
        turn.say(
            "matching/unexcluded",
            adept=args["adept"],
            mentor=args["mentor"],
            excluded=row is not None,
            previous=previous,
        )
    ]


async def _previous_view(turn: Turn, program: Program, pairing: Pairing) -> dict:
    """The pair they have been, for a template: its number and why it ended
    when it was this program's, else the program it was in."""
    if pairing.program_id == program.id:
        return {"id": pairing.id, "reason": end_reason(pairing.end_reason, turn.render), "program": None}
    other = await turn.session.get(Program, pairing.program_id)
    return {"id": pairing.id, "reason": None, "program": other.name if other else None}


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
