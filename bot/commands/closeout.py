"""The answers to "do you want to go on meeting on your own?" at the close-out.
Both yes: the pair is `continuing` (official nudges stop) and both get a warm
goodbye with each other's contact details. Otherwise, once one says no (or
both have answered): thanks, and the pair is `completed`."""

from __future__ import annotations

from bot import plan
from bot.addresses import address_of
from bot.commands.participant import answered
from bot.commands.registry import action
from bot.errors import stale_button
from bot.inputs import parse_int
from bot.store.models import EndReason, Enrollment, Pairing, PairStatus, Person, Program
from bot.store.rows import fetch, pk
from bot.turn import Turn


@action("continue.")
async def continue_answer(turn: Turn):
    value = turn.inbound.value or ""
    number = parse_int(value, low=1)
    pairing = await turn.session.get(Pairing, number) if number is not None else None
    if pairing is None:
        raise stale_button()
    adept = await fetch(turn.session, Enrollment, pairing.adept_id)
    mentor = await fetch(turn.session, Enrollment, pairing.mentor_id)
    if turn.person.id not in (adept.person_id, mentor.person_id):
        raise stale_button()
    if pairing.status != PairStatus.ANNOUNCED:
        return answered(turn, "closeout/already_settled", status=pairing.status)
    program = await turn.session.get(Program, pairing.program_id)
    yes = turn.inbound.action_id == "continue.yes"
    checks = dict(pairing.checks or {})
    said = {**checks.get("continue", {}), str(turn.person.id): yes}
    pairing.checks = {**checks, "continue": said}
    await turn.audit("close-out answered", program=program, pairing=pairing.id, go_on=yes)
    both = {str(adept.person_id), str(mentor.person_id)}
    if yes and not both <= set(said):
        turn.session.add(pairing)
        return answered(turn, "closeout/waiting_for_partner")
    pairing.status = PairStatus.CONTINUING if all(said.get(p) for p in both) else PairStatus.COMPLETED
    pairing.ended_at, pairing.end_reason = turn.now, EndReason.CLOSE_OUT
    turn.session.add(pairing)
    await plan.pair_changed(turn, pairing)  # no more official nudges for this pair
    people = {p: await fetch(turn.session, Person, int(p)) for p in both}
    for me, other in ((adept.person_id, mentor.person_id), (mentor.person_id, adept.person_id)):
        partner = people[str(other)]
        if pairing.status == PairStatus.CONTINUING:
            where = await address_of(turn.session, pk(partner))
            await turn.tell(
                me,
                "closeout/goodbye_continuing",
                program=program,
                partner=partner.name,
                email=partner.email,
                platform=str(where.platform) if where else None,
            )
        elif me != turn.person.id:
            await turn.tell(me, "closeout/goodbye_completed", program=program, partner=partner.name)
    if pairing.status == PairStatus.CONTINUING:
        return answered(turn, "closeout/answered")
    return answered(
        turn,
        "closeout/goodbye_completed",
        program=program,
        partner=people[str(mentor.person_id if turn.person.id == adept.person_id else adept.person_id)].name,
    )
