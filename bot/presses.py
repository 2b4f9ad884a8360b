"""What a turn records so that it happens once: a platform event delivered
twice (its event id), and a button pressed twice in a row (a double click).
Both records are part of the turn's transaction: a turn that failed and
rolled back may be repeated.

Each is written with one statement where one does: an INSERT that does
nothing on a key already there (SQLite and PostgreSQL), so a repeat is told
by the row it did not insert, also when another replica wrote that row a
moment ago (the unique key waits for the other transaction and then
decides); a press that follows the person's previous press moves that
record to the new key (an UPDATE of the row the turn's first statement
found, which finds nothing when another turn of theirs moved it meanwhile).

The same records hold the Yes/No question a turn asked last (`bot.asked`):
noted under the person's prefix after their press (`ASKED`, sorting after
every press key), it is forgotten by their next turn as a press is, so only
the very next line they type may answer it."""

from __future__ import annotations

import functools
import hashlib
import logging
from datetime import datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Inbound, Kind
from bot.people import key_range
from bot.reminders.store import dialect_of, insert_new, run
from bot.store.models import ProcessedEvent
from bot.store.rows import table_of

log = logging.getLogger(__name__)

_EVENTS = table_of(ProcessedEvent)
# Built once (building a statement costs more than SQLite's work on it).
# Forgetting a person's previous presses, all but `keep` (the press of this turn, if any).
_FORGET_PRESSES = sa.delete(_EVENTS).where(
    _EVENTS.c.key >= sa.bindparam("keys_from"),
    _EVENTS.c.key < sa.bindparam("keys_to"),
    _EVENTS.c.key != sa.bindparam("keep"),
)
# The person's one previous press becomes this one.
_MOVE_PRESS = (
    sa.update(_EVENTS)
    .where(_EVENTS.c.key == sa.bindparam("was"))
    .values(key=sa.bindparam("new_key"), at=sa.bindparam("new_at"))
)


@functools.cache
def _record(dialect: str):
    """INSERT the key unless it is there; the key comes back when it was new."""
    return insert_new(dialect, _EVENTS, ("key",)).returning(_EVENTS.c.key)


async def _recorded_now(session: AsyncSession, key: str, now: datetime) -> bool:
    """Record `key`; False when it was already on record (a repeat)."""
    inserted = await run(session, _record(dialect_of(session)), {"key": key, "at": now})
    return inserted.first() is not None


async def first_time(session: AsyncSession, inbound: Inbound, now: datetime) -> bool:
    """An event (a platform's delivery id) is handled once: a repeat of it finds its record."""
    return await _recorded_now(session, _event_key(inbound), now)


async def handled_before(session: AsyncSession, inbound: Inbound) -> bool:
    """Whether an event (by its delivery id) was already handled: a read, for
    an adapter that would otherwise do something before the turn (a note, a
    lookup). `first_time`, in the turn's transaction, is what decides."""
    return inbound.event_id is not None and await session.get(ProcessedEvent, _event_key(inbound)) is not None


def _event_key(inbound: Inbound) -> str:
    return f"{inbound.actor.platform}:{inbound.event_id}"


async def first_press(session: AsyncSession, inbound: Inbound, now: datetime, pressed: tuple[str, ...]) -> bool:
    """A press is applied once while nothing else happened: the same
    button, with the same value, on the same message, by the same person,
    with no other turn of theirs in between (a double click). Each turn
    forgets the person's previous press; the record is part of the turn's
    transaction, so a press that failed (and rolled back) may be pressed again.

    `pressed`: the person's press records as the turn's first statement
    found them (`bot.people.turn_start`): none, the one, or the first and
    the last of several. A turn that is no press and finds none writes nothing."""
    prefix = press_prefix(inbound)
    key = press_key(inbound)
    mine = prefix + key if key is not None else None
    if mine is not None and mine in pressed:
        log.info("repeated press of %s ignored", inbound.action_id)
        return False
    if mine is not None and len(pressed) == 1:
        moved = await run(session, _MOVE_PRESS, {"was": pressed[0], "new_key": mine, "new_at": now})
        if moved.rowcount == 1:
            return True
        # Another turn of theirs changed the record since the turn began: record this press anew.
    if mine is not None and not await _recorded_now(session, mine, now):
        log.info("repeated press of %s ignored", inbound.action_id)
        return False
    if pressed:
        keys_from, keys_to = key_range(prefix)
        await run(session, _FORGET_PRESSES, {"keys_from": keys_from, "keys_to": keys_to, "keep": mine or ""})
    return True


# The mark of a question a turn asked (its outbox row's id follows): after
# every press key (hexadecimal), so the person's last record (`turn_start`).
ASKED = "~asked:"


async def note_asked(session: AsyncSession, inbound: Inbound, row_id: int, now: datetime) -> None:
    """Note that this turn's last reply, outbox row `row_id`, asks Yes or No
    (`bot.asked`): the person's next turn forgets it, as it forgets a press."""
    await _recorded_now(session, f"{press_prefix(inbound)}{ASKED}{row_id}", now)


def asked_row(pressed: tuple[str, ...]) -> int | None:
    """The outbox row of the question the person's previous turn asked, as
    their press records (`turn_start`) have it; None when it asked none."""
    _, mark, row = pressed[-1].rpartition(ASKED) if pressed else ("", "", "")
    return int(row) if mark and row.isdigit() else None


def press_prefix(inbound: Inbound) -> str:
    return f"press:{inbound.actor.key}|"


def press_key(inbound: Inbound) -> str | None:
    """The identity of a button press on a message (None for anything else)."""
    if inbound.kind != Kind.ACTION or inbound.message is None:
        return None
    values = sorted((k, v if isinstance(v, str) else ",".join(v)) for k, v in (inbound.values or {}).items())
    said = "|".join(
        [
            inbound.message.conversation,
            inbound.message.message_id,
            inbound.action_id or "",
            inbound.value or "",
            repr(values),
        ]
    )
    return hashlib.sha256(said.encode()).hexdigest()[:32]
