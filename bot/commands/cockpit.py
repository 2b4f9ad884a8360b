"""The buttons on the coordinator's home card (`bot.commands.home`):

    cockpit.remind   a stalled pair: a friendly word to both
    cockpit.approve  a pending person: approve them (as `approve-participant`)
    cockpit.show     a person: their answers and pair (as `person`)
    cockpit.retry    an undelivered message: try again now
    cockpit.who      the next event: who is coming (as `event who`)

Every click is a coordinator action: refused and audited otherwise.
"""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import SQLModel

from bot.commands.registry import COORDINATOR, action
from bot.errors import UserError
from bot.inputs import parse_int
from bot.store.models import Enrollment, Pairing, PairStatus, Person, Program, ProgramEvent, Reminder, ReminderStatus
from bot.store.rows import fetch, pk
from bot.turn import Turn

M = TypeVar("M", bound=SQLModel)


async def _row(turn: Turn, model: type[M]) -> M:
    value = turn.inbound.value or ""
    number = parse_int(value, low=1)
    row = await turn.session.get(model, number) if number is not None else None
    if row is None:
        raise UserError("errors/stale_action")
    return row


async def _remind(turn: Turn):
    pairing = await _row(turn, Pairing)
    if pairing.status != PairStatus.ANNOUNCED:
        raise UserError("errors/stale_action")
    program = await turn.session.get(Program, pairing.program_id)
    adept, mentor = (
        await fetch(turn.session, Enrollment, pairing.adept_id),
        await fetch(turn.session, Enrollment, pairing.mentor_id),
    )
    names = {e.id: (await fetch(turn.session, Person, e.person_id)).name for e in (adept, mentor)}
    told = 0
    for me, other in ((adept, mentor), (mentor, adept)):
        told += await turn.tell(
            me.person_id,
            "home/stalled_reminder",
            program=program,
            partner=names[other.id],
            coordinator=turn.person.name,
        )
    await turn.audit("cockpit reminded pair", program=program, pair=pairing.id, told=told)
    return [turn.say("home/reminded", adept=names[adept.id], mentor=names[mentor.id], told=told, ephemeral=True)]


async def _approve(turn: Turn):
    from bot.commands.join import approve_participant

    enrollment = await _row(turn, Enrollment)
    person = await turn.session.get(Person, enrollment.person_id)
    program = await turn.session.get(Program, enrollment.program_id)
    return await approve_participant(turn, {"person": person, "program": program})


async def _show(turn: Turn):
    from bot.commands.roster import person_view

    enrollment = await _row(turn, Enrollment)
    return await person_view(turn, await fetch(turn.session, Person, enrollment.person_id))


async def _retry(turn: Turn):
    row = await _row(turn, Reminder)
    if row.status != ReminderStatus.FAILED:
        return [turn.say("home/retry_not_failed", ephemeral=True)]
    row.status, row.attempts, row.due_at, row.last_error = ReminderStatus.PENDING, 0, turn.now, None
    row.lease_until = row.claimed_by = None
    turn.session.add(row)
    await turn.audit("cockpit retried message", reminder=row.id)
    return [turn.say("home/retrying", ephemeral=True)]


async def _who(turn: Turn):
    from bot.commands.attendance import answers

    event = await _row(turn, ProgramEvent)
    program = await fetch(turn.session, Program, event.program_id)
    coming, not_coming = await answers(turn.session, pk(event))
    return [turn.say("events/who", event=event, coming=coming, not_coming=not_coming, tz=program.timezone)]


HANDLERS = {
    "cockpit.remind": _remind,
    "cockpit.approve": _approve,
    "cockpit.show": _show,
    "cockpit.retry": _retry,
    "cockpit.who": _who,
}


@action("cockpit.", role=COORDINATOR, name="home")
async def cockpit_buttons(turn: Turn):
    handler = HANDLERS.get(turn.inbound.action_id or "")
    if handler is None:
        raise UserError("errors/stale_action")
    return await handler(turn)
