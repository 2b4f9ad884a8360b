"""What a turn records so that it happens once: a platform event delivered
twice (its event id), and a button pressed twice in a row (a double click).
Both records are part of the turn's transaction: a turn that failed and
rolled back may be repeated."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Inbound, Kind
from bot.people import key_range
from bot.store.models import ProcessedEvent

log = logging.getLogger(__name__)

# Forgetting a person's previous press: built once (building a statement costs more than SQLite's work on it).
_FORGET_PRESSES = delete(ProcessedEvent).where(
    col(ProcessedEvent.key) >= sa.bindparam("keys_from"), col(ProcessedEvent.key) < sa.bindparam("keys_to")
)


async def first_time(session: AsyncSession, inbound: Inbound, now: datetime) -> bool:
    """An event (a platform's delivery id) is handled once: a repeat of it finds its record."""
    key = _event_key(inbound)
    if await session.get(ProcessedEvent, key) is not None:
        return False
    session.add(ProcessedEvent(key=key, at=now))
    await session.flush()
    return True


async def handled_before(session: AsyncSession, inbound: Inbound) -> bool:
    """Whether an event (by its delivery id) was already handled: a read, for
    an adapter that would otherwise do something before the turn (a note, a
    lookup). `first_time`, in the turn's transaction, is what decides."""
    return inbound.event_id is not None and await session.get(ProcessedEvent, _event_key(inbound)) is not None


def _event_key(inbound: Inbound) -> str:
    return f"{inbound.actor.platform}:{inbound.event_id}"


async def first_press(session: AsyncSession, inbound: Inbound, now: datetime, pressed: bool = True) -> bool:
    """A press is applied once while nothing else happened: the same
    button, with the same value, on the same message, by the same person,
    with no other turn of theirs in between (a double click). Each turn
    forgets the person's previous press; the record is part of the turn's
    transaction, so a press that failed (and rolled back) may be pressed again."""
    prefix = press_prefix(inbound)
    key = press_key(inbound)
    if key is not None and await session.get(ProcessedEvent, prefix + key) is not None:
        log.info("repeated press of %s ignored", inbound.action_id)
        return False
    if pressed:  # (`pressed`: the turn's first statement saw a record of this person's)
        keys_from, keys_to = key_range(prefix)
        await session.exec(_FORGET_PRESSES, params={"keys_from": keys_from, "keys_to": keys_to})
    if key is not None:
        session.add(ProcessedEvent(key=prefix + key, at=now))
        await session.flush()
    return True


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
