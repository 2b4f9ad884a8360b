"""Messages that could not be sent at once are kept, not lost.

A reply to the person who spoke goes back in the same request. Messages to
*other* people (an invitation, a pair introduction, a note to the coordinator)
are sent by the adapter right after the turn; when that send fails (a 429, a
5xx, a timeout) the adapter hands the message to `defer`, which writes it to
the outbox as a reminder row of kind `message`. The scheduler's dispatcher
then sends it with the same retries, back-off and failure reports as every
other reminder.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
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
    Input,
    MessageRef,
    Option,
    Outbound,
    Platform,
    Text,
    Where,
)
from bot.store.db import Database
from bot.store.models import Reminder

KIND = "message"
RETRY_FIRST_AFTER = timedelta(seconds=30)
GIVE_UP_AFTER = timedelta(days=3)
_BLOCKS = {cls.__name__: cls for cls in (Heading, Text, Fields, Buttons, Choice, Input, Image)}


def address_to_dict(address: Address) -> dict[str, Any]:
    return {"platform": str(address.platform), "tenant": address.tenant, "conversation": address.conversation,
            "user": address.user, "where": str(address.where), "thread": address.thread, "ref": address.ref}


def address_from_dict(data: dict[str, Any]) -> Address:
    return Address(platform=Platform(data["platform"]), tenant=data.get("tenant") or "",
                   conversation=data.get("conversation"), user=data.get("user"),
                   where=Where(data.get("where") or "channel"), thread=data.get("thread"), ref=data.get("ref"))


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
        card = {"blocks": [_block_to_dict(b) for b in message.card.blocks],
                "submit_id": message.card.submit_id, "submit_label": message.card.submit_label}
    replace = message.replace
    return {"text": message.text, "card": card, "ephemeral": message.ephemeral, "kind": message.kind,
            "locale": message.locale,
            "replace": [str(replace.platform), replace.conversation, replace.message_id] if replace else None,
            "files": [{"filename": f.filename, "media_type": f.media_type, "title": f.title,
                       "data": base64.b64encode(f.data).decode()} for f in message.files]}


def decode(data: dict[str, Any], to: Address) -> Outbound:
    card = data.get("card")
    replace = data.get("replace")
    return Outbound(
        text=data["text"],
        card=Card(tuple(_block_from_dict(b) for b in card["blocks"]), card.get("submit_id"), card.get("submit_label"))
        if card else None,
        to=to, ephemeral=bool(data.get("ephemeral")), kind=data.get("kind") or "",
        locale=data.get("locale"),
        replace=MessageRef(Platform(replace[0]), replace[1], replace[2]) if replace else None,
        files=tuple(Attachment(f["filename"], f["media_type"], base64.b64decode(f["data"]), f.get("title") or "")
                    for f in data.get("files") or ()),
    )


async def defer(db: Database, clock: Clock, message: Outbound, *, retry_after: float | None = None,
                program_id: int | None = None) -> str:
    """Keep `message` (which has a `to`) in the outbox for the dispatcher;
    returns the reminder key."""
    if message.to is None:
        raise ValueError("only messages addressed to someone else are deferred")
    now: datetime = clock.now()
    due = now + (timedelta(seconds=retry_after) if retry_after else RETRY_FIRST_AFTER)
    key = f"{KIND}:{uuid.uuid4().hex}"
    async with db.write() as session:
        session.add(Reminder(
            key=key, program_id=program_id, kind=KIND, template=message.kind or KIND,
            address=address_to_dict(message.to), context={"message": encode(message)},
            due_at=due, expires_at=now + GIVE_UP_AFTER, created_at=now,
        ))
    return key
