"""Taking back a coordinator's `unpair` (a mistake, a wrong number):

    unpair undo N     pair N again as it was, after asking; both are told the pair is restored

The pair comes back only as long as nothing has been built on its end: both
members still take part (active), neither has been paired anew since, the
mentor still has the place, and the program runs. A pair the bot ended
(someone left, forgot themselves, withdrew consent) is not `unpair`'s to
undo. Otherwise the answer says which of these stands in the way.

A restored pair is what it was before the end (announced, or approved and
not yet presented), its reminders planned as for a pair that resumes; the
draft pairs that would now give its adept a second mentor, or its mentor
more adepts than places, are dropped (nobody knew of them).
"""

from __future__ import annotations

from sqlmodel import col, or_, select

from bot import plan
from bot.commands.confirm import CONFIRM, ask
from bot.commands.registry import COORDINATOR, PROGRAM, Param, command
from bot.errors import UserError
from bot.inputs import parse_int
from bot.lifecycle import RUNNING
from bot.matching.cohort import HOLDING, TOLD_UNMATCHED, TOLD_WAITLIST
from bot.store.models import EndReason, Enrollment, EnrollmentStatus, Pairing, PairStatus, Person, Program
from bot.store.rows import fetch
from bot.turn import Turn

BOTS_REASONS = frozenset(str(r) for r in EndReason)  # the ends `unpair` did not make


def _is_pair_number(text: str) -> bool:
    return parse_int(text.lstrip("#"), low=1) is not None


@command("unpair", "undo", role=COORDINATOR, params=(Param("pair", looks=_is_pair_number), CONFIRM, PROGRAM))
async def unpair_undo(turn: Turn, args):
    program = await turn.program(args["program"])
    row = await _ended_pair(turn, program, str(args["pair"]))
    adept = await fetch(turn.session, Enrollment, row.adept_id)
    mentor = await fetch(turn.session, Enrollment, row.mentor_id)
    names = {
        "adept": (await fetch(turn.session, Person, adept.person_id)).name,
        "mentor": (await fetch(turn.session, Person, mentor.person_id)).name,
    }
    await _check_undoable(turn, program, row, adept, mentor, names)
    if args["confirm"] != "yes":  # it tells both, as the end did: asked first, as `unpair` is
        told = row.announced_at is not None
        return [ask(turn, "matching/unpair_undo_confirm", pair={"id": row.id, **names}, program=program, told=told)]
    row.status = PairStatus.ANNOUNCED if row.announced_at is not None else PairStatus.APPROVED
    row.ended_at = row.end_reason = None
    turn.session.add(row)
    adept.waitlisted = False  # paired again: off the waitlist, as an announcement does
    adept.answers = {k: v for k, v in (adept.answers or {}).items() if k not in (TOLD_WAITLIST, TOLD_UNMATCHED)}
    turn.session.add(adept)
    dropped = await _drop_clashing_drafts(turn, program, row, mentor)
    await turn.session.flush()
    await plan.pair_changed(turn, row)  # its nudges, stall watch and close-out, as a resumed pair's
    told = row.status == PairStatus.ANNOUNCED
    if told:
        for member, other in ((adept, names["mentor"]), (mentor, names["adept"])):
            await turn.tell(member.person_id, "matching/unpair_undone_notice", program=program, other=other)
    await turn.audit("unpair undone", program=program, pair=[row.adept_id, row.mentor_id], dropped=dropped)
    return [turn.say("matching/unpair_undone", pair={"id": row.id, **names}, told=told, dropped=dropped)]


async def _ended_pair(turn: Turn, program: Program, ref: str) -> Pairing:
    number = parse_int(ref.lstrip("#"), low=1)
    row = await turn.session.get(Pairing, number) if number is not None else None
    if row is None or row.program_id != program.id or row.status != PairStatus.ENDED:
        live = row is not None and row.program_id == program.id and row.status in HOLDING
        raise UserError("matching/errors/undo_not_ended" if live else "matching/errors/unknown_ended_pair", ref=ref)
    return row


async def _check_undoable(
    turn: Turn, program: Program, row: Pairing, adept: Enrollment, mentor: Enrollment, names: dict
) -> None:
    """Refuse, saying why, what cannot simply be put back."""
    a, m = names["adept"], names["mentor"]
    if program.status not in RUNNING:
        raise UserError("matching/errors/undo_program_over", program=program, ref=row.id, adept=a, mentor=m)
    if row.end_reason in BOTS_REASONS:
        because = EndReason(row.end_reason).name.lower()
        raise UserError("matching/errors/undo_bot_ended", because=because, ref=row.id, adept=a, mentor=m)
    gone = [names[role] for role, e in (("adept", adept), ("mentor", mentor)) if e.status != EnrollmentStatus.ACTIVE]
    if gone:
        raise UserError("matching/errors/undo_member_gone", gone=gone, ref=row.id, adept=a, mentor=m)
    since = await _paired_since(turn, row)
    if since:
        who = a if since[0].adept_id == row.adept_id else m
        raise UserError("matching/errors/undo_paired_since", who=who, pair=since[0].id, ref=row.id, adept=a, mentor=m)
    load = await _load(turn, mentor, row)
    if load >= mentor.capacity:
        raise UserError(
            "matching/errors/undo_mentor_full", load=load, capacity=mentor.capacity, ref=row.id, adept=a, mentor=m
        )


async def _load(turn: Turn, mentor: Enrollment, row: Pairing) -> int:
    """The mentor's approved and announced pairs other than `row`."""
    found = await turn.session.exec(
        select(Pairing.id).where(Pairing.mentor_id == mentor.id, Pairing.id != row.id, col(Pairing.status).in_(HOLDING))
    )
    return len(found.all())


async def _paired_since(turn: Turn, row: Pairing) -> list[Pairing]:
    """The pairs either member has had since this one ended: approved or
    further (a draft is no pair yet), proposed after the end."""
    others = (
        await turn.session.exec(
            select(Pairing)
            .where(
                or_(Pairing.adept_id == row.adept_id, Pairing.mentor_id == row.mentor_id),
                Pairing.id != row.id,
                Pairing.status != PairStatus.DRAFT,
            )
            .order_by(col(Pairing.id))
        )
    ).all()
    return [
        p
        for p in others
        if (p.status in HOLDING and p.adept_id == row.adept_id)  # the adept has another mentor now
        or (
            p.created_at > row.ended_at
            if p.created_at is not None and row.ended_at is not None
            else (p.id or 0) > (row.id or 0)
        )
    ]


async def _drop_clashing_drafts(turn: Turn, program: Program, row: Pairing, mentor: Enrollment) -> int:
    """Delete the draft pairs the restored pair clashes with: the adept's
    (a second mentor), and the mentor's when the pair takes their last place."""
    drafts = (
        await turn.session.exec(
            select(Pairing).where(
                Pairing.program_id == program.id,
                Pairing.status == PairStatus.DRAFT,
                or_(Pairing.adept_id == row.adept_id, Pairing.mentor_id == row.mentor_id),
            )
        )
    ).all()
    room = mentor.capacity - await _load(turn, mentor, row) - 1  # places left once the pair is back
    dropped = 0
    for draft in sorted(drafts, key=lambda d: (d.pinned, d.id or 0), reverse=True):
        if draft.adept_id == row.adept_id or room <= 0:
            await turn.session.delete(draft)
            dropped += 1
        else:
            room -= 1
    return dropped
