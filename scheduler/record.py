"""Recording what happened to a claimed outbox row, for the dispatcher and
for the adapters' sends right after a turn (`scheduler.fastpath`).

Outcomes: `sent` (with the platform's message id, or the `MessageRef` it
answered: a row sent to a person's user id alone keeps the conversation the
platform opened for it, which an update of the message needs), `cancelled` (no longer
wanted), `error` (a `DeliveryError`: retried later, or failed and reported,
or held when its reader is marked unreachable: pending, unsent and not failed
until they write again; what a failure does next is `scheduler.failed`) and `release` (not sent: back to pending at a given
time, no attempt used).

Every record is checked against the lease: it applies only while the row is
still claimed by this worker. A row whose lease ran out was taken back, so
another dispatcher may send it; this one then leaves it alone ("lost").

Records that arrive while another is being written are written together in
the next transaction (group commit), by one writer task; each sender waits
only for the transaction that holds its record. When the database cannot take them the
recorder is `broken`: the dispatcher stops sending until a record succeeds,
and the unrecorded rows come back after their lease as `UNCONFIRMED`, which
makes the next send check first whether the platform already has it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.messages import MessageRef
from bot.ports import DeliveryError
from bot.privacy.erase import erased_key
from bot.reminders.kinds import has_after_sent, kind_of
from bot.reminders.store import HELD, HELD_UNTIL, run
from bot.store.db import Database
from bot.store.models import Reminder, ReminderStatus
from bot.store.rows import table_of
from scheduler.failed import fall_back, held_for, mark_if_unreachable, report_failure

log = logging.getLogger(__name__)

T = table_of(Reminder)
PENDING, CLAIMED, SENT = ReminderStatus.PENDING.value, ReminderStatus.CLAIMED.value, ReminderStatus.SENT.value
FAILED, CANCELLED = ReminderStatus.FAILED.value, ReminderStatus.CANCELLED.value
# `last_error` of a row whose send may or may not have reached the platform
# (its lease ran out, or the send timed out): check before sending again.
UNCONFIRMED = "unconfirmed: the last send may have reached the platform"


@dataclass
class Claimed:
    id: int
    key: str
    kind: str
    template: str
    person_id: int | None
    address: dict | None
    context: dict
    program_id: int | None
    subject: str | None
    attempts: int
    expires_at: datetime | None
    last_error: str | None = None
    send_by: datetime | None = None  # set by the claim: no send of this row may start or last beyond it
    status: str = CLAIMED  # what the claim made of it: claimed, or expired (too late, never sent)


def _message_id(sent: MessageRef | str | None) -> str | None:
    return sent.message_id if isinstance(sent, MessageRef) else sent


def _opened(row: Claimed, sent: MessageRef | str | None) -> dict | None:
    """The row's address with the conversation the platform sent it in, when
    the address named none (a DM sent to a user id: Slack's `D…` channel, the
    Teams chat it opened); None when there is nothing to add. What an update
    of the message later needs (`MessageRef`), kept with its message id."""
    if not isinstance(sent, MessageRef) or not sent.conversation or not row.address:
        return None
    if row.address.get("conversation") or row.address.get("platform") != str(sent.platform):
        return None
    return {**row.address, "conversation": sent.conversation}


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... capped at an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempt - 1, 0), 3600))


@functools.cache
def _update_mine_statement(names: tuple[str, ...], attempt_back: bool):
    """An outcome's UPDATE, checked against the lease; built once per set of columns."""
    values: dict = {name: sa.bindparam(f"new_{name}", type_=T.c[name].type) for name in names}
    if attempt_back:
        values["attempts"] = T.c.attempts - 1
    where = sa.and_(T.c.id == sa.bindparam("row_id"), T.c.status == CLAIMED, T.c.claimed_by == sa.bindparam("worker"))
    return sa.update(T).where(where).values(values).returning(T.c.id)


async def run_hooks(session: AsyncSession, rows: list, now: datetime, hook: str) -> None:
    """Each kind's `after_sent` / `after_expired` hook, once for its rows, in a
    savepoint: one that fails is logged and undone, and the outcome it
    follows (sent, expired) is still written. A hook that failed on every
    try would otherwise roll back every record or every tick, and nothing
    would be sent again."""
    by_kind: dict[str, list] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    for name, group in by_kind.items():
        kind = kind_of(name)
        fn = getattr(kind, hook) if kind is not None else None
        if fn is None:
            continue
        try:
            async with session.begin_nested():
                await fn(session, group, now)
        except Exception:
            log.exception("the %s hook of %d %s rows failed; undone, the rows stay as recorded", hook, len(group), name)


class Recorder:
    def __init__(self, db: Database, clock: Clock, worker: str, max_attempts: int = 5):
        self.db = db
        self.clock = clock
        self.worker = worker
        self.max_attempts = max_attempts
        self.broken = False  # the last write failed: stop sending until one succeeds
        self._queue: list = []
        self._writer: asyncio.Task | None = None

    async def record(self, row: Claimed, what: str, detail) -> str:
        """Record one outcome; returns sent / cancelled / retried / failed / held / lost.
        Returns once the outcome is written (a dispatcher's gate slot is held
        until then: that is what bounds the sent-but-unrecorded messages)."""
        return await self.submit(row, what, detail)

    def submit(self, row: Claimed, what: str, detail) -> asyncio.Future[str]:
        """Queue one outcome for the writer; the future is answered (as
        `record` returns) once it is written. Outcomes submitted before the
        writer runs go in one transaction."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[str] = loop.create_future()
        self._queue.append((row, what, detail, waiter))
        if self._writer is None or self._writer.done():
            # In a context of its own: not the first sender's (which may be
            # inside a write transaction, or carry its turn's telemetry).
            self._writer = loop.create_task(self._write_queued(), context=contextvars.Context())
        return waiter

    async def _write_queued(self) -> None:
        """One writer (a task of its own, not one of the senders): what queued
        up while a transaction was written is written together in the next,
        and every sender in a transaction is answered when it commits, at
        once (no convoy through a lock, one sender per turn of the loop)."""
        while self._queue:
            batch, self._queue = self._queue, []
            now = self.clock.now()
            try:
                async with self.db.write() as session:
                    outcomes = await self._apply_many(session, [(r, w, d) for r, w, d, _ in batch], now)
                self.broken = False
            except Exception:
                log.exception("recording %d outcomes failed; the rows come back after their lease", len(batch))
                self.broken = True
                outcomes = ["retried"] * len(batch)
            for (*_, fut), outcome in zip(batch, outcomes):
                if not fut.done():  # its sender may have been cancelled meanwhile
                    fut.set_result(outcome)

    async def _apply_many(self, session: AsyncSession, items: list, now: datetime) -> list[str]:
        """Plain sends in one statement (checked against the lease); the rest one by one."""
        plain = {r.id: (r, d) for r, w, d in items if w == "sent" and not has_after_sent(r.kind)}
        recorded: set[int] = set()
        if len(plain) == 1:  # the usual case, in a statement built once
            row, sent = next(iter(plain.values()))
            if await self._sent(session, row, sent, now):
                recorded.add(row.id)
        elif plain:
            ids = list(plain)
            for start in range(0, len(ids), 500):
                recorded |= await self._sent_together(session, [plain[i] for i in ids[start : start + 500]], now)
        outcomes = []
        hooked: list[Claimed] = []  # sent rows whose kind acts after a send
        for r, w, d in items:
            if r.id in plain:
                outcomes.append("sent" if r.id in recorded else self._lost(r))
            elif w == "sent":
                sent = await self._sent(session, r, d, now)
                outcomes.append("sent" if sent else self._lost(r))
                if sent:
                    hooked.append(r)
            else:
                outcomes.append(await self._apply(session, r, w, d, now))
        # After every send is recorded: the forgetting applies to sent rows only.
        await self._forget_transient(
            session, [r.id for r, w, d in items if w == "sent" and (r.context or {}).get("transient")]
        )
        # Once per kind for the rows recorded together: both members' copies
        # of a pair's nudge re-plan the pair once.
        await run_hooks(session, hooked, now, "after_sent")
        return outcomes

    async def _sent_together(
        self, session: AsyncSession, rows: list[tuple[Claimed, MessageRef | str | None]], now: datetime
    ) -> set[int]:
        """Several plain sends in one UPDATE (checked against the lease): each
        row's message id, and its address where the platform named the
        conversation it opened (`_opened`); the ids recorded."""
        chunk = [r.id for r, _ in rows]
        values: dict = {
            "status": SENT,
            "message_id": sa.case({r.id: _message_id(d) for r, d in rows}, value=T.c.id),
            "sent_at": now,
            "lease_until": None,
            "last_error": None,
        }
        opened = {r.id: address for r, d in rows if (address := _opened(r, d)) is not None}
        if opened:
            values["address"] = sa.case(
                {i: sa.bindparam(f"address_{i}", address, type_=T.c.address.type) for i, address in opened.items()},
                value=T.c.id,
                else_=T.c.address,
            )
        statement = (
            sa.update(T)
            .where(T.c.id.in_(chunk), T.c.status == CLAIMED, T.c.claimed_by == self.worker)
            .values(values)
            .returning(T.c.id)
        )
        return set((await run(session, statement)).scalars().all())

    async def _forget_transient(self, session: AsyncSession, ids: list[int]) -> None:
        """A sent row marked transient keeps neither its address, its text nor its
        key (a reply's key holds the platform's event id: on Teams, with the chat's id)."""
        if ids:
            values = {"address": None, "context": {}, "key": erased_key()}
            await run(session, sa.update(T).where(T.c.id.in_(ids), T.c.status == SENT).values(**values))

    def _lost(self, row: Claimed) -> str:
        log.warning("outbox row %s: the lease ran out before its outcome was recorded; left to its new holder", row.key)
        return "lost"

    async def _update_mine(self, session: AsyncSession, row: Claimed, *, attempt_back: bool = False, **values) -> bool:
        """Set `values` on the row while this worker holds it (`attempt_back`:
        the claim's attempt is given back); whether it did."""
        statement = _update_mine_statement(tuple(sorted(values)), attempt_back)
        params = {f"new_{name}": value for name, value in values.items()}
        done = (await run(session, statement, {"row_id": row.id, "worker": self.worker, **params})).first()
        return done is not None

    async def _sent(self, session: AsyncSession, row: Claimed, sent: MessageRef | str | None, now: datetime) -> bool:
        values: dict[str, Any] = {"status": SENT, "message_id": _message_id(sent), "sent_at": now}
        if (address := _opened(row, sent)) is not None:
            values["address"] = address
        return await self._update_mine(session, row, lease_until=None, last_error=None, **values)

    async def _apply(self, session: AsyncSession, row: Claimed, what: str, detail, now: datetime) -> str:
        if what == "cancelled":
            ok = await self._update_mine(session, row, status=CANCELLED, lease_until=None, last_error=detail)
            return "cancelled" if ok else self._lost(row)
        if what == "release":  # not sent at all: back in line at `detail`, no attempt used
            ok = await self._update_mine(
                session,
                row,
                status=PENDING,
                due_at=detail,
                lease_until=None,
                claimed_by=None,
                attempt_back=True,
                # A row whose last send may have arrived keeps that mark: its
                # next send checks first.
                last_error=UNCONFIRMED if row.last_error == UNCONFIRMED else "waiting its turn",
            )
            return "retried" if ok else self._lost(row)
        err: DeliveryError = detail
        note = UNCONFIRMED if err.unconfirmed else err.reason
        if err.retry_after is not None and not err.permanent:
            # The platform said when: not before then, and not an attempt.
            ok = await self._update_mine(
                session,
                row,
                status=PENDING,
                due_at=now + timedelta(seconds=err.retry_after),
                attempt_back=True,
                lease_until=None,
                claimed_by=None,
                last_error=note,
            )
            return "retried" if ok else self._lost(row)
        if not err.permanent and row.attempts < self.max_attempts:
            ok = await self._update_mine(
                session,
                row,
                status=PENDING,
                due_at=now + backoff(row.attempts),
                lease_until=None,
                claimed_by=None,
                last_error=note,
            )
            return "retried" if ok else self._lost(row)
        # The platform's own "cannot reach them" fails the row and is reported
        # (below); a later row for someone marked so waits, unsent, until they
        # write again.
        reader = None if err.unreachable else await held_for(session, row)
        if reader is not None:
            ok = await self._update_mine(
                session,
                row,
                status=PENDING,
                due_at=HELD_UNTIL,
                person_id=reader,
                attempt_back=True,
                lease_until=None,
                claimed_by=None,
                last_error=(HELD + err.reason)[:500],
            )
            return "held" if ok else self._lost(row)
        if not await self._update_mine(session, row, status=FAILED, lease_until=None, last_error=err.reason):
            return self._lost(row)
        context = row.context or {}
        if "message" not in context:  # an adapter's send right after the turn knows only the row's id
            context = (await run(session, sa.select(T.c.context).where(T.c.id == row.id))).scalar() or {}
        if context.get("fallback"):
            await fall_back(session, row, context, now)
            return "failed"
        await mark_if_unreachable(session, row, err)
        kind = kind_of(row.kind)
        if kind is None or kind.report_failure:
            await report_failure(session, row, err, now)
        return "failed"
