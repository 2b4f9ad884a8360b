"""Whether anything a matching solution depends on changed since the cohort
was read: a digest of those rows, taken when the draft is made and checked
again in the write transaction that saves it."""

from __future__ import annotations

import hashlib
from datetime import date

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.matching.cohort import EARLIER, in_parts
from bot.store.models import Enrollment, MatchAllowance, MatchExclusion, Pairing, Person, Program
from bot.store.rows import table_of


async def state_digest(session: AsyncSession, program: Program, today: date) -> str:
    """A digest of every row a solution depends on: the program's enrollments
    (status, answers, capacity, pause, waitlist) with their person's
    organisation, its pairs and pins, its exclusions and allowances, earlier pairs in other
    programs, its rule, and the day (pauses end). Plain rows, no objects: it
    is the cheap check, in the write transaction, that nothing changed since
    the cohort was read."""
    e, p, pair = table_of(Enrollment), table_of(Person), table_of(Pairing)
    x, allowed = table_of(MatchExclusion), table_of(MatchAllowance)
    statements = [
        sa.select(
            e.c.id,
            e.c.person_id,
            e.c.role,
            e.c.status,
            e.c.capacity,
            e.c.paused_until,
            e.c.waitlisted,
            sa.cast(e.c.answers, sa.Text),
            p.c.organisation_id,
        )
        .join(p, p.c.id == e.c.person_id)
        .where(e.c.program_id == program.id)
        .order_by(e.c.id),
        sa.select(pair.c.id, pair.c.program_id, pair.c.status, pair.c.adept_id, pair.c.mentor_id, pair.c.pinned)
        .where(sa.or_(pair.c.program_id == program.id, pair.c.status.in_([str(s) for s in EARLIER])))
        .order_by(pair.c.id),
        sa.select(x.c.adept_id, x.c.mentor_id).where(x.c.program_id == program.id).order_by(x.c.id),
        sa.select(allowed.c.adept_id, allowed.c.mentor_id, allowed.c.created_at)
        .where(allowed.c.program_id == program.id)
        .order_by(allowed.c.id),
        sa.select(Program.__table__.c.match_rule).where(Program.__table__.c.id == program.id),  # type: ignore[attr-defined]
    ]
    digest = hashlib.sha256(today.isoformat().encode())
    for statement in statements:
        async for part in in_parts(session, statement):
            digest.update(repr([tuple(row) for row in part]).encode())
    return digest.hexdigest()
