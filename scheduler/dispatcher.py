"""Claims due reminder rows, renders them, sends them, records the result.

One tick:
1. rows whose lease ran out (a dispatcher died holding them) go back to
   pending; due rows past their `expires_at` expire instead of being sent;
2. a batch of due rows is claimed atomically with a lease (`FOR UPDATE SKIP
   LOCKED` on PostgreSQL; `BEGIN IMMEDIATE` + `UPDATE ... RETURNING` on
   SQLite), so two dispatchers never hold the same row;
3. each row is rendered in its reader's language and sent through
   `bot.ports.Delivery` *outside* any transaction, a few at a time;
4. each send is recorded at once (message id, sent_at). A crash between a
   send and its record can repeat that one message after the lease runs out,
   so at most `concurrency` messages are ever in that window.

Failures: a `DeliveryError` with `retry_after` (HTTP 429) puts the row back
with `due_at` no earlier than that, without counting an attempt; other
failures back off exponentially; after `max_attempts` (or a permanent error)
the row is failed and a report to the coordinators is queued as a reminder
row of its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.config import Config
from bot.i18n import Translator, translator_for
from bot.people import coordinator_people, identity_of
from bot.ports import Delivery, DeliveryError
from bot.store.db import Database
from bot.store.models import Pairing, Person, Reminder, ReminderStatus
from scheduler.outbox import Planned, insert_if_absent, run, run_many
from scheduler.planner import TO_COORDINATORS, plan_pair
from scheduler.render import Renderer, Skip, Unreachable

log = logging.getLogger(__name__)

T = Reminder.__table__
PREPARE_CHUNK = 1000  # rows rendered per read transaction (later chunks render while earlier ones send)
PENDING, CLAIMED, SENT = ReminderStatus.PENDING.value, ReminderStatus.CLAIMED.value, ReminderStatus.SENT.value
FAILED, EXPIRED, CANCELLED = ReminderStatus.FAILED.value, ReminderStatus.EXPIRED.value, ReminderStatus.CANCELLED.value


@dataclass
class TickResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    expired: int = 0
    cancelled: int = 0
    reclaimed: int = 0
    expanded: int = 0

    def add(self, other: "TickResult") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def busy(self) -> bool:
        return bool(self.claimed or self.expired or self.reclaimed)


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


def destination(to) -> tuple:
    """The conversation a post lands in (a DM by user when no conversation is known)."""
    return (str(to.platform), to.tenant, to.conversation or f"user:{to.user}")


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... capped at an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempt - 1, 0), 3600))


@dataclass
class Dispatcher:
    db: Database
    delivery: Delivery
    clock: Clock
    config: Config = field(default_factory=Config)
    translator: Translator | None = None
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    lease: timedelta = timedelta(minutes=5)
    batch: int = 100
    concurrency: int = 4  # also the most messages a crash can repeat (sent, not yet recorded)
    max_attempts: int = 5
    # Seconds between two posts to the same conversation, per platform (Slack:
    # about 1 message/s per channel); a port may declare `conversation_interval`
    # instead. Posts to one conversation then go one after the other, and the
    # wait happens outside the concurrency gate.
    pace: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.renderer = Renderer(self.config, self.translator or translator_for(self.config))
        self._write_lock = asyncio.Lock()
        self._next_ok: dict[tuple, float] = {}  # conversation -> loop time of its next allowed post
        self._queue: list = []

    # ------------------------------------------------------------ public

    async def tick(self, max_batches: int | None = None) -> TickResult:
        """Send everything due now (batch after batch); returns what happened."""
        total = TickResult()
        batches = 0
        while max_batches is None or batches < max_batches:
            # The first claim shares its transaction with the housekeeping.
            rows = await self.claim(housekeeping=total if batches == 0 else None)
            if not rows:
                break
            batches += 1
            total.claimed += len(rows)
            result = await self.process(rows)
            total.add(result)
            if len(rows) < self.batch and not (result.expanded or result.failed):
                break  # nothing more was due when we looked, and this batch made no new rows
        return total

    async def next_due(self) -> datetime | None:
        """When the earliest pending row is due (an index seek)."""
        async with self.db.read() as session:
            return (await run(session,
                sa.select(sa.func.min(T.c.due_at)).where(T.c.status == PENDING)
            )).scalar()

    # --------------------------------------------------------- the steps

    async def housekeeping(self, session: AsyncSession | None = None, result: TickResult | None = None) -> TickResult:
        """Leases that ran out go back to pending; late rows expire."""
        result = result if result is not None else TickResult()
        if session is None:
            async with self.db.write() as session:
                return await self.housekeeping(session, result)
        now = self.clock.now()
        reclaimed = await run(session,
            sa.update(T).where(T.c.status == CLAIMED, T.c.lease_until < now)
            .values(status=PENDING, claimed_by=None, lease_until=None)
        )
        result.reclaimed = max(reclaimed.rowcount or 0, 0)
        expired = (await run(session,
            sa.update(T).where(T.c.status == PENDING, T.c.due_at <= now, T.c.expires_at <= now)
            .values(status=EXPIRED, last_error="too late to be useful")
            .returning(T.c.kind, T.c.context)
        )).all()
        result.expired = len(expired)
        pairs = {c.get("pairing_id") for kind, c in expired if kind == "nudge"}
        await self._replan_pairs(session, pairs, now)
        return result

    async def claim(self, housekeeping: TickResult | None = None) -> list[Claimed]:
        """Claim a batch of due rows (after the housekeeping, when given a result to add it to)."""
        now = self.clock.now()
        due = (
            sa.select(T.c.id).where(T.c.status == PENDING, T.c.due_at <= now)
            .order_by(T.c.due_at).limit(self.batch)
        )
        if not self.db.sqlite:
            due = due.with_for_update(skip_locked=True)
        stmt = (
            sa.update(T).where(T.c.id.in_(due.scalar_subquery()))
            .values(status=CLAIMED, claimed_by=self.worker, lease_until=now + self.lease, attempts=T.c.attempts + 1)
            .returning(T.c.id, T.c.key, T.c.kind, T.c.template, T.c.person_id, T.c.address, T.c.context,
                       T.c.program_id, T.c.subject, T.c.attempts, T.c.expires_at)
        )
        async with self.db.write() as session:
            if housekeeping is not None:
                await self.housekeeping(session, housekeeping)
            rows = [Claimed(**r._mapping) for r in (await run(session, stmt)).all()]
        return sorted(rows, key=lambda r: r.id)

    async def process(self, rows: list[Claimed]) -> TickResult:
        result = TickResult()
        group = [r for r in rows if r.context.get("to") == TO_COORDINATORS and not r.person_id]
        if group:
            result.expanded = await self._expand(group)
        rows = [r for r in rows if r not in group]
        gate = asyncio.Semaphore(self.concurrency)
        loop = asyncio.get_running_loop()

        async def one(row: Claimed, what, after: asyncio.Event | None = None,
                      done: asyncio.Event | None = None) -> str:
            try:
                return await send_one(row, what, after, done)
            finally:
                if done is not None:
                    done.set()

        async def send_one(row: Claimed, what, after, done) -> str:
            if after is not None:
                await after.wait()  # the conversation's previous post has been answered
            if isinstance(what, Skip):
                return await self._record(row, "cancelled", what.reason)
            if isinstance(what, Unreachable):
                return await self._record(row, "error", what.error)
            pace, lane = self._pace_for(what.to.platform), destination(what.to)
            if pace:  # wait for the conversation's turn outside the gate
                wait = self._next_ok.get(lane, 0.0) - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            async with gate:
                try:
                    sent = await self.delivery.send(what.to, what.message)
                except DeliveryError as err:
                    outcome = ("error", err)
                    if err.retry_after:
                        self._next_ok[lane] = loop.time() + err.retry_after
                except Exception as exc:  # an adapter bug must not kill the dispatcher
                    log.exception("sending reminder %s", row.key)
                    outcome = ("error", DeliveryError(f"{exc.__class__.__name__}: {exc}"))
                else:
                    outcome = ("sent", sent.ref.message_id if sent and sent.ref else None)
                if pace:
                    # Counted from the answer, which the platform sent after it
                    # counted our post: the gap it sees is never below `pace`.
                    self._next_ok[lane] = max(self._next_ok.get(lane, 0.0), loop.time() + pace)
                if done is not None:
                    done.set()  # the next post to this conversation may start waiting for its turn
                # Still inside the gate: at most `concurrency` sends are ever
                # out but not yet recorded (the crash window).
                return await self._record(row, *outcome)

        # Render a chunk, start sending it, render the next meanwhile; posts
        # to one conversation wait for the previous one's answer (in order).
        tasks: list[asyncio.Task] = []
        last_in_lane: dict[object, asyncio.Event] = {}
        for start in range(0, len(rows), PREPARE_CHUNK):
            for row, what in await self._prepare(rows[start:start + PREPARE_CHUNK]):
                to = getattr(what, "to", None)
                if to is not None and self._pace_for(to.platform):
                    key = destination(to)
                    done = asyncio.Event()
                    tasks.append(asyncio.ensure_future(one(row, what, last_in_lane.get(key), done)))
                    last_in_lane[key] = done
                else:
                    tasks.append(asyncio.ensure_future(one(row, what)))
        for outcome in await asyncio.gather(*tasks):
            setattr(result, outcome, getattr(result, outcome) + 1)
        return result

    def _pace_for(self, platform) -> float | None:
        """Seconds between posts to one conversation: the dispatcher's setting,
        else what the platform's port declares (`conversation_interval`)."""
        if platform in self.pace:
            return self.pace[platform]
        try:
            return getattr(self.delivery.port(platform), "conversation_interval", None)
        except DeliveryError:
            return None

    async def _prepare(self, rows: list[Claimed]) -> list[tuple[Claimed, object]]:
        """Render rows in their readers' languages (one read transaction)."""
        prepared: list[tuple[Claimed, object]] = []
        async with self.db.read() as session:
            for row in rows:
                try:
                    prepared.append((row, await self.renderer.prepare(session, row)))
                except Exception as exc:  # a template or data bug: fail the row, keep going
                    log.exception("rendering reminder %s", row.key)
                    prepared.append((row, Unreachable(DeliveryError(f"could not render: {exc}"))))
        return prepared

    # ---------------------------------------------------------- outcomes

    async def _record(self, row: Claimed, what: str, detail) -> str:
        """Record one outcome. Outcomes that arrive while another record is
        being written are written together in the next transaction (group
        commit): one writer at a time, no busy-waiting on SQLite's lock, and a
        send is recorded as soon as the database can take it."""
        waiter = asyncio.get_running_loop().create_future()
        self._queue.append((row, what, detail, waiter))
        async with self._write_lock:
            # Only a task whose own outcome is still unwritten writes; the
            # others leave at once (no convoy of one-row transactions).
            if not waiter.done():
                batch, self._queue = self._queue, []
                now = self.clock.now()
                try:
                    async with self.db.write() as session:
                        outcomes = await self._apply_many(session, [(r, w, d) for r, w, d, _ in batch], now)
                except Exception:
                    log.exception("recording %d outcomes together failed; recording them one by one", len(batch))
                    outcomes = [await self._apply_alone(r, w, d, now) for r, w, d, _ in batch]
                for (*_, fut), outcome in zip(batch, outcomes):
                    fut.set_result(outcome)
        return await waiter

    async def _apply_many(self, session: AsyncSession, items: list, now: datetime) -> list[str]:
        """Plain sends in one executemany; everything else one by one."""
        plain = [(r, d) for r, w, d in items if w == "sent" and r.kind != "nudge"]
        if plain:
            await run_many(session, sa.update(T).where(T.c.id == sa.bindparam("rid"), T.c.status != SENT).values(
                status=SENT, message_id=sa.bindparam("mid"), sent_at=now, lease_until=None, last_error=None),
                [{"rid": r.id, "mid": d} for r, d in plain])
        return [
            "sent" if (w == "sent" and r.kind != "nudge") else await self._apply(session, r, w, d, now)
            for r, w, d in items
        ]

    async def _apply_alone(self, row: Claimed, what: str, detail, now: datetime) -> str:
        try:
            async with self.db.write() as session:
                return await self._apply(session, row, what, detail, now)
        except Exception:
            # Left claimed: after the lease another tick takes it up again.
            log.exception("recording reminder %s (%s) failed", row.key, what)
            return "retried"

    async def _apply(self, session: AsyncSession, row: Claimed, what: str, detail, now: datetime) -> str:
        if what == "sent":
            await run(session, sa.update(T).where(T.c.id == row.id, T.c.status != SENT).values(
                status=SENT, message_id=detail, sent_at=now, lease_until=None, last_error=None))
            if row.kind == "nudge":
                await self._replan_pairs(session, {row.context.get("pairing_id")}, now)
            return "sent"
        if what == "cancelled":
            await run(session, sa.update(T).where(T.c.id == row.id, T.c.status == CLAIMED).values(
                status=CANCELLED, lease_until=None, last_error=detail))
            return "cancelled"
        err: DeliveryError = detail
        if err.retry_after is not None and not err.permanent:
            # The platform said when: not before then, and not an attempt.
            await run(session, sa.update(T).where(T.c.id == row.id, T.c.status == CLAIMED).values(
                status=PENDING, due_at=now + timedelta(seconds=err.retry_after), attempts=T.c.attempts - 1,
                lease_until=None, claimed_by=None, last_error=err.reason))
            return "retried"
        if not err.permanent and row.attempts < self.max_attempts:
            await run(session, sa.update(T).where(T.c.id == row.id, T.c.status == CLAIMED).values(
                status=PENDING, due_at=now + backoff(row.attempts), lease_until=None, claimed_by=None,
                last_error=err.reason))
            return "retried"
        await run(session, sa.update(T).where(T.c.id == row.id, T.c.status == CLAIMED).values(
            status=FAILED, lease_until=None, last_error=err.reason))
        if row.kind != "failure":
            await self._report_failure(session, row, err, now)
        return "failed"

    async def _report_failure(self, session: AsyncSession, row: Claimed, err: DeliveryError, now: datetime) -> None:
        if row.person_id:
            person = await session.get(Person, row.person_id)
            who = person.name if person else f"person {row.person_id}"
        else:
            address = row.address or {}
            identity = await identity_of(session, address.get("platform", ""), address.get("tenant", ""),
                                         address.get("user") or "") if address.get("user") else None
            person = await session.get(Person, identity.person_id) if identity else None
            who = person.name if person else \
                f"{address.get('platform', '?')} {address.get('conversation') or address.get('user') or '?'}"
        await insert_if_absent(session, [Planned(
            key=f"failure:{row.key}", kind="failure", template="scheduler/unreachable", due_at=now,
            subject=row.subject or "", program_id=row.program_id,
            context={"to": TO_COORDINATORS, "who": who, "what": row.template, "why": err.reason,
                     "attempts": row.attempts, "failed_key": row.key},
        )], now)

    async def _expand(self, rows: list[Claimed]) -> int:
        """A row for "the coordinators" becomes one row per coordinator (each
        with its own key, language and retries); the original is done."""
        now = self.clock.now()
        made = 0
        async with self.db.write() as session:
            people = await coordinator_people(session, self.config)
            for row in rows:
                context = {k: v for k, v in row.context.items() if k != "to"}
                children = [Planned(
                    key=f"{row.key}:person{p.id}", kind=row.kind, template=row.template, due_at=now,
                    subject=row.subject or "", program_id=row.program_id, person_id=p.id, context=context,
                ) for p in people]
                made += await insert_if_absent(session, children, now)
                status, note = (SENT, f"expanded to {len(children)} coordinators") if children \
                    else (FAILED, "no coordinator the bot can reach is configured")
                await run(session, sa.update(T).where(T.c.id == row.id).values(
                    status=status, lease_until=None, sent_at=now if children else None, last_error=note))
        return made

    async def _replan_pairs(self, session: AsyncSession, pairing_ids, now: datetime) -> None:
        for pairing_id in pairing_ids:
            if pairing_id and (pairing := await session.get(Pairing, pairing_id)) is not None:
                await plan_pair(session, pairing, now)
