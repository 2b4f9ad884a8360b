"""When a mentor's capacity frees up (a pair ends, someone leaves, a mentor
joins late) while adepts wait, the coordinators are offered a new match.

Only once the program has been matched: before that, every approval would
offer the same thing the coordinator's `match` is about to do (500 offers
for a 1 000-person intake), and each offer reads the whole cohort."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select

from bot.coordinators import coordinator_people
from bot.matching.cohort import LATER, load_cohort
from bot.matching.scoring import violation
from bot.meetings import local_today
from bot.messages import Button, Buttons, Card, Text
from bot.store.models import Pairing, PairStatus, Program
from bot.store.rows import pk

if TYPE_CHECKING:
    from bot.turn import Turn


async def offer_match(turn: Turn, program: Program) -> frozenset[int]:
    """When adepts wait and a mentor has room (someone left, a mentor joined
    late), tell the coordinators, with a button that drafts a match; not when
    the waiting adepts may be paired with none of the mentors who have room
    (a pair that just ended is not proposed again). Returns the enrollment
    ids of the waiting adepts a mentor with room may be paired with, so that
    `unpair` can say whether its mentee has one."""
    if not await _matched_before(turn, program):
        return frozenset()
    # The waitlist counts: the offer's draft has them in the pool (`match.draft`).
    cohort = await load_cohort(turn.session, program, local_today(program, turn.now), waitlist=True)
    holding = {p.adept_id for p in cohort.pairings if p.status in (PairStatus.DRAFT, PairStatus.APPROVED)}
    room = [
        m
        for m in cohort.mentors
        if m.capacity > 0 and (cohort.members[m.id].enrollment.answers or {}).get(LATER) is not False
    ]
    # A draft only helps an adept some mentor with room may be paired with:
    # not one whose only mentors who fit are excluded or were their mentor.
    free = [a for a in cohort.adepts if a.id not in holding]
    fits = [a for a in free if any(violation(a, m, cohort.rules) is None for m in room)]
    waiting = fits
    if not waiting or not room:
        return frozenset()
    for coordinator in await coordinator_people(turn.session, turn.core.config):
        await turn.tell(
            pk(coordinator),
            "matching/offer",
            as_coordinator=True,
            program=program,
            waiting=len(waiting),
            room=len(room),
            card=lambda render: Card(
                (
                    Text(render("matching/offer", program=program, waiting=len(waiting), room=len(room))),
                    Buttons((Button("match.draft", render("matching/button_draft"), str(program.id), "primary"),)),
                )
            ),
        )
    return frozenset(a.id for a in fits)


_ANY_PAIR = select(col(Pairing.id)).where(col(Pairing.program_id) == sa.bindparam("program_id")).limit(1)


async def _matched_before(turn: Turn, program: Program) -> bool:
    """Whether the program has had a match (a pair in any state)."""
    return (await turn.session.exec(_ANY_PAIR, params={"program_id": program.id})).first() is not None
