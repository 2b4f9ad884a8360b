"""The outbox as the planner and the dispatcher write it: planned rows,
insert-if-absent on the unique key (SQLite and PostgreSQL), and the light
reads, cancels and revivals that re-planning needs."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import Reminder, ReminderStatus
from bot.store.rows import table_of


@dataclass
class Planned:
    """A row the current state calls for."""

    key: str
    kind: str
    template: str
    due_at: datetime
    subject: str
    program_id: int | None = None
    person_id: int | None = None
    address: dict | None = None
    context: dict | None = None
    expires_at: datetime | None = None

    def row(self, now: datetime) -> dict:
        return {
            "key": self.key,
            "kind": self.kind,
            "template": self.template,
            "due_at": self.due_at,
            "expires_at": self.expires_at,
            "subject": self.subject,
            "program_id": self.program_id,
            "person_id": self.person_id,
            "address": self.address,
            "context": self.context or {},
            "status": ReminderStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
        }


async def run(session: AsyncSession, statement, params: dict | None = None):
    """Execute a Core statement (UPDATE/INSERT ... RETURNING) in the session's
    transaction, with `params` for its bound parameters."""
    return await (await session.connection()).execute(statement, params)


async def run_many(session: AsyncSession, statement, params: list[dict]):
    """The same statement for many parameter sets (one executemany)."""
    return await (await session.connection()).execute(statement, params)


def dialect_of(session: AsyncSession) -> str:
    if session.bind is None:
        raise ValueError("the session is not bound to an engine")
    return session.bind.dialect.name


T = table_of(Reminder)
LOOK_FIRST = 16  # offers of this many rows or more read the known keys first
_KNOWN_KEYS = sa.select(T.c.key).where(T.c.key.in_(sa.bindparam("keys", expanding=True)))


async def insert_if_absent(session: AsyncSession, planned: Iterable[Planned], now: datetime) -> int:
    """Insert the rows whose key is new (ON CONFLICT DO NOTHING on both
    databases, so a concurrent planner cannot double a row); returns how many
    were offered to the INSERT. A large offer (a sweep re-offering a program's
    survey or intake rows) first reads which keys are already there and
    offers only the others: an index lookup per key costs far less than
    encoding and inserting a row that conflicts."""
    planned = list(planned)
    if len(planned) >= LOOK_FIRST:
        known: set[str] = set()
        keys = [p.key for p in planned]
        for start in range(0, len(keys), 500):
            found = await run(session, _KNOWN_KEYS, {"keys": keys[start : start + 500]})
            known.update(found.scalars().all())
        planned = [p for p in planned if p.key not in known]
    rows = [p.row(now) for p in planned]
    if not rows:
        return 0
    stmt = _insert_if_absent(dialect_of(session))
    for start in range(0, len(rows), 1000):
        if start:
            await asyncio.sleep(0)  # many rows: let the loop answer others between the parts
        await run_many(session, stmt, rows[start : start + 1000])
    return len(rows)


def insert_new(dialect: str, table: sa.Table, keys: tuple[str, ...]):
    """An INSERT into `table` that skips a row whose unique `keys` are there
    already (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=list(keys))


@functools.cache
def _insert_if_absent(dialect: str):
    return insert_new(dialect, table_of(Reminder), ("key",))


_COLUMNS = (T.c.id, T.c.key, T.c.kind, T.c.status, T.c.context, T.c.subject)
_BARE = tuple(c for c in _COLUMNS if c is not T.c.context)


@functools.cache
def _rows_of(pending_only: bool, by_kind: bool, context: bool = True):
    """Built once per shape (building a statement costs more than SQLite's work on it)."""
    query = sa.select(*(_COLUMNS if context else _BARE)).where(T.c.subject == sa.bindparam("subject"))
    if pending_only:
        query = query.where(T.c.status == ReminderStatus.PENDING.value)
    if by_kind:
        query = query.where(T.c.kind.in_(sa.bindparam("kinds", expanding=True)))
    return query


async def rows_of(
    session: AsyncSession,
    subject: str,
    *,
    pending_only: bool = False,
    kinds: tuple[str, ...] | None = None,
    context: bool = True,
) -> list:
    """The light rows (id, key, kind, status, context, subject) of one
    subject; without `context` (a JSON document to decode per row) when the
    caller compares keys and statuses only."""
    params: dict = {"subject": subject}
    if kinds:
        params["kinds"] = list(kinds)
    return list((await run(session, _rows_of(pending_only, bool(kinds), context), params)).all())


async def cancel_ids(session: AsyncSession, ids: list[int]) -> int:
    """Cancel these rows if still pending (they stay as history)."""
    for start in range(0, len(ids), 500):
        await run(
            session,
            sa.update(T)
            .where(T.c.id.in_(ids[start : start + 500]), T.c.status == ReminderStatus.PENDING.value)
            .values(status=ReminderStatus.CANCELLED.value, last_error="re-planned"),
        )
    return len(ids)


async def revive(session: AsyncSession, planned: list[tuple[int, Planned]]) -> int:
    """Cancelled rows whose key is wanted again (an event moved back) become pending."""
    return await _reschedule(session, planned, ReminderStatus.CANCELLED)


async def retime(session: AsyncSession, planned: list[tuple[int, Planned]]) -> int:
    """Pending rows whose key is still wanted, at another moment (the meeting
    a survey follows moved), take the new moment and context."""
    return await _reschedule(session, planned, ReminderStatus.PENDING)


async def _reschedule(session: AsyncSession, planned: list[tuple[int, Planned]], status: ReminderStatus) -> int:
    if planned:
        await run_many(
            session,
            sa.update(T)
            .where(T.c.id == sa.bindparam("rid"), T.c.status == status.value)
            .values(
                status=ReminderStatus.PENDING.value,
                due_at=sa.bindparam("due"),
                expires_at=sa.bindparam("exp"),
                context=sa.bindparam("ctx"),
                attempts=0,
                last_error=None,
            ),
            [{"rid": rid, "due": p.due_at, "exp": p.expires_at, "ctx": p.context or {}} for rid, p in planned],
        )
    return len(planned)


async def cancel_pending(
    session: AsyncSession, subject: str, keep: set[str], kinds: tuple[str, ...] | None = None, keep_if=None
) -> int:
    """Cancel the pending rows of `subject` not in `keep`."""
    rows = await rows_of(session, subject, pending_only=True, kinds=kinds)
    return await cancel_ids(session, [r.id for r in rows if r.key not in keep and not (keep_if and keep_if(r))])


async def reconcile(
    session: AsyncSession, existing: list, wanted: list[Planned], now: datetime, *, keep_if=None, insert_if=None
) -> tuple[list[int], list[Planned], list[tuple[int, Planned]]]:
    """What to cancel, insert and revive so `subject`'s rows match `wanted`."""
    by_key = {r.key: r for r in existing}
    wanted_keys = {p.key for p in wanted}
    cancel = [
        r.id
        for r in existing
        if r.status == ReminderStatus.PENDING and r.key not in wanted_keys and not (keep_if and keep_if(r))
    ]
    fresh = [p for p in wanted if p.key not in by_key and (insert_if is None or insert_if(p))]
    again = [
        (by_key[p.key].id, p)
        for p in wanted
        if p.key in by_key and by_key[p.key].status == ReminderStatus.CANCELLED and (insert_if is None or insert_if(p))
    ]
    return cancel, fresh, again


# A held row waits for its reader to write to the bot again (every way to
# reach them is marked unreachable): it stays pending, due at the end of time,
# so the dispatcher never claims it, and never expires it.
HELD_UNTIL = datetime(9999, 1, 1, tzinfo=UTC)
HELD = "held until they write again: "  # the start of a held row's `last_error`


async def release_held(session: AsyncSession, person_id: int, now: datetime) -> int:
    """They wrote again: the rows held for them are due now (in their order),
    and those too late to be useful expire as any late row does."""
    done = await run(
        session,
        sa.update(T)
        .where(
            T.c.person_id == person_id,
            T.c.status == ReminderStatus.PENDING.value,
            T.c.due_at >= HELD_UNTIL,
        )
        .values(due_at=now, last_error=None),
    )
    return max(done.rowcount or 0, 0)
