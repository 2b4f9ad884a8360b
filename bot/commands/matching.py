"""The coordinator's matching flow in chat.

    match                 propose a draft (nobody is told anything)
    match swap N M        swap the mentors of draft pairs N and M (both get pinned)
    match pin N / unpin N keep draft pair N through re-runs, or let it go
    match exclude N       never this mentee with this mentor; the pair leaves the draft
    match waitlist NAME   the mentee waits for a later round; `match` again fills the gap
                          (told at the round's announcement; mid-year with no round
                          under way, told now)
    match approve         freeze the draft
    match announce        introduce the approved pairs, tell the channel and the waitlist
    unpair N REASON       end a pair, after asking; the mentee goes back to the pool
                          (the command: `bot.commands.unpair`; its undo: `unpair_undo`)

A re-run only touches draft pairs that are not pinned; approved and announced
pairs are never broken by it (late joiners are matched around them). Every
command is audited by the core with who and when; the changes add what moved.
The draft's card (pairs, reasons, warnings, buttons) is `bot.commands.match_card`.
"""

from __future__ import annotations

import asyncio
import importlib

from sqlmodel import col, select

from bot import matching, plan
from bot.commands.match_card import draft_card, member_view, pair_view, shown_pairs
from bot.commands.registry import COORDINATOR, PROGRAM, Param, action, command
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.matching import InvalidPin, score_pair, violation
from bot.matching.announce import announce_pairs, tell_the_unpaired
from bot.matching.cohort import TOLD_WAITLIST, Cohort, load_cohort, rationale
from bot.matching.draft import Solved, plan_in_thread, save_draft
from bot.matching.offers import offer_match
from bot.matching.staleness import state_digest
from bot.meetings import local_today
from bot.people import resolve_person
from bot.programs import enrollment_of, next_event
from bot.store.models import MatchExclusion, Pairing, PairStatus, Program, Role
from bot.store.rows import pk
from bot.turn import Turn


async def _cohort(turn: Turn, program: Program) -> Cohort:
    return await load_cohort(turn.session, program, local_today(program, turn.now))


async def _solve(turn: Turn, program: Program, waitlist: bool = False) -> Solved:
    """Read the cohort (and the digest of what it was read from), solve in a
    worker thread; `waitlist`: with the waitlist in the pool."""
    today = local_today(program, turn.now)
    digest = await state_digest(turn.session, program, today)
    cohort = await load_cohort(turn.session, program, today, waitlist=waitlist)
    await asyncio.to_thread(importlib.import_module, "bot.matching.assign")  # numpy, scipy: not on the loop
    try:
        result = await matching.solve_async(cohort.adepts, cohort.solver_mentors(), cohort.rules)
        return Solved(digest, cohort, result, plan=await plan_in_thread(cohort, result))
    except InvalidPin as err:  # load_cohort drops pins of people who left; what remains is a real conflict
        return Solved(digest, cohort, None, err)


async def solve_first(turn: Turn, args) -> Solved:
    """`match`'s slow part, in a read transaction before the write one: read
    the cohort, solve."""
    return await _solve(turn, await turn.program(args["program"]))


@command("match", role=COORDINATOR, params=(PROGRAM,), slow=True, prepare=solve_first)
async def match(turn: Turn, args):
    return await _draft(turn, await turn.program(args["program"]))


async def _draft(turn: Turn, program: Program, waitlist: bool = False):
    """Write the draft. With the prepare step's solution, the write
    transaction only checks that nothing it was solved from changed (the
    digest), writes the pairs in bulk and renders the card."""
    if turn.prepared is None:  # called without the prepare step (a button, a script): solve here
        solved = await _solve(turn, program, waitlist)
    else:
        assert isinstance(turn.prepared, Solved), "match's prepare step (solve_first) gives a Solved"
        solved = turn.prepared
        if solved.digest != await state_digest(turn.session, program, local_today(program, turn.now)):
            raise UserError("matching/errors/changed_meanwhile")
    cohort = solved.cohort
    if solved.error is not None:
        err = solved.error
        raise UserError(
            "matching/errors/pin_invalid",
            adept=member_view(cohort, err.adept_id)["name"],
            mentor=member_view(cohort, err.mentor_id)["name"],
            code=err.code,
        )
    result, plan = solved.result, solved.plan
    assert result is not None and plan is not None, "a solver run without an error has a result and a draft"
    drafts = await save_draft(turn.session, pk(program), plan, turn.now)
    cohort.pairings = [p for p in cohort.pairings if p.status != PairStatus.DRAFT]
    await turn.audit(
        "match drafted",
        program=program,
        pairs=[[p.adept_id, p.mentor_id] for p in drafts],
        unmatched={u.adept_id: str(u.reason_code) for u in result.unmatched},
    )
    await asyncio.sleep(0)  # the card takes a while for a big draft: let other turns run first
    card = draft_card(turn, cohort, list(result.unmatched), drafts=drafts)
    await asyncio.sleep(0)
    return [card]


def _draft_pair(cohort: Cohort, ref: str) -> Pairing:
    for row in cohort.pairings:
        if str(row.id) == ref.lstrip("#") and row.status == PairStatus.DRAFT:
            return row
    raise UserError("matching/errors/unknown_draft_pair", ref=ref)


def _check_allowed(cohort: Cohort, adept_id: int, mentor_id: int) -> None:
    adept = next((a for a in cohort.adepts if a.id == adept_id), None)
    mentor = next((m for m in cohort.mentors if m.id == mentor_id), None)
    if adept is None or mentor is None:
        raise UserError("matching/errors/not_in_pool")
    broken = violation(adept, mentor, cohort.rules)
    if broken is not None:
        raise UserError(
            "matching/errors/breaks_rule",
            adept=member_view(cohort, adept_id)["name"],
            mentor=member_view(cohort, mentor_id)["name"],
            code=str(broken),
        )


def _rescore(cohort: Cohort, row: Pairing) -> None:
    adept = next(a for a in cohort.adepts if a.id == row.adept_id)
    mentor = next(m for m in cohort.mentors if m.id == row.mentor_id)
    pair_score, reasons = score_pair(adept, mentor, cohort.rules.weights)
    row.score = pair_score
    row.rationale = rationale(reasons)


@command("match", "swap", role=COORDINATOR, params=(Param("pair"), Param("other"), PROGRAM))
async def match_swap(turn: Turn, args):
    program = await turn.program(args["program"])
    cohort = await _cohort(turn, program)
    first, second = _draft_pair(cohort, args["pair"]), _draft_pair(cohort, args["other"])
    if first.id == second.id:
        raise UserError("matching/errors/swap_same", ref=args["pair"])
    _check_allowed(cohort, first.adept_id, second.mentor_id)
    _check_allowed(cohort, second.adept_id, first.mentor_id)
    before = [[first.adept_id, first.mentor_id], [second.adept_id, second.mentor_id]]
    first.mentor_id, second.mentor_id = second.mentor_id, first.mentor_id
    for row in (first, second):
        row.pinned = True
        _rescore(cohort, row)
        turn.session.add(row)
    await turn.audit(
        "match swapped",
        program=program,
        before=before,
        after=[[first.adept_id, first.mentor_id], [second.adept_id, second.mentor_id]],
    )
    note = turn.render("matching/swapped", first=pair_view(cohort, first), second=pair_view(cohort, second))
    return [draft_card(turn, cohort, None, note)]


async def _set_pin(turn: Turn, args, pinned: bool):
    program = await turn.program(args["program"])
    cohort = await _cohort(turn, program)
    row = _draft_pair(cohort, args["pair"])
    row.pinned = pinned
    turn.session.add(row)
    await turn.audit(
        "match pinned" if pinned else "match unpinned", program=program, pair=[row.adept_id, row.mentor_id]
    )
    note = turn.render("matching/pinned" if pinned else "matching/unpinned", pair=pair_view(cohort, row))
    return [draft_card(turn, cohort, None, note)]


@command("match", "pin", role=COORDINATOR, params=(Param("pair"), PROGRAM))
async def match_pin(turn: Turn, args):
    return await _set_pin(turn, args, True)


@command("match", "unpin", role=COORDINATOR, params=(Param("pair"), PROGRAM))
async def match_unpin(turn: Turn, args):
    return await _set_pin(turn, args, False)


@command("match", "exclude", role=COORDINATOR, params=(Param("pair"), PROGRAM))
async def match_exclude(turn: Turn, args):
    program = await turn.program(args["program"])
    cohort = await _cohort(turn, program)
    row = _draft_pair(cohort, args["pair"])
    view = pair_view(cohort, row)
    turn.session.add(
        MatchExclusion(
            program_id=pk(program),
            adept_id=row.adept_id,
            mentor_id=row.mentor_id,
            added_by=turn.actor_key,
            created_at=turn.now,
        )
    )
    await turn.session.delete(row)
    cohort.pairings.remove(row)
    await turn.audit("match excluded", program=program, pair=[row.adept_id, row.mentor_id])
    return [draft_card(turn, cohort, None, turn.render("matching/excluded", pair=view))]


@command("match", "waitlist", role=COORDINATOR, params=(Param("person", "person"), PROGRAM))
async def match_waitlist(turn: Turn, args):
    program = await turn.program(args["program"])
    person = await resolve_person(turn.session, str(args["person"]), turn.inbound.actor, turn.now, program)
    enrollment = await enrollment_of(turn.session, program, pk(person), Role.ADEPT)
    if enrollment is None:
        raise UserError("matching/errors/not_an_adept", name=person.name, program=program)
    holding = (
        await turn.session.exec(
            select(Pairing).where(
                Pairing.adept_id == enrollment.id, col(Pairing.status).in_((PairStatus.APPROVED, PairStatus.ANNOUNCED))
            )
        )
    ).first()
    if holding is not None:
        raise UserError("matching/errors/already_paired", name=person.name, pair=holding.id)
    enrollment.waitlisted = True
    turn.session.add(enrollment)
    drafted = (
        await turn.session.exec(
            select(Pairing).where(Pairing.adept_id == enrollment.id, Pairing.status == PairStatus.DRAFT)
        )
    ).all()
    for row in drafted:
        await turn.session.delete(row)
    await turn.session.flush()
    # A draft that proposed a mentor for them is a round under way, even when theirs was its only pair:
    # "no mentor fits you" now would contradict it, so they hear it when a round is announced.
    when = "later" if drafted else await _tell_the_waitlisted_now(turn, program, enrollment)
    await turn.audit("match waitlisted", program=program, adept=enrollment.id, told=when == "now")
    cohort = await _cohort(turn, program)
    return [draft_card(turn, cohort, None, turn.render("matching/waitlisted_done", name=person.name, when=when))]


async def _tell_the_waitlisted_now(turn: Turn, program: Program, enrollment) -> str:
    """Nobody hears anything of a round of matching before it is announced:
    before the pairs are first presented, or while a later round is being
    drafted (pairs drafted or approved, not yet announced), the waitlist
    hears it at that announcement ("later"). With no round under way after
    the first presentation, the next one may be months away: the adept is
    told now ("now", or "unreachable") and, told, is back in the pool, so the
    next draft (a mentor's freed place, a late mentor) considers them."""
    presented = (
        await turn.session.exec(
            select(Pairing.id).where(Pairing.program_id == program.id, col(Pairing.announced_at).is_not(None))
        )
    ).first()
    if presented is None or await _round_under_way(turn, program):
        return "later"
    if TOLD_WAITLIST in (enrollment.answers or {}):
        return "now"  # told already, and still on the list
    event = await next_event(turn.session, program, turn.now, "adept")
    if not await turn.tell(enrollment.person_id, "matching/waitlisted", program=program, event=event, now=True):
        return "unreachable"
    enrollment.answers = {**(enrollment.answers or {}), TOLD_WAITLIST: turn.now.isoformat()}
    turn.session.add(enrollment)
    return "now"


async def _round_under_way(turn: Turn, program: Program) -> bool:
    """Pairs drafted or approved and not yet announced: an announcement is coming."""
    pending = (
        await turn.session.exec(
            select(Pairing.id).where(
                Pairing.program_id == program.id,
                col(Pairing.status).in_((PairStatus.DRAFT, PairStatus.APPROVED)),
            )
        )
    ).first()
    return pending is not None


async def _approve(turn: Turn, program: Program):
    cohort = await _cohort(turn, program)
    drafts = [p for p in cohort.pairings if p.status == PairStatus.DRAFT]
    if not drafts:
        raise UserError("matching/errors/nothing_to_approve")
    for row in drafts:
        row.status = PairStatus.APPROVED
        turn.session.add(row)
    await turn.audit("match approved", program=program, pairs=[[p.adept_id, p.mentor_id] for p in drafts])
    return [draft_card(turn, cohort, [], turn.render("matching/approved", count=len(drafts)))]


@command("match", "approve", role=COORDINATOR, params=(PROGRAM,))
async def match_approve(turn: Turn, args):
    return await _approve(turn, await turn.program(args["program"]))


async def _announce(turn: Turn, program: Program):
    cohort = await _cohort(turn, program)
    approved = [p for p in cohort.pairings if p.status == PairStatus.APPROVED]
    if not approved:
        raise UserError("matching/errors/nothing_to_announce")
    for row in approved:
        row.status = PairStatus.ANNOUNCED
        row.announced_at = turn.now
        turn.session.add(row)
    await turn.session.flush()
    # The pairs' nudges, stall watch and close-out, in bulk as the sweep plans
    # them (one member at a time was 5 s of a 500-pair announcement).
    await plan.program_changed(turn, program)
    summary = await announce_pairs(turn, cohort, approved)
    summary |= await _tell_the_unpaired(turn, program)
    from bot.commands.agreement import send_checklists  # it builds on end_pair from here

    await send_checklists(turn, program, approved)
    await turn.audit("match announced", program=program, pairs=[[p.adept_id, p.mentor_id] for p in approved], **summary)
    return [turn.say("matching/announced", count=len(approved), **summary)]


async def _tell_the_unpaired(turn: Turn, program: Program) -> dict:
    """Who is left after the announcement, and why: the solver's reasons for
    the adepts still in the pool; mentors with no adept at all."""
    await turn.session.flush()
    left = await _cohort(turn, program)
    result = await matching.solve_async(left.adepts, left.solver_mentors(), left.rules) if left.adepts else None
    busy = {p.mentor_id for p in left.pairings if p.status in (PairStatus.APPROVED, PairStatus.ANNOUNCED)}
    idle = [m.id for m in left.mentors if m.id not in busy]
    return await tell_the_unpaired(turn, left, list(result.unmatched) if result else [], idle)


@command("match", "announce", role=COORDINATOR, params=(PROGRAM,), slow=True)
async def match_announce(turn: Turn, args):
    return await _announce(turn, await turn.program(args["program"]))


async def _still_shown(turn: Turn, program: Program, seen: str) -> None:
    status = {"match.approve": PairStatus.DRAFT, "match.announce": PairStatus.APPROVED}.get(
        turn.inbound.action_id or ""
    )
    if status is None:
        return
    pairs = (
        await turn.session.exec(select(Pairing).where(Pairing.program_id == program.id, Pairing.status == status))
    ).all()
    if not pairs or seen != shown_pairs(pairs):
        raise stale_button()


@action("match.", role=COORDINATOR, name="match")
async def match_buttons(turn: Turn):
    ref, _, seen = (turn.inbound.value or "").partition(":")
    number = parse_int(ref, low=1)
    program = await turn.session.get(Program, number) if number is not None else None
    if program is None:
        raise stale_button()
    await _still_shown(turn, program, seen)
    await turn.audit(turn.inbound.action_id or "match", program=program)
    if turn.inbound.action_id == "match.approve":
        return await _approve(turn, program)
    if turn.inbound.action_id == "match.announce":
        return await _announce(turn, program)
    if turn.inbound.action_id == "match.draft":  # offered when a mentor's capacity freed up
        return await _draft(turn, program, waitlist=True)  # the offer counted the waitlist
    raise stale_button()


async def end_pair(turn: Turn, program: Program, row: Pairing, reason: str):
    """End a live pair: both told if it was announced, the mentee back in the pool."""
    cohort = await _cohort(turn, program)
    was_announced = row.status == PairStatus.ANNOUNCED
    row.status, row.ended_at, row.end_reason = PairStatus.ENDED, turn.now, reason
    turn.session.add(row)
    await turn.session.flush()
    await plan.pair_changed(turn, row)
    view = pair_view(cohort, row)
    if was_announced:
        for enrollment_id, other in ((row.adept_id, row.mentor_id), (row.mentor_id, row.adept_id)):
            await turn.tell(
                pk(cohort.members[enrollment_id].person),
                "matching/unpaired_notice",
                program=program,
                other=member_view(cohort, other)["name"],
            )
    await turn.audit("unpaired", program=program, pair=[row.adept_id, row.mentor_id], reason=row.end_reason)
    may_match = await offer_match(turn, program)  # the mentor has room again
    return turn.say("matching/unpaired", pair=view, told=was_announced, matchable=row.adept_id in may_match)
