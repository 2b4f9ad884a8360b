"""Claims due reminder rows, renders them, sends them, records the result.

One tick:
1. rows whose lease ran out (a dispatcher died holding them) go back to
   pending (looked for at most every `RECLAIM_EVERY`: a lease lasts minutes);
2. a batch of due rows is claimed atomically with a lease (`FOR UPDATE SKIP
   LOCKED` on PostgreSQL; `BEGIN IMMEDIATE` + `UPDATE ... RETURNING` on
   SQLite), so two dispatchers never hold the same row; in the same
   statement due rows past their `expires_at` expire instead of being sent;
3. each row is rendered in its reader's language and sent through
   `bot.ports.Delivery` *outside* any transaction, a few at a time;
4. each send is recorded at once (message id, sent_at), only while this
   dispatcher still holds the row's lease (`scheduler.record`). A record that
   fails stops the batch. A row whose lease ran out comes back marked
   unconfirmed, and before it is sent again the platform is asked whether
   it already has it (Slack: the row key in the message metadata), so a
   crash between a send and its record repeats nothing on Slack, and at most
   `concurrency` messages elsewhere.

Failures: a `DeliveryError` with `retry_after` (HTTP 429) puts the row back
with `due_at` no earlier than that, without counting an attempt; other
failures back off exponentially; after `max_attempts` (or a permanent error)
the row is failed and a report to the coordinators is queued as a reminder
row of its own.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.config import Config
from bot.i18n import Translator, translator_for
from bot.messages import MessageRef, Sent
from bot.outbox import default_worker
from bot.ports import Delivery, DeliveryError
from bot.reminders.planner import TO_COORDINATORS
from bot.reminders.render import Renderer, Skip, Unreachable
from bot.reminders.store import run
from bot.store.db import Database
from bot.store.models import Reminder, ReminderStatus
from bot.store.rows import table_of
from scheduler.expand import expand
from scheduler.flow import Flow, chunks, finish, until_room
from scheduler.pace import Pacer
from scheduler.queries import claim_query, next_due_query, reclaim_query, waiting_elsewhere_query, work_query
from scheduler.record import UNCONFIRMED, Claimed, Recorder, backoff, run_hooks  # noqa: F401 (backoff: re-exported)

log = logging.getLogger(__name__)

T = table_of(Reminder)
LEASE_MARGIN_S = 5  # a send is abandoned this long before its lease runs out
PREPARE_CHUNK = 1000  # rows rendered per read transaction (later chunks render while earlier ones send)
FIRST_CHUNK = 50  # a batch's first chunk is small, so its first sends start before the rest is rendered
EXPAND_RETRY = timedelta(minutes=5)  # rows for "the coordinators" that could not be addressed wait this long
# Lapsed leases are looked for at most this often by one dispatcher (a lease
# lasts `Dispatcher.lease`, minutes): not a statement in every claim.
RECLAIM_EVERY = timedelta(seconds=30)
YIELD_EVERY = 50  # rows rendered between two turns of the event loop, so paced posts due meanwhile leave on time
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
    lost: int = 0  # outcomes not recorded: the lease had passed to another dispatcher
    held: int = 0  # not sent: their reader is marked unreachable until they write again

    def add(self, other: TickResult) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def busy(self) -> bool:
        return bool(self.claimed or self.expired or self.reclaimed)


def destination(to) -> tuple:
    """The conversation a post lands in (a DM by user when no conversation is known)."""
    return (str(to.platform), to.tenant, to.conversation or f"user:{to.user}")


@dataclass
class Dispatcher:
    db: Database
    delivery: Delivery
    clock: Clock
    config: Config = field(default_factory=Config)
    translator: Translator | None = None
    worker: str = field(default_factory=default_worker)
    lease: timedelta = timedelta(minutes=5)
    batch: int = 100
    concurrency: int = 4  # also the most messages a crash can repeat (sent, not yet recorded)
    max_attempts: int = 5
    # Seconds between two posts to the same conversation, per platform (Slack:
    # about 1 message/s per channel); a port may declare `conversation_interval`
    # instead. Posts to one conversation then go one after the other, and the
    # wait happens outside the concurrency gate. The pace counts from when the
    # platform accepted the last post, where its answer says (`pacer`).
    pace: dict = field(default_factory=dict)
    pacer: Pacer = field(default_factory=Pacer)
    # The platforms this process delivers to (`serve`: those configured on);
    # rows for another stay pending, unclaimed (`scheduler.queries._served`).
    # None: every platform.
    platforms: frozenset[str] | None = None

    def __post_init__(self) -> None:
        self.renderer = Renderer(self.config, self.translator or translator_for(self.config))
        self.recorder = Recorder(self.db, self.clock, self.worker, self.max_attempts)
        self._next_ok: dict[tuple, float] = {}  # conversation -> loop time of its next allowed post
        self._reclaimed_at: datetime | None = None  # when this dispatcher last took lapsed leases back

    # ------------------------------------------------------------ public

    async def tick(self, max_batches: int | None = None, *, look_first: bool = True) -> TickResult:
        """Send everything due now (batch after batch); returns what happened.
        An idle tick is one indexed read and takes no write lock (`look_first`;
        a caller that has just seen something due may skip the look).

        The next batch is claimed while the current one is still sending (once
        no more than half a batch of its rows is left), so no conversation
        idles between batches; the batches of a tick share one concurrency
        gate, so the bound on sent-but-unrecorded messages is `concurrency`
        for the whole tick, and one order per conversation."""
        total = TickResult()
        batches = 0
        self.recorder.broken = False  # a new tick tries the database again
        if look_first:
            async with self.db.read() as session:
                if not (await run(session, *work_query(self.clock.now(), self.platforms))).scalar():
                    return total
        flow = Flow(asyncio.Semaphore(self.concurrency), low=self.batch // 2)
        running: list[asyncio.Task] = []
        try:
            while max_batches is None or batches < max_batches:
                rows, taken = await self._claim(total)
                if rows:
                    batches += 1
                    total.claimed += len(rows)
                    flow.add(len(rows))
                    running.append(asyncio.ensure_future(self.process(rows, flow)))
                if taken == self.batch:  # more may be due: claim again once this batch is under way
                    await until_room(flow, running, total)
                    if self.recorder.broken:
                        break  # the database cannot take records: the next tick tries again
                    continue
                # Nothing more was due when we looked: finish, and look again
                # only if a batch made new rows (coordinator rows, failure reports).
                made = await finish(running, total)
                if self.recorder.broken or not made:
                    break
            await finish(running, total)
        except asyncio.CancelledError:
            for task in running:
                task.cancel()
            raise
        except BaseException:
            await asyncio.gather(*running, return_exceptions=True)  # sends under way end and are recorded
            raise
        return total

    async def next_due(self) -> datetime | None:
        """When the earliest pending row is due (an index seek)."""
        async with self.db.read() as session:
            return (await run(session, *next_due_query(self.platforms))).scalar()

    async def waiting_elsewhere(self) -> int:
        """How many pending rows are for a platform this process does not serve."""
        if self.platforms is None:
            return 0
        async with self.db.read() as session:
            return (await run(session, *waiting_elsewhere_query(self.platforms))).scalar() or 0

    # --------------------------------------------------------- the steps

    async def reclaim(self, session: AsyncSession, result: TickResult) -> None:
        """Leases that ran out go back to pending. Their last send may have
        reached the platform: marked, so the next send checks first."""
        now = self.clock.now()
        reclaimed = await run(session, *reclaim_query(now))
        result.reclaimed += max(reclaimed.rowcount or 0, 0)
        self._reclaimed_at = now

    async def claim(self, result: TickResult | None = None) -> list[Claimed]:
        """Claim a batch of due rows (those too late expire instead; `result` counts them)."""
        return (await self._claim(result if result is not None else TickResult()))[0]

    async def _claim(self, result: TickResult) -> tuple[list[Claimed], int]:
        """The claimed rows, and how many due rows the claim took (the
        expired ones too: a full batch means more may be due). Lapsed leases
        go back first when `RECLAIM_EVERY` has passed; the kinds'
        `after_expired` hooks run in the claim's transaction."""
        now = self.clock.now()
        claim = claim_query(
            now, self.worker, self.lease, self.batch, skip_locked=not self.db.sqlite, platforms=self.platforms
        )
        async with self.db.write() as session:
            if self._reclaimed_at is None or not now - RECLAIM_EVERY < self._reclaimed_at <= now:
                await self.reclaim(session, result)
            taken = [Claimed(**r._mapping) for r in (await run(session, *claim)).all()]
            expired = [r for r in taken if r.status == EXPIRED]
            if expired:
                result.expired += len(expired)
                await run_hooks(session, expired, now, "after_expired")
        rows = [r for r in taken if r.status != EXPIRED]
        send_by = now + timedelta(seconds=self._send_window())
        for r in rows:  # a send must be over before the lease runs out and another dispatcher may take the row
            r.send_by = send_by
        return sorted(rows, key=lambda r: r.id), len(taken)

    async def process(self, rows: list[Claimed], flow: Flow | None = None) -> TickResult:
        """Send a claimed batch; `flow` is what the batches of one tick share
        (the gate, each conversation's last post)."""
        if flow is None:
            flow = Flow(asyncio.Semaphore(self.concurrency))
            flow.add(len(rows))
        result = TickResult()
        group = [r for r in rows if r.context.get("to") == TO_COORDINATORS and not r.person_id]
        if group:
            try:
                result.expanded = await expand(self.db, self.config, self.clock.now(), group)
            except Exception:  # a bug or a bad setting: these rows wait and are tried again; the rest goes
                log.exception("addressing %d rows to the coordinators failed; tried again later", len(group))
                later = self.clock.now() + EXPAND_RETRY
                for row in group:
                    outcome = await self._record(row, "release", later)
                    setattr(result, outcome, getattr(result, outcome) + 1)
            for _ in group:
                flow.done()
        rows = [r for r in rows if r not in group]
        gate = flow.gate
        loop = asyncio.get_running_loop()

        async def one(row: Claimed, what, after: asyncio.Event | None = None, done: asyncio.Event | None = None) -> str:
            try:
                return await send_one(row, what, after, done)
            finally:
                if done is not None:
                    done.set()
                flow.done()

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
                if self.recorder.broken:  # the database cannot take records: send no more
                    return "retried"
                budget = self._budget(row)
                if budget is None:  # its lease is nearly over: back in line, unsent
                    return await self._record(row, "release", self.clock.now())
                outcome: tuple[str, DeliveryError | MessageRef | None]
                sent: Sent | None = None
                left = loop.time()
                try:
                    sent = await self._send(row, what, budget)
                except DeliveryError as err:
                    outcome = ("error", err)
                    if err.retry_after:
                        self._next_ok[lane] = loop.time() + err.retry_after
                except Exception as exc:  # an adapter bug must not kill the dispatcher
                    log.exception("sending reminder %s", row.key)
                    outcome = ("error", DeliveryError(f"{exc.__class__.__name__}: {exc}"))
                else:
                    outcome = ("sent", sent.ref if sent else None)
                if pace:
                    # Counted from when the platform accepted the post (by its
                    # stamp, mapped to our clock as late as it can have been;
                    # else the answer): the gap it sees is never below `pace`.
                    stamp = sent.accepted_at if sent is not None else None
                    accepted = self.pacer.accepted(what.to.platform, stamp, left, loop.time())
                    self._next_ok[lane] = max(self._next_ok.get(lane, 0.0), accepted + pace)
                if done is not None:
                    done.set()  # the next post to this conversation may start waiting for its turn
                # Still inside the gate: at most `concurrency` sends are ever
                # out but not yet recorded (the crash window).
                return await self._record(row, *outcome)

        # Render a chunk, start sending it, render the next meanwhile; posts
        # to one conversation wait for the previous one's answer (in order,
        # also across the batches of a tick).
        tasks: list[asyncio.Task] = []
        last_in_lane = flow.lanes
        for chunk in chunks(rows, FIRST_CHUNK, PREPARE_CHUNK):
            for row, what in await self._prepare(chunk):
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

    def _budget(self, row: Claimed) -> float | None:
        """Seconds a send of this row may take: until shortly before its lease
        runs out (a row that waited long for its turn may have little left);
        None when too little is left to send at all."""
        full = self._send_window()
        if row.send_by is None:
            return full
        left = (row.send_by - self.clock.now()).total_seconds()
        return min(left, full) if left >= min(1.0, full / 2) else None

    def _send_window(self) -> float:
        """How long a send may take at most: the lease less a margin."""
        return max((self.lease - timedelta(seconds=LEASE_MARGIN_S)).total_seconds(), 1.0)

    async def _send(self, row: Claimed, what, budget: float) -> Sent | None:
        """Send one row, unless its last send is unconfirmed and the platform
        already has it; a send that outlives the lease is given up on (and
        marked unconfirmed) before another dispatcher may take the row."""
        if row.last_error == UNCONFIRMED:
            found = await self.delivery.find_sent(what.to, row.key)
            if found is not None:
                log.info("outbox row %s was already delivered (%s); not sent again", row.key, found)
                return Sent(ref=MessageRef(what.to.platform, what.to.conversation or "", found))
        try:
            if what.message.replace is not None:
                await self.delivery.update(what.message.replace, what.message)
                return Sent(ref=what.message.replace)
            return await asyncio.wait_for(self.delivery.send(what.to, what.message), budget)
        except TimeoutError:
            raise DeliveryError("the platform did not answer in time", unconfirmed=True) from None

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
        now = self.clock.now()  # the moment they are sent: what their words count from
        async with self.db.read() as session:
            for n, row in enumerate(rows, 1):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                try:
                    prepared.append((row, await self.renderer.prepare(session, row, now)))
                except Exception as exc:  # a template or data bug: fail the row, keep going
                    log.exception("rendering reminder %s", row.key)
                    prepared.append((row, Unreachable(DeliveryError(f"could not render: {exc}"))))
        return prepared

    # ---------------------------------------------------------- outcomes

    async def _record(self, row: Claimed, what: str, detail) -> str:
        return await self.recorder.record(row, what, detail)
