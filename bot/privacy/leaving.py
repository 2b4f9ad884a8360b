"""Someone stops taking part in a program (`leave`, `consent withdraw`,
`forget`): the loop is closed in the turn's transaction.

Their enrollment becomes `left`; their pairs end and the partner is told in
words; their pending reminders in the program stop; their calendar feed of the
program stops working; the coordinators are told; and, unless `forget` erases it all afterwards (`bot.privacy.erase`), what they
gave under consent (answers, dialogue state, survey answers, the pair's
rationale, and the download files made for them, which may hold it) is
deleted at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select

from bot.coordinators import coordinator_people
from bot.privacy import erase
from bot.reminders.store import run
from bot.store.models import (
    CalendarFeed,
    DialogState,
    Enrollment,
    EnrollmentStatus,
    Pairing,
    PairStatus,
    Program,
    Reminder,
    ReminderStatus,
    SharedFile,
    SurveyResponse,
)
from bot.store.rows import pk, table_of

if TYPE_CHECKING:
    from bot.turn import Turn

LIVE = (PairStatus.DRAFT, PairStatus.APPROVED, PairStatus.ANNOUNCED)


async def end_participation(
    turn: Turn,
    enrollment: Enrollment,
    program: Program,
    *,
    reason: str,
    named: bool = True,
    delete_answers: bool = True,
) -> list[int]:
    """End `enrollment`; returns the person ids of the partners whose pair
    ended. `named=False` keeps the person's name out of every notice (forget)."""
    from bot import plan

    s, person_id = turn.session, enrollment.person_id
    if enrollment.status not in (EnrollmentStatus.DECLINED, EnrollmentStatus.CANCELLED):
        enrollment.status = EnrollmentStatus.LEFT  # a no already said stays what it was
    enrollment.updated_at = turn.now
    if delete_answers:
        erase.clear_answers(enrollment)
        await run(
            s,
            sa.delete(table_of(DialogState)).where(
                col(DialogState.person_id) == person_id, col(DialogState.program_id) == program.id
            ),
        )
        await run(
            s,
            sa.delete(table_of(SurveyResponse)).where(
                col(SurveyResponse.person_id) == person_id, col(SurveyResponse.program_id) == program.id
            ),
        )
    s.add(enrollment)
    partners: list[int] = []
    pairs = (
        await s.exec(
            select(Pairing).where(
                (Pairing.adept_id == enrollment.id) | (Pairing.mentor_id == enrollment.id),
                col(Pairing.status).in_(LIVE),
            )
        )
    ).all()
    for pairing in pairs:
        announced = pairing.status == PairStatus.ANNOUNCED
        pairing.status, pairing.ended_at, pairing.end_reason = PairStatus.ENDED, turn.now, reason
        if delete_answers:
            pairing.rationale, pairing.goals = [], []
        s.add(pairing)
        await s.flush()
        await plan.pair_changed(turn, pairing)
        partner = await s.get(Enrollment, pairing.other_member(enrollment.id))
        if announced and partner is not None:
            partners.append(partner.person_id)
            await turn.tell(
                partner.person_id,
                "privacy/partner_ended",
                program=program,
                role=enrollment.role,
                name=turn.person.name if named else None,
                going_on=[] if named else await _pairs_going_on(turn, partner, pairing),
            )
    await _stop_reminders(turn, enrollment, program)
    await _end_links(turn, person_id, program, files=delete_answers)
    await plan.person_changed(turn, enrollment)  # their pairs' and events' rows, in this turn
    for coordinator in await coordinator_people(s, turn.core.config):
        if coordinator.id == person_id:
            continue
        if named:
            await turn.tell(
                pk(coordinator),
                "commands/coordinator_left_notice",
                as_coordinator=True,
                program=program,
                name=turn.person.name,
                paired=bool(pairs),  # a pair ended now (not one the coordinator had ended before)
            )
        else:
            names = [(await _name(turn, pid)) for pid in partners]
            await turn.tell(
                pk(coordinator),
                "privacy/coordinator_forgotten",
                as_coordinator=True,
                program=program,
                role=enrollment.role,
                partners=[n for n in names if n],
            )
    return partners


async def _pairs_going_on(turn: Turn, partner: Enrollment, ended: Pairing) -> list[str]:
    """The names of the partner's other running pairs' members, for a notice
    that may not name the person who left (`forget`: the notice is written
    after the erasure, so their name would outlive it): a mentor with two
    adepts learns which pair ended from the one that goes on."""
    others = (
        await turn.session.exec(
            select(Pairing).where(
                (Pairing.adept_id == partner.id) | (Pairing.mentor_id == partner.id),
                Pairing.status == PairStatus.ANNOUNCED,
                Pairing.id != ended.id,
            )
        )
    ).all()
    names = []
    for other in others:
        member = await turn.session.get(Enrollment, other.other_member(pk(partner)))
        name = await _name(turn, member.person_id) if member is not None else None
        if name:
            names.append(name)
    return sorted(names)


async def _name(turn: Turn, person_id: int) -> str | None:
    from bot.store.models import Person

    person = await turn.session.get(Person, person_id)
    return person.name if person else None


async def _end_links(turn: Turn, person_id: int, program: Program, *, files: bool) -> None:
    """What the person can still open in a browser stops now: their calendar
    feed of the program (it would go on showing its events), and with their
    answers the files made for them (a `mydata` download holds the answers)."""
    await run(
        turn.session,
        sa.update(table_of(CalendarFeed))
        .where(
            col(CalendarFeed.person_id) == person_id,
            col(CalendarFeed.program_id) == program.id,
            col(CalendarFeed.revoked_at).is_(None),
        )
        .values(revoked_at=turn.now),
    )
    if files:
        await run(turn.session, sa.delete(table_of(SharedFile)).where(col(SharedFile.person_id) == person_id))


async def _stop_reminders(turn: Turn, enrollment: Enrollment, program: Program) -> None:
    """The person's pending reminders in the program (events, intake) are cancelled now,
    not at the next planning pass."""
    await run(
        turn.session,
        sa.update(table_of(Reminder))
        .where(
            col(Reminder.status) == ReminderStatus.PENDING,
            ((col(Reminder.person_id) == enrollment.person_id) & (col(Reminder.program_id) == program.id))
            | (col(Reminder.subject) == f"enrollment:{enrollment.id}"),
        )
        .values(status=ReminderStatus.CANCELLED, last_error="left the program"),
    )
