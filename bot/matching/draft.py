"""A solver result becomes the program's draft pairs, in bulk.

A draft has as many pairs as the cohort has adepts (thousands): built as
ORM objects and flushed one by one it holds the event loop for most of a
second. Here what to write is worked out from plain data (`plan_draft`, in a
worker thread next to the solver) and written with a few bulk statements in
parts (`save_draft`), the loop running other turns between two parts.

Rules kept from before: a re-run replaces the unpinned draft pairs; the same
pair again keeps its row (and its number), with score and reasons refreshed;
pinned pairs stay.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.matching.cohort import PART, Cohort, rationale
from bot.matching.model import AdeptIn, InvalidPin, MentorIn, Result
from bot.matching.warnings import warnings
from bot.store.models import Pairing, PairStatus

_PAIRING = Pairing.__table__  # type: ignore[attr-defined]


@dataclass
class DraftPair:
    """One pair of a fresh draft, as the card shows it (a `Pairing` row's
    fields without the ORM object, which costs more to build than the row
    does to write)."""

    id: int | None
    adept_id: int
    mentor_id: int
    score: float
    pinned: bool
    rationale: list
    status: str = PairStatus.DRAFT
    hard: bool | None = None  # has a hard warning (`bot.matching.warnings`); None: not worked out


@dataclass(frozen=True)
class DraftPlan:
    drop: list[int] = field(default_factory=list)  # ids of draft rows the result no longer has
    pairs: list[DraftPair] = field(default_factory=list)  # the new draft; kept rows carry their id


@dataclass(frozen=True)
class Solved:
    """A solver run made before the write transaction: the cohort it saw, the
    digest of the rows that cohort came from (`bot.matching.staleness.state_digest`), the result and
    the draft it makes."""

    digest: str
    cohort: Cohort
    result: Result | None
    error: InvalidPin | None = None
    plan: DraftPlan | None = None


def plan_draft(
    current: list[tuple[int, int, int]], result: Result, adepts: dict[int, AdeptIn], mentors: dict[int, MentorIn]
) -> DraftPlan:
    """What the draft becomes: `current` is (id, adept id, mentor id) of
    today's draft rows. Pure; runs in a worker thread."""
    by_pair = {(adept, mentor): row_id for row_id, adept, mentor in current}
    wanted = {(pair.adept_id, pair.mentor_id) for pair in result.pairs}
    drop = sorted(row_id for key, row_id in by_pair.items() if key not in wanted)
    pairs = [
        DraftPair(
            by_pair.get((p.adept_id, p.mentor_id)),
            p.adept_id,
            p.mentor_id,
            p.score,
            p.pinned,
            rationale(p.reasons),
            hard=any(w.hard for w in warnings(adepts[p.adept_id], mentors[p.mentor_id])),
        )
        for p in result.pairs
    ]
    return DraftPlan(drop, pairs)


def current_draft(cohort: Cohort) -> list[tuple[int, int, int]]:
    return [
        (row.id, row.adept_id, row.mentor_id)
        for row in cohort.pairings
        if row.status == PairStatus.DRAFT and row.id is not None
    ]


async def plan_in_thread(cohort: Cohort, result: Result) -> DraftPlan:
    adepts, mentors = {a.id: a for a in cohort.adepts}, {m.id: m for m in cohort.mentors}
    return await asyncio.to_thread(plan_draft, current_draft(cohort), result, adepts, mentors)


async def save_draft(session: AsyncSession, program_id: int, plan: DraftPlan, now: datetime) -> list[DraftPair]:
    """Write `plan` in this transaction; returns the draft ordered by pair id."""
    conn = await session.connection()
    for start in range(0, len(plan.drop), PART):
        await conn.execute(sa.delete(_PAIRING).where(_PAIRING.c.id.in_(plan.drop[start : start + PART])))
        await asyncio.sleep(0)
    kept = [p for p in plan.pairs if p.id is not None]
    refresh = (
        sa.update(_PAIRING)
        .where(_PAIRING.c.id == sa.bindparam("row_id"))
        .values(
            pinned=sa.bindparam("new_pinned"), score=sa.bindparam("new_score"), rationale=sa.bindparam("new_rationale")
        )
    )
    for start in range(0, len(kept), PART):
        await conn.execute(
            refresh,
            [
                {"row_id": p.id, "new_pinned": p.pinned, "new_score": p.score, "new_rationale": p.rationale}
                for p in kept[start : start + PART]
            ],
        )
        await asyncio.sleep(0)
    new = [p for p in plan.pairs if p.id is None]
    for start in range(0, len(new), PART):
        await conn.execute(
            sa.insert(_PAIRING),
            [
                {
                    "program_id": program_id,
                    "adept_id": p.adept_id,
                    "mentor_id": p.mentor_id,
                    "status": PairStatus.DRAFT,
                    "pinned": p.pinned,
                    "score": p.score,
                    "rationale": p.rationale,
                    "created_at": now,
                    "goals": [],
                    "checks": {},
                }
                for p in new[start : start + PART]
            ],
        )
        await asyncio.sleep(0)
    if new:  # their numbers: one adept has one draft pair
        numbers = dict(
            (
                await session.exec(
                    select(col(Pairing.adept_id), col(Pairing.id)).where(
                        col(Pairing.program_id) == program_id, col(Pairing.status) == PairStatus.DRAFT
                    )
                )
            ).all()
        )
        for p in new:
            p.id = numbers[p.adept_id]
    return sorted(plan.pairs, key=lambda p: p.id or 0)
