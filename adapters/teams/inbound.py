"""Bot Framework activities from Teams -> `bot.messages.Inbound`.

A person is known by their Entra (AAD) object id in their tenant, the same id
the `bot.coordinators` keys use (`teams:<tenant id>:<object id>`). Where the
activity came from becomes an `Address` whose `ref` is the conversation
reference as JSON, so the core and the scheduler can send there later.
"""

from __future__ import annotations

import json
import re
from typing import Any

from botbuilder.schema import Activity, ActivityTypes

from adapters.teams.render import DATA_KEY
from bot.inputs import MAX_ID, clean
from bot.messages import Actor, Address, Inbound, Kind, MessageRef, Platform, Where

CHANNEL_ID = "msteams"
_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
# Where the composer's HTML ends a line: a line break, the end of a paragraph or block.
_LINE_ENDS = re.compile(r"<br\s*/?>|</(?:p|div|li)>", re.IGNORECASE)
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}


def tenant_of(activity: Activity) -> str:
    """The sender's tenant; "" when the activity does not name one, which
    `bot.tenants` never lets in."""
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        return conversation.tenant_id
    tenant = (activity.channel_data or {}).get("tenant") or {}
    return tenant.get("id") or ""


def user_id_of(account) -> str:
    """The stable id of a person: their Entra object id, else the Teams user id."""
    return getattr(account, "aad_object_id", None) or account.id


def actor_of(activity: Activity) -> Actor:
    sender = activity.from_property
    return Actor(
        platform=Platform.TEAMS,
        tenant=tenant_of(activity),
        user_id=user_id_of(sender),
        display_name=sender.name or None,
        locale=activity.locale or None,
        timezone=activity.local_timezone or None,
    )


def where_of(activity: Activity) -> Where:
    kind = (activity.conversation.conversation_type or "personal") if activity.conversation else "personal"
    return {"personal": Where.DM, "channel": Where.CHANNEL}.get(kind, Where.GROUP)


def split_thread(conversation_id: str) -> tuple[str, str | None]:
    """A channel reply's conversation id carries the thread: `19:x@thread.tacv2;messageid=123`."""
    base, sep, rest = conversation_id.partition(";messageid=")
    return base, (rest if sep else None)


def reference_of(activity: Activity, *, conversation_id: str | None = None) -> dict[str, Any]:
    """The conversation reference (REST shape) a later proactive send needs."""
    conversation = activity.conversation
    sender, bot = activity.from_property, activity.recipient
    return {
        "serviceUrl": activity.service_url,
        "channelId": activity.channel_id or CHANNEL_ID,
        "conversation": {
            "id": conversation_id if conversation_id is not None else conversation.id,
            "tenantId": tenant_of(activity),
            "conversationType": conversation.conversation_type or "personal",
            "isGroup": bool(conversation.is_group),
        },
        "bot": {"id": bot.id, "name": bot.name} if bot else None,
        "user": {"id": sender.id, "aadObjectId": getattr(sender, "aad_object_id", None), "name": sender.name},
    }


def address_of(activity: Activity) -> Address:
    """Where the activity happened; a channel's address is the channel itself
    (a new post there starts a thread), with the thread kept apart."""
    base, thread = split_thread(activity.conversation.id)
    return Address(
        platform=Platform.TEAMS,
        tenant=tenant_of(activity),
        conversation=base,
        user=user_id_of(activity.from_property),
        where=where_of(activity),
        thread=thread,
        ref=json.dumps(reference_of(activity, conversation_id=base), sort_keys=True),
    )


def event_id_of(activity: Activity) -> str | None:
    """Teams message ids are unique within a conversation; qualify them."""
    if not activity.id:
        return None
    return f"{activity.conversation.id}|{activity.id}"


def clean_text(activity: Activity) -> str:
    """The typed text with the bot's @mention (and any markup) removed, in
    the lines it was typed in (as Slack's; spaces within a line made one), so
    text that keeps its lines (a broadcast, a dilemma) keeps them from Teams too."""
    text = activity.text or ""
    bot = activity.recipient
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned") or {}
        if entity.type == "mention" and bot is not None and mentioned.get("id") == bot.id and props.get("text"):
            text = text.replace(props["text"], " ")
    # Anyone else @mentioned stays as their name, quoted so a command reads it as one word.
    text = _AT_TAG.sub(lambda m: " " if _is_bot_name(m.group(1), bot) else _quoted(m.group(1)), text)
    text = _TAGS.sub(" ", _LINE_ENDS.sub("\n", text))
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def _quoted(name: str) -> str:
    name = name.strip()
    return f'"{name}"' if " " in name and '"' not in name else name


def _is_bot_name(name: str, bot) -> bool:
    return bot is not None and bool(bot.name) and name.strip().lower() == bot.name.strip().lower()


def to_inbound(activity: Activity) -> Inbound | None:
    """The neutral event for a message activity (typed text or a card submit);
    None for anything the core has no use for (typing, reactions, ...)."""
    if activity.type != ActivityTypes.message:
        return None
    common: dict[str, Any] = dict(actor=actor_of(activity), where=address_of(activity), event_id=event_id_of(activity))
    value = activity.value if isinstance(activity.value, dict) else None
    if value and isinstance(value.get(DATA_KEY), dict):
        return _submitted(activity, value, common)
    text = clean_text(activity)
    if not text and not _mentions_bot(activity):
        return None  # an empty message (an image, a sticker): nothing to answer
    return Inbound(kind=Kind.TEXT, text=text, **common)  # a bare @mention reads as "help"


def _mentions_bot(activity: Activity) -> bool:
    bot = activity.recipient
    return bot is not None and any(
        e.type == "mention" and ((e.additional_properties or {}).get("mentioned") or {}).get("id") == bot.id
        for e in activity.entities or []
    )


def _submitted(activity: Activity, value: dict[str, Any], common: dict[str, Any]) -> Inbound:
    """A card submit; data that no card of ours carries (`m` not a list of
    input ids) is a click on no action, which the core answers as a stale button."""
    data = value[DATA_KEY]
    message = None
    if activity.reply_to_id:
        base, _ = split_thread(activity.conversation.id)
        message = MessageRef(Platform.TEAMS, base, clean(activity.reply_to_id))  # no lone surrogate to quote
    listed = data.get("m") or []
    if not isinstance(listed, list) or not all(isinstance(key, str) for key in listed):
        return Inbound(kind=Kind.ACTION, action_id="", message=message, **common)
    action_id = str(data.get("a", ""))
    multi = set(listed)
    inputs = {k: v for k, v in value.items() if k != DATA_KEY}
    if data.get("choice"):
        raw = str(inputs.get(action_id, ""))
        picked = tuple(v for v in raw.split(",") if v)
        return Inbound(
            kind=Kind.ACTION, action_id=action_id, value=raw, values={action_id: picked}, message=message, **common
        )
    if inputs or multi:
        values: dict[str, str | tuple[str, ...]] = {}
        for key, raw in inputs.items():
            raw = "" if raw is None else str(raw)
            values[key] = tuple(v for v in raw.split(",") if v) if key in multi else raw
        for key in multi - values.keys():
            values[key] = ()
        return Inbound(kind=Kind.FORM, action_id=action_id, values=values, message=message, **common)
    return Inbound(kind=Kind.ACTION, action_id=action_id, value=str(data.get("v", "")), message=message, **common)


def card_row(activity: Activity) -> int | None:
    """The outbox row a card submit says its card came from (`data.mentorbot.r`):
    only a pointer, believed once the row itself shows it sent this message to
    this person (`bot.clicked.sent_card`). Ids are int32 columns: a larger
    number is no row (PostgreSQL would refuse to compare it)."""
    value = activity.value if isinstance(activity.value, dict) else None
    data = value.get(DATA_KEY) if value is not None else None
    row = data.get("r") if isinstance(data, dict) else None
    return row if isinstance(row, int) and not isinstance(row, bool) and 0 < row <= MAX_ID else None


def is_personal_install(activity: Activity) -> bool:
    """The bot was just added to someone's personal scope (a new 1:1 chat)."""
    if where_of(activity) != Where.DM:
        return False
    if activity.type == ActivityTypes.installation_update:
        return (activity.action or "").startswith("add")
    if activity.type == ActivityTypes.conversation_update:
        bot = activity.recipient
        return any(m.id == bot.id for m in activity.members_added or []) if bot else False
    return False


def is_personal_uninstall(activity: Activity) -> bool:
    """The person removed the app from their personal scope."""
    return (
        activity.type == ActivityTypes.installation_update
        and (activity.action or "").startswith("remove")
        and where_of(activity) == Where.DM
    )
