"""What an operator can watch: Prometheus metrics and the turn's log context.

The metrics live in one registry (`REGISTRY`, served at `/metrics`); the
places that move them are few and narrow:

* `observe_turn` wraps `Core.handle`: turns by platform and outcome, turn
  latency, and the log context (platform, tenant, request id) for every line
  logged during the turn;
* `note_refusal` is called where the core answers with an error template;
* `record_tick` is called by the scheduler service after each dispatcher tick;
* `rate_limit_wait` is called by a port when the platform says "retry after";
* `refresh_outbox` reads the outbox backlog from the database at scrape time.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

log = logging.getLogger(__name__)
REGISTRY = CollectorRegistry(auto_describe=True)

TURNS = Counter(
    "mentorbot_turns",
    "Turns handled, by platform and outcome (ok, refused, error)",
    ["platform", "outcome"],
    registry=REGISTRY,
)
TURN_SECONDS = Histogram(
    "mentorbot_turn_seconds",
    "Time to handle one turn (core only, before sending)",
    ["platform"],
    registry=REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
OUTBOX_DUE = Gauge("mentorbot_outbox_due", "Outbox rows due now and not yet sent", registry=REGISTRY)
OUTBOX_OLDEST_DUE_AGE = Gauge(
    "mentorbot_outbox_oldest_due_age_seconds",
    "How long the oldest due row has been waiting (0 when none)",
    registry=REGISTRY,
)
OUTBOX_SENT = Counter("mentorbot_outbox_sent", "Outbox rows sent by the dispatcher", registry=REGISTRY)
OUTBOX_FAILED = Counter(
    "mentorbot_outbox_failed", "Outbox rows given up on (the coordinators are told)", registry=REGISTRY
)
OUTBOX_RETRIED = Counter("mentorbot_outbox_retried", "Sends put back for a later try", registry=REGISTRY)
OUTBOX_EXPIRED = Counter(
    "mentorbot_outbox_expired", "Outbox rows that expired before they could be sent", registry=REGISTRY
)
DISPATCHER_LAG = Gauge(
    "mentorbot_dispatcher_lag_seconds",
    "How overdue the oldest due row was when the last dispatcher tick started",
    registry=REGISTRY,
)
SCHEDULER_LAST_TICK = Gauge(
    "mentorbot_scheduler_last_tick_timestamp_seconds",
    "When the dispatcher last finished a tick (Unix time)",
    registry=REGISTRY,
)
RATE_LIMIT_WAITS = Counter(
    "mentorbot_rate_limit_waits", "Times a platform said to wait (HTTP 429)", ["platform"], registry=REGISTRY
)
RATE_LIMIT_WAIT_SECONDS = Counter(
    "mentorbot_rate_limit_wait_seconds", "Seconds a platform asked us to wait", ["platform"], registry=REGISTRY
)

# ------------------------------------------------------------ log context

# platform, tenant and request id of the turn in progress (None outside a turn)
TURN_TAGS: ContextVar[dict[str, str] | None] = ContextVar("mentorbot_turn_tags", default=None)
_OUTCOME: ContextVar[str] = ContextVar("mentorbot_turn_outcome", default="ok")

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def observe_turn(handle: F) -> F:
    """Decorates `Core.handle(self, inbound)`: log context, count and latency."""

    @functools.wraps(handle)
    async def wrapper(self, inbound, *args, **kwargs):
        where = inbound.where
        platform = str(where.platform)
        tags = TURN_TAGS.set(
            {
                "platform": platform,
                "tenant": where.tenant or "",
                "request_id": inbound.event_id or uuid.uuid4().hex[:16],
            }
        )
        outcome = _OUTCOME.set("ok")
        started = time.perf_counter()
        try:
            return await handle(self, inbound, *args, **kwargs)
        except BaseException:
            _OUTCOME.set("error")
            raise
        finally:
            seconds = time.perf_counter() - started
            TURNS.labels(platform, _OUTCOME.get()).inc()
            TURN_SECONDS.labels(platform).observe(seconds)
            log.debug("turn %s: %s in %.1f ms", inbound.kind, _OUTCOME.get(), seconds * 1000)
            _OUTCOME.reset(outcome)
            TURN_TAGS.reset(tags)

    return wrapper  # type: ignore[return-value]


def note_refusal(template: str) -> None:
    """The turn answers with an error template: 'error' for an internal one, else 'refused'."""
    _OUTCOME.set("error" if template == "errors/internal" else "refused")


# ------------------------------------------------------------- scheduler


def record_tick(result: Any, lag_seconds: float, finished: datetime) -> None:
    """After one dispatcher tick (`result` is its TickResult)."""
    OUTBOX_SENT.inc(result.sent)
    OUTBOX_FAILED.inc(result.failed)
    OUTBOX_RETRIED.inc(result.retried)
    OUTBOX_EXPIRED.inc(result.expired)
    DISPATCHER_LAG.set(max(lag_seconds, 0.0))
    SCHEDULER_LAST_TICK.set(finished.timestamp())


def rate_limit_wait(platform: str, seconds: float) -> None:
    RATE_LIMIT_WAITS.labels(platform).inc()
    RATE_LIMIT_WAIT_SECONDS.labels(platform).inc(max(seconds, 0.0))


async def refresh_outbox(db: Any, now: datetime) -> None:
    """Read the backlog (an index range on reminder(status, due_at))."""
    from sqlmodel import col

    from bot.store.models import Reminder, ReminderStatus

    due_at = col(Reminder.due_at)
    query = sa.select(sa.func.count(), sa.func.min(due_at)).where(
        col(Reminder.status) == ReminderStatus.PENDING.value, due_at <= now
    )
    async with db.read() as session:
        count, oldest = (await (await session.connection()).execute(query)).one()
    OUTBOX_DUE.set(count)
    OUTBOX_OLDEST_DUE_AGE.set((now - oldest).total_seconds() if oldest is not None else 0.0)
