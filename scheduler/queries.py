"""A tick's statements, built once with their values bound at execution
(`Bound`): building a statement costs more than SQLite's work on it, and a
tick runs several. tests/scheduler/test_query_plans.py checks their plans:
each seeks `ix_reminder_status_due` (status, due_at), also after ANALYZE, on
both databases; none scans the table.

A dispatcher that serves only some platforms (`serve` runs Slack and Teams,
not the console) passes them as `platforms`: it claims, and wakes for, only
the rows it can deliver (`_served`); the others stay pending for a process
that runs their platform. None: every platform (the default)."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa

from bot.store.models import Identity, Reminder, ReminderStatus
from bot.store.rows import table_of
from scheduler.record import UNCONFIRMED

T = table_of(Reminder)
IDENTITY = table_of(Identity)
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


Platforms = frozenset[str] | None


def _served(platforms: frozenset[str]):
    """A row this dispatcher can deliver: one written to an address on one
    of `platforms` (a reply, a channel post), one to a person who has an
    identity on one of them, or one to nobody yet (for "the coordinators",
    addressed when claimed)."""
    wanted = sorted(platforms)
    on = T.c.address["platform"].as_string()  # NULL for a row without an address (SQL or JSON null)

    def one_of(column):  # plain parameters, not an expanding IN list: the statement is built once
        return sa.or_(*(column == p for p in wanted)) if wanted else sa.false()

    has_identity = sa.exists().where(IDENTITY.c.person_id == T.c.person_id, one_of(IDENTITY.c.platform))
    # Never NULL (a NULL would make "not served" unknown too): the address test is guarded.
    return sa.or_(
        sa.and_(on.is_not(None), one_of(on)),
        sa.and_(on.is_(None), sa.or_(T.c.person_id.is_(None), has_identity)),
    )


@functools.cache
def _first_due(platforms: frozenset[str]):
    """The earliest pending row this dispatcher can deliver: walked in
    (status, due_at) order and stopped at the first, not a min() that would
    test every pending row."""
    return sa.select(T.c.due_at).where(_is(PENDING), _served(platforms)).order_by(T.c.due_at).limit(1).scalar_subquery()


@functools.cache
def _work(platforms: Platforms):
    if platforms is None:
        return _WORK
    return sa.select(sa.or_(_first_due(platforms) <= _NOW, sa.exists().where(_is(CLAIMED), T.c.lease_until < _NOW)))


@functools.cache
def _next_due(platforms: Platforms):
    return _NEXT_DUE if platforms is None else sa.select(_first_due(platforms))


def work_query(now: datetime, platforms: Platforms = None) -> Bound:
    return Bound(_work(platforms), {"now": now})


def next_due_query(platforms: Platforms = None) -> Bound:
    return Bound(_next_due(platforms), {})


@functools.cache
def _waiting_elsewhere(platforms: frozenset[str]):
    return sa.select(sa.func.count()).select_from(T).where(_is(PENDING), sa.not_(_served(platforms)))


def waiting_elsewhere_query(platforms: frozenset[str]) -> Bound:
    """How many pending rows only a process running another platform can send (said once at start)."""
    return Bound(_waiting_elsewhere(platforms), {})


def reclaim_query(now: datetime) -> Bound:
    return Bound(_RECLAIM, {"now": now})


# A due row past its `expires_at` is too late to be useful: the claim that
# reaches it marks it expired instead of claiming it (no attempt, no lease),
# and the dispatcher runs its kind's `after_expired` hook.
TOO_LATE = "too late to be useful"
_LATE = sa.and_(T.c.expires_at.is_not(None), T.c.expires_at <= _NOW)


@functools.cache
def _claim(batch: int, skip_locked: bool, platforms: Platforms = None):
    due = sa.select(T.c.id).where(_is(PENDING), T.c.due_at <= _NOW)
    if platforms is not None:
        due = due.where(_served(platforms))
    due = due.order_by(T.c.due_at, T.c.id).limit(batch)
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


def claim_query(
    now: datetime, worker: str, lease: timedelta, batch: int, *, skip_locked: bool, platforms: Platforms = None
) -> Bound:
    return Bound(_claim(batch, skip_locked, platforms), {"now": now, "worker": worker, "lease_until": now + lease})
