"""The transactional outbox, as a turn writes it.

Every message a turn decides (the reply to the person who spoke, an
invitation, a pair introduction, a note to a coordinator) becomes a
`reminder` row in the turn's own transaction, before anything is sent:
`stage` writes them, claimed by this process with a short lease. Right after
the commit the adapter sends the turn's rows at once (the fast path,
`scheduler.fastpath`) and records each outcome; whatever it could not send
(a crash, a 429, a platform error) is left to the dispatcher, which sends it
with the same retries, pacing and failure reports as every planned reminder.

This module is also the codec of those rows: an `Outbound` (text, card,
replace) and an `Address` to and from JSON.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import uuid
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.messages import (
    Address,
    Attachment,
    Button,
    Buttons,
    Card,
    Choice,
    Fields,
    Heading,
    Image,
    Inbound,
    Input,
    MessageRef,
    Option,
    Outbound,
    OutboxRef,
    Platform,
    Text,
    Where,
)
from bot.store.models import Reminder, ReminderStatus
from bot.store.rows import table_of

KIND = "message"
# Key prefix of the rows an adapter keeps as its own copies of what it showed
# (the console's, for the person's next session): never sent again, never a
# message of their own (the message they copy has its own row).
KEPT_COPY = "console:"
RETRY_FIRST_AFTER = timedelta(seconds=30)
GIVE_UP_AFTER = timedelta(days=3)
_BLOCKS = {cls.__name__: cls for cls in (Heading, Text, Fields, Buttons, Choice, Input, Image)}


def address_to_dict(address: Address) -> dict[str, Any]:
    return {
        "platform": str(address.platform),
        "tenant": address.tenant,
        "conversation": address.conversation,
        "user": address.user,
        "where": str(address.where),
        "thread": address.thread,
        "ref": address.ref,
    }


def address_from_dict(data: dict[str, Any]) -> Address:
    return Address(
        platform=Platform(data["platform"]),
        tenant=data.get("tenant") or "",
        conversation=data.get("conversation"),
        user=data.get("user"),
        where=Where(data.get("where") or "channel"),
        thread=data.get("thread"),
        ref=data.get("ref"),
    )


def sent_message(to: Address, message_id: str | None) -> MessageRef | None:
    """The platform's reference to the message a row sent to `to` (what an
    update of it names); None when the conversation or the message id is not
    known (sent to a user id before the conversation was kept, or not sent)."""
    return MessageRef(to.platform, to.conversation, message_id) if to.conversation and message_id else None


def _block_to_dict(block) -> dict[str, Any]:
    data: dict[str, Any] = {"type": type(block).__name__}
    for f in fields(block):
        value = getattr(block, f.name)
        if isinstance(block, Buttons):
            value = [{"action_id": b.action_id, "label": b.label, "value": b.value, "style": b.style} for b in value]
        elif isinstance(block, Choice) and f.name == "options":
            value = [{"value": o.value, "label": o.label} for o in value]
        elif isinstance(block, Fields):
            value = [list(item) for item in value]
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return data


def _block_from_dict(data: dict[str, Any]):
    cls = _BLOCKS[data["type"]]
    kw = {k: v for k, v in data.items() if k != "type"}
    if cls is Buttons:
        kw["buttons"] = tuple(Button(**b) for b in kw["buttons"])
    elif cls is Choice:
        kw["options"] = tuple(Option(**o) for o in kw["options"])
        kw["selected"] = tuple(kw.get("selected") or ())
    elif cls is Fields:
        kw["items"] = tuple(tuple(item) for item in kw["items"])
    return cls(**kw)


def encode(message: Outbound) -> dict[str, Any]:
    card = None
    if message.card is not None:
        card = {
            "blocks": [_block_to_dict(b) for b in message.card.blocks],
            "submit_id": message.card.submit_id,
            "submit_label": message.card.submit_label,
        }
    replace = message.replace
    return {
        "text": message.text,
        "card": card,
        "ephemeral": message.ephemeral,
        "kind": message.kind,
        "locale": message.locale,
        "replace": [str(replace.platform), replace.conversation, replace.message_id] if replace else None,
        "files": [
            {
                "filename": f.filename,
                "media_type": f.media_type,
                "title": f.title,
                "data": base64.b64encode(f.data).decode(),
            }
            for f in message.files
        ],
    }


def decode(data: dict[str, Any], to: Address) -> Outbound:
    card = data.get("card")
    replace = data.get("replace")
    return Outbound(
        text=data["text"],
        card=Card(tuple(_block_from_dict(b) for b in card["blocks"]), card.get("submit_id"), card.get("submit_label"))
        if card
        else None,
        to=to,
        ephemeral=bool(data.get("ephemeral")),
        kind=data.get("kind") or "",
        locale=data.get("locale"),
        replace=MessageRef(Platform(replace[0]), replace[1], replace[2]) if replace else None,
        files=tuple(
            Attachment(f["filename"], f["media_type"], base64.b64decode(f["data"]), f.get("title") or "")
            for f in data.get("files") or ()
        ),
    )


def default_worker() -> str:
    """This process's name as a lease holder."""
    return f"{socket.gethostname()}:{os.getpid()}"


REPLY = "reply"  # the answer to the person who spoke
FAST_LEASE = timedelta(seconds=60)  # the adapter's send right after the commit; then the dispatcher's


@dataclass(frozen=True)
class Queued:
    """A message to someone other than the speaker, as a turn queues it."""

    message: Outbound
    person_id: int | None = None  # the reader, when one person (for their reachability and `forget`)
    # Where to send the same words instead when `message.to` cannot be reached
    # (a group DM that cannot be opened: each member's own DM).
    fallback: tuple[Address, ...] = ()


def reply_address(inbound: Inbound, message: Outbound) -> Address:
    """Where a reply goes when the adapter cannot answer in place: the
    conversation it came from, or the person's DM for anything meant for
    them alone (an ephemeral answer in a channel)."""
    where, user = inbound.where, inbound.actor.user_id
    if message.to is not None:  # a reply moved elsewhere (a dialogue goes on in the DM)
        return message.to
    if message.replace is not None:
        return Address(
            where.platform,
            where.tenant,
            conversation=message.replace.conversation,
            user=user,
            where=where.where,
            ref=where.ref,
        )
    if where.where == Where.DM or not where.conversation:
        return Address(
            where.platform, where.tenant, conversation=where.conversation, user=user, where=Where.DM, ref=where.ref
        )
    if message.ephemeral:
        return Address(where.platform, where.tenant, user=user, where=Where.DM)
    return replace(where, user=user)


def in_place_address(inbound: Inbound, use: int) -> Address:
    """Where a reply in place (through the inbound's `InPlace`, e.g. Slack's
    `response_url`) lands when the handle cannot be used: the person's DM, since
    an answer in place is for them alone. The `use`-th reply (from 0) carries
    the handle in the address's `ref` while the handle allows that many uses."""
    where, handle = inbound.where, inbound.in_place
    return Address(
        where.platform,
        where.tenant,
        user=inbound.actor.user_id,
        where=Where.DM,
        conversation=where.conversation if where.where == Where.DM else None,
        ref=handle.ref if handle is not None and use < handle.uses else None,
    )


def _key(kind: str, inbound: Inbound, index: int) -> str:
    if inbound.event_id:
        return f"{kind}:{inbound.actor.platform}:{inbound.event_id}:{index}"
    return f"{kind}:{uuid.uuid4().hex}"


_OUTBOX = table_of(Reminder)
_STAGE = sa.insert(_OUTBOX).returning(_OUTBOX.c.id, _OUTBOX.c.key)  # built once


async def stage(
    session,
    inbound: Inbound,
    replies: list[Outbound],
    others: list,
    *,
    now: datetime,
    worker: str,
    speaker_id: int | None = None,
    program_id: int | None = None,
) -> list[Outbound]:
    """Write a turn's messages as outbox rows, claimed by `worker` for the
    adapter's send right after the commit; returns them with `outbox` set,
    replies first, in the order they are to be shown."""
    planned: list[tuple[Outbound, Address, str, int | None, tuple[Address, ...]]] = []
    in_place = 0  # replies so far that answer through the inbound's `InPlace`
    for i, message in enumerate(replies):
        # A transient answer (to `forget`) is tied to nobody: the person it answers is gone.
        reader = None if message.transient else speaker_id
        if inbound.in_place is not None and message.to is None and message.replace is None:
            address, in_place = in_place_address(inbound, in_place), in_place + 1
        else:
            address = reply_address(inbound, message)
        planned.append((message, address, _key(REPLY, inbound, i), reader, ()))
    for i, item in enumerate(others):
        queued = item if isinstance(item, Queued) else Queued(item)
        if queued.message.to is None:
            raise ValueError(f"a message to someone else needs its address (`to`): {queued.message.kind}")
        planned.append((queued.message, queued.message.to, _key(KIND, inbound, i), queued.person_id, queued.fallback))
    if not planned:
        return []
    rows = []
    for message, address, key, person_id, fallback in planned:
        context: dict[str, Any] = {"message": encode(message)}
        if message.transient:
            context["transient"] = True
        if fallback:
            context["fallback"] = [address_to_dict(a) for a in fallback]
        if address.ref is not None and inbound.in_place is not None and address.ref == inbound.in_place.ref:
            # Good until then; after it the sender posts to the DM (`address` without its ref).
            context["in_place_until"] = inbound.in_place.expires_at.isoformat()
        rows.append(
            {
                "key": key,
                "program_id": program_id,
                "kind": REPLY if key.startswith(REPLY) else KIND,
                "template": message.kind or KIND,
                "person_id": person_id,
                "address": address_to_dict(address),
                "context": context,
                "status": ReminderStatus.CLAIMED.value,
                "claimed_by": worker,
                "attempts": 1,
                "lease_until": now + FAST_LEASE,
                "due_at": now,
                "expires_at": now + GIVE_UP_AFTER,
                "created_at": now,
                "subject": None,
            }
        )
    # One INSERT for up to 500 rows (SQLAlchemy sends them as one multi-row
    # statement); ids come back by key. An announcement stages thousands: the
    # loop runs between the parts.
    ids: dict[str, int] = {}
    for start in range(0, len(rows), 500):
        if start:
            await asyncio.sleep(0)
        result = await (await session.connection()).execute(_STAGE, rows[start : start + 500])
        ids.update((key, row_id) for row_id, key in result.all())
    return [
        replace(message, outbox=OutboxRef(ids[key], key, address, reader))
        for message, address, key, reader, _ in planned
    ]
