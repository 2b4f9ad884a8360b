"""A tick's statements, built once with their values bound at execution
(`Bound`): building a statement costs more than SQLite's work on it, and a
tick runs several. tests/scheduler/test_query_plans.py checks their plans:
each seeks `ix_reminder_status_due` (status, due_at), also after ANALYZE, on
both databases; none scans the table."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from bot.store.models import Reminder, ReminderStatus
from bot.store.rows import table_of
from scheduler.record import UNCONFIRMED

T = table_of(Reminder)
PENDING, CLAIMED = ReminderStatus.PENDING.value, ReminderStatus.CLAIMED.value
EXPIRED = ReminderStatus.EXPIRED.value


def _is(status: str):
    return T.c.status == status


_NOW = sa.bindparam("now", type_=T.c.due_at.type)


class Bound(NamedTuple):
    statement: Any
    params: dict


# Whether a tick has anything to do: a due pending row or a lapsed lease.
# The earliest pending due time (one seek of (status, due_at)), not an
# EXISTS: PostgreSQL plans an EXISTS over many pending rows as a scan.
_WORK = sa.select(
    sa.or_(
        sa.select(sa.func.min(T.c.due_at)).where(_is(PENDING)).scalar_subquery() <= _NOW,
        sa.exists().where(_is(CLAIMED), T.c.lease_until < _NOW),
    )
)
_NEXT_DUE = sa.select(sa.func.min(T.c.due_at)).where(_is(PENDING))
# Leases that ran out: back to pending, marked unconfirmed.
_RECLAIM = (
    sa.update(T)
    .where(_is(CLAIMED), T.c.lease_until < _NOW)
    .values(status=PENDING, claimed_by=None, lease_until=None, last_error=UNCONFIRMED)
)


def work_query(now: datetime) -> Bound:
    return Bound(_WORK, {"now": now})


def next_due_query() -> Bound:
    return Bound(_NEXT_DUE, {})


def reclaim_query(now: datetime) -> Bound:
    return Bound(_RECLAIM, {"now": now})


# A due row past its `expires_at` is too late to be useful: the claim that
# reaches it marks it expired instead of claiming it (no attempt, no lease),
# and the dispatcher runs its kind's `after_expired` hook.
TOO_LATE = "too late to be useful"
_LATE = sa.and_(T.c.expires_at.is_not(None), T.c.expires_at <= _NOW)


@functools.cache
def _claim(batch: int, skip_locked: bool):
    due = sa.select(T.c.id).where(_is(PENDING), T.c.due_at <= _NOW).order_by(T.c.due_at, T.c.id).limit(batch)
    if skip_locked:
        due = due.with_for_update(skip_locked=True)
    lease_until = sa.bindparam("lease_until", type_=T.c.lease_until.type)
    return (
        sa.update(T)
        .where(T.c.id.in_(due.scalar_subquery()))
        .values(
            status=sa.case((_LATE, EXPIRED), else_=CLAIMED),
            claimed_by=sa.case((_LATE, T.c.claimed_by), else_=sa.bindparam("worker")),
            lease_until=sa.case((_LATE, sa.null()), else_=lease_until),
            attempts=sa.case((_LATE, T.c.attempts), else_=T.c.attempts + 1),
            last_error=sa.case((_LATE, TOO_LATE), else_=T.c.last_error),
        )
        .returning(
            T.c.id,
            T.c.key,
            T.c.kind,
            T.c.template,
            T.c.person_id,
            T.c.address,
            T.c.context,
            T.c.program_id,
            T.c.subject,
            T.c.attempts,
            T.c.expires_at,
            T.c.last_error,
            T.c.status,
        )
    )


def claim_query(now: datetime, worker: str, lease: timedelta, batch: int, *, skip_locked: bool) -> Bound:
    return Bound(_claim(batch, skip_locked), {"now": now, "worker": worker, "lease_until": now + lease})
