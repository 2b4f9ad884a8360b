"""The nudge buttons (*We met*, *Remind me in a week*, *We need help*) and the
participant command `met [DATE [MINUTES]]` that logs a meeting (the date
as `bot.commands.dates` reads it, a date without a year one that has been;
the length in minutes or hours, `bot.commands.lengths`). Someone in
more than one pair (a mentor with two mentees, a person in two programs) is
asked which pair met, with one button per pair (its id as the value, the
partner's name as the label); nothing is logged until they press one.

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
from bot.commands.which import which_pair
from bot.coordinators import coordinator_people
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.lifecycle import RUNNING, is_over
from bot.meetings import DEFAULT_MINUTES, live_pairs_of, local_today, log_meeting, pair_for_action
from bot.messages import Outbound
from bot.names import name_key
from bot.programs import SETTLED, my_enrollments, org_id_of, past_pairings
from bot.store.models import (
    EndReason,
    Enrollment,
    EnrollmentStatus,
    Organisation,
    Pairing,
    PairStatus,
    Person,
    Program,
    Reminder,
    ReminderStatus,
)
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
        Param("date", "date", required=False, happened=True),
        Param("minutes", "length", required=False, unit="minutes"),
    ),
)
async def met(turn: Turn, args):
    pairs = await live_pairs_of(turn.session, pk(turn.person))
    if not pairs:
        raise await _no_pair(turn)
    if len(pairs) > 1:  # `met.pair`: `<id>:<date>:<minutes>`, as typed
        held_on, minutes = args["date"], args["minutes"]
        typed = f"{held_on.isoformat() if held_on else ''}:{minutes if minutes is not None else ''}"
        return [await which_pair(turn, pairs, "met.pair", typed, "nudges/which_pair", held_on=held_on)]
    pairing, _enrollment, program = pairs[0]
    return [await _met_on(turn, pairing, program, args["date"], args["minutes"])]


async def _no_pair(turn: Turn) -> UserError:
    """Why `met` has no pair to log for, from the person's newest program
    that says: its year is over (the program closed, or the close-out
    settled the pair), with whether the pair may go on on its own; else they
    have not been matched yet."""
    mine = sorted(await my_enrollments(turn.session, pk(turn.person)), key=lambda row: -pk(row[0]))
    for enrollment, program in mine:
        if enrollment.status != EnrollmentStatus.ACTIVE:
            continue
        pairs = await past_pairings(turn.session, enrollment)
        settled = [p for p in pairs if p.status in SETTLED]
        if is_over(program) or settled:
            last = (settled or pairs)[-1] if settled or pairs else None
            going_on = ""
            if last is not None and last.status == PairStatus.CONTINUING:
                going_on = "continuing"
            elif last is not None and last.end_reason == EndReason.PROGRAM_CLOSED:
                going_on = "free"  # closed before the close-out settled it
            return UserError("nudges/program_over", program=program, going_on=going_on)
        if program.status in RUNNING:
            break
    return UserError("nudges/no_pair")


async def _met_on(
    turn: Turn, pairing: Pairing, program: Program, held_on: date | None, minutes: int | None
) -> Outbound:
    day = held_on or local_today(program, turn.now)
    length = minutes if minutes is not None else DEFAULT_MINUTES  # 0 is typed, and refused with the range
    return await _log(turn, pairing, program, day, length, corrects=minutes is not None)


@action("met.pair")
async def met_pair(turn: Turn):
    """The pair pressed on `met`'s question; the date and minutes typed with it
    are checked again (a button's value is the client's to send)."""
    pair_id, day, minutes = [*(turn.inbound.value or "").split(":"), "", ""][:3]
    pairing, program = await pair_for_action(turn.session, pk(turn.person), pair_id)
    try:
        held_on = date.fromisoformat(day) if day else None
    except ValueError:
        raise stale_button() from None
    typed = parse_int(minutes, low=0, high=10_000) if minutes else None
    if minutes and typed is None:
        raise stale_button()
    return [_replacing(turn, await _met_on(turn, pairing, program, held_on, typed))]


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


async def _org_name(turn: Turn, org_id: int | None) -> str | None:
    org = await turn.session.get(Organisation, org_id) if org_id else None
    return org.name if org else None


@action("nudge.help")
async def nudge_help(turn: Turn):
    pairing, program = await pair_for_action(turn.session, pk(turn.person), turn.inbound.value)
    adept = await fetch(turn.session, Enrollment, pairing.adept_id)
    mentor = await fetch(turn.session, Enrollment, pairing.mentor_id)
    adept_person = await fetch(turn.session, Person, adept.person_id)
    mentor_person = await fetch(turn.session, Person, mentor.person_id)
    # Members called the same (`bot.names`) are told apart: which of them
    # asks, and each one's organisation (`org_id_of`).
    asker = adept_org = mentor_org = None
    if name_key(adept_person.name) == name_key(mentor_person.name):
        asker = "adept" if adept.person_id == turn.person.id else "mentor"
        adept_org = await _org_name(turn, org_id_of(adept, adept_person))
        mentor_org = await _org_name(turn, org_id_of(mentor, mentor_person))
    told = []
    for coordinator in await coordinator_people(turn.session, turn.core.config):
        if await turn.tell(
            pk(coordinator),
            "nudges/help_request",
            as_coordinator=True,
            program=program,
            program_name=program.name,
            who=turn.person.name,
            adept=adept_person.name,
            mentor=mentor_person.name,
            asker=asker,
            adept_org=adept_org,
            mentor_org=mentor_org,
        ):
            told.append(coordinator.name)
    await turn.audit("help asked", program=program, pairing=pairing.id, told=told)
    if not told:
        return [_replacing(turn, turn.say("nudges/help_no_coordinator"))]
    return [_replacing(turn, turn.say("nudges/help_sent", coordinators=", ".join(told)))]
