"""`program close [NAME] [force=yes]`: a program ends. The coordinator is
asked first (what the close does: pairs still running, people on their way
in, the close-out's day); then the program closes, its intakes end, and each
person is told in their own language (`_tell_closed`). The rest of a
program's lifecycle is in `bot.commands.lifecycle`.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from bot import lifecycle, plan
from bot.commands.lifecycle import NAMED, require_status
from bot.commands.participant import answered, confirm_card
from bot.commands.registry import COORDINATOR, Param, action, command
from bot.dialogs.entrances import end_sign_ups
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.messages import Address, Buttons, Card, MessageRef
from bot.outbox import KEPT_COPY, address_from_dict, decode, sent_message
from bot.programs import first_event, has_run
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
    Reminder,
    ReminderStatus,
)
from bot.store.rows import pk
from bot.turn import Turn


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
    require_status(program, lifecycle.ACTIVE, lifecycle.CLOSING)
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
    that the invitation no longer holds: on the invitation card itself,
    updated without its buttons, where it can be (`_invitation_cards`),
    else in a note (the old card, pressed, is answered so). `ran`: the program got going (`has_run`); one that
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
    invited = list(
        (
            await turn.session.exec(
                select(Enrollment)
                .where(Enrollment.program_id == program.id, Enrollment.status == EnrollmentStatus.INVITED)
                .order_by(col(Enrollment.id))
            )
        ).all()
    )
    cards = await _invitation_cards(turn, invited)
    for enrollment in invited:
        told += await turn.tell(
            enrollment.person_id, "lifecycle/invitation_closed", program=program, shown=cards.get(pk(enrollment))
        )
    return told


# The cards that invite (the invitation's, the nomination's), and the button that says yes on each.
INVITATION_CARDS = {"commands/invitation": "invite.join", "commands/nomination": "nomination.accept"}


async def _invitation_cards(turn: Turn, invited: list[Enrollment]) -> dict[int, tuple[Address, MessageRef]]:
    """Where each invitation still waiting for an answer is shown, by
    enrollment id: the newest card sent for it (its Join button carries the
    enrollment's id), with the platform's reference to it. The close
    updates that card in place to say the invitation no longer holds, with
    no buttons, instead of leaving it to be pressed and sending a note
    below it; an invitation whose card cannot be updated (never sent, sent
    before the conversation was kept, or erased) gets the note."""
    wanted = {str(pk(e)): e.person_id for e in invited}
    if not wanted:
        return {}
    rows = await turn.session.exec(
        select(Reminder)
        .where(
            col(Reminder.template).in_(tuple(INVITATION_CARDS)),
            col(Reminder.person_id).in_(set(wanted.values())),
            Reminder.status == ReminderStatus.SENT,
            col(Reminder.message_id).is_not(None),
            ~col(Reminder.key).startswith(KEPT_COPY),  # an adapter's copy: the message it copies has its own row
        )
        .order_by(col(Reminder.id).desc())
    )
    found: dict[int, tuple[Address, MessageRef] | None] = {}
    for row in rows.all():
        if not row.address or "message" not in row.context:  # erased (`forget`): nothing to find it by
            continue
        address = address_from_dict(row.address)
        value = _accept_value(decode(row.context["message"], address).card, INVITATION_CARDS[row.template])
        if value not in wanted or wanted[value] != row.person_id or int(value) in found:
            continue  # not a card of these invitations, or an older one (answered or passed over)
        ref = sent_message(address, row.message_id)  # None: the message cannot be named
        found[int(value)] = (address, ref) if ref is not None else None
    return {enrollment: shown for enrollment, shown in found.items() if shown is not None}


def _accept_value(card: Card | None, action_id: str) -> str | None:
    """The value of the card's `action_id` button (the enrollment it is for)."""
    for block in card.blocks if card is not None else ():
        for button in block.buttons if isinstance(block, Buttons) else ():
            if button.action_id == action_id:
                return button.value
    return None


# Who is told that their program has closed: those taking part, or on their way in.
STILL_IN = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING, EnrollmentStatus.ONBOARDING)
