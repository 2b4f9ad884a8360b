"""The nudge buttons (*We met*, *Remind me in a week*, *We need help*) and the
participant command `met [DATE [MINUTES]]` that logs a meeting.

A logged meeting moves the pair's next nudge (the planner re-plans the pair in
the same transaction); a snooze moves it a week; a call for help goes to the
coordinators at once.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import col, select

from bot import plan
from bot.commands.registry import PARTICIPANT, Param, action, command
from bot.errors import UserError
from bot.meetings import DEFAULT_MINUTES, live_pairs_of, local_today, log_meeting, pair_for_action
from bot.messages import Outbound
from bot.people import coordinator_people
from bot.store.models import Enrollment, Pairing, Person, Program, Reminder, ReminderStatus
from bot.store.rows import fetch, pk
from bot.turn import Turn

_PENDING_NUDGES = select(Reminder.context).where(
    col(Reminder.subject) == sa.bindparam("subject"),
    Reminder.kind == "nudge",
    Reminder.status == ReminderStatus.PENDING,
)


async def _next_nudge_day(turn: Turn, pairing: Pairing):
    rows = (await turn.session.exec(_PENDING_NUDGES, params={"subject": f"pair:{pairing.id}"})).all()
    rounds = sorted(r for c in rows if (r := c.get("round")))
    return rounds[0] if rounds else None


async def _log(
    turn: Turn, pairing: Pairing, program: Program, held_on, minutes: int, corrects: bool = False
) -> Outbound:
    """Log a meeting; `corrects` (minutes typed for a day already logged)
    changes the length of the logged meeting instead."""
    meeting, created = await log_meeting(turn.session, pairing, program, held_on, minutes, turn.person.id, turn.now)
    if not created:
        if corrects and meeting.minutes != minutes:
            before, meeting.minutes = meeting.minutes, minutes
            turn.session.add(meeting)
            await turn.audit(
                "meeting corrected",
                program=program,
                pairing=pairing.id,
                held_on=held_on,
                minutes=minutes,
                before=before,
            )
            return turn.say("nudges/met_corrected", held_on=meeting.held_on, minutes=minutes, before=before)
        return turn.say("nudges/met_already", held_on=meeting.held_on, minutes=meeting.minutes)
    await plan.pair_changed(turn, pairing)
    from bot.commands.firstmeeting import after_first_meeting

    await after_first_meeting(turn, pairing, program)  # "is this a good fit?", once
    await turn.audit("meeting logged", program=program, pairing=pairing.id, held_on=held_on, minutes=minutes)
    next_day = await _next_nudge_day(turn, pairing)
    return turn.say(
        "nudges/met_logged",
        held_on=meeting.held_on,
        minutes=meeting.minutes,
        next_day=date.fromisoformat(next_day) if next_day else None,
    )


def _replacing(turn: Turn, message: Outbound) -> Outbound:
    """After a click, the card is replaced so its buttons cannot be pressed twice."""
    if turn.inbound.message is None:
        return message
    return turn.reply(message.text, kind=message.kind, replace=turn.inbound.message)


@command(
    "met",
    role=PARTICIPANT,
    params=(
        Param("date", "date", required=False),
        Param("minutes", "int", required=False, unit="minutes"),
    ),
)
async def met(turn: Turn, args):
    pairs = await live_pairs_of(turn.session, pk(turn.person))
    if not pairs:
        raise UserError("nudges/no_pair")
    pairing, _enrollment, program = pairs[0]
    held_on = args["date"] or local_today(program, turn.now)
    minutes = args["minutes"] if args["minutes"] is not None else DEFAULT_MINUTES
    return [await _log(turn, pairing, program, held_on, minutes, corrects=args["minutes"] is not None)]


@action("nudge.met")
async def nudge_met(turn: Turn):
    pairing, program = await pair_for_action(turn.session, pk(turn.person), turn.inbound.value)
    return [_replacing(turn, await _log(turn, pairing, program, local_today(program, turn.now), DEFAULT_MINUTES))]


@action("nudge.snooze")
async def nudge_snooze(turn: Turn):
    pairing, program = await pair_for_action(turn.session, pk(turn.person), turn.inbound.value)
    day = await plan.pair_snoozed(turn, pairing)  # the calendar decides which day "a week" lands on
    await turn.audit("nudge snoozed", program=program, pairing=pairing.id, until=day)
    return [_replacing(turn, turn.say("nudges/snoozed", day=day))]


@action("nudge.help")
async def nudge_help(turn: Turn):
    pairing, program = await pair_for_action(turn.session, pk(turn.person), turn.inbound.value)
    adept = await fetch(turn.session, Enrollment, pairing.adept_id)
    mentor = await fetch(turn.session, Enrollment, pairing.mentor_id)
    adept_person = await fetch(turn.session, Person, adept.person_id)
    mentor_person = await fetch(turn.session, Person, mentor.person_id)
    told = []
    for coordinator in await coordinator_people(turn.session, turn.core.config):
        if await turn.tell(
            pk(coordinator),
            "nudges/help_request",
            program=program,
            program_name=program.name,
            who=turn.person.name,
            adept=adept_person.name,
            mentor=mentor_person.name,
        ):
            told.append(coordinator.name)
    await turn.audit("help asked", program=program, pairing=pairing.id, told=told)
    if not told:
        return [_replacing(turn, turn.say("nudges/help_no_coordinator"))]
    return [_replacing(turn, turn.say("nudges/help_sent", coordinators=", ".join(told)))]
