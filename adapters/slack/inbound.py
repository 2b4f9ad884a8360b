"""Slack payloads -> neutral `Inbound` events.

Pure functions over the JSON Slack sends (as bolt hands it over as `body`);
nothing here calls Slack or the database. Each returns None for what the bot
should not answer: its own or other bots' messages, edits and deletions,
channel chatter that does not mention it, the Messages tab being opened.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from adapters.slack.render import FORM_BLOCK, split_action_id
from bot.messages import Actor, Address, Inbound, Kind, MessageRef, Platform, Where

# Message subtypes that are a person writing to the bot; everything else
# (edits, deletions, joins, bot posts, thread broadcasts) is not a new turn.
_PERSON_SUBTYPES = {None, "file_share"}
_LINK = re.compile(r"<(mailto:|https?://)([^|>]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Click:
    """A block action: the neutral inbound plus what the adapter needs to
    answer it (how to mark the message answered, where to reply)."""

    inbound: Inbound
    label: str  # what the person chose, as shown
    response_url: str | None
    ephemeral: bool  # the clicked message was ephemeral (update via response_url)
    in_view: bool  # clicked on the Home tab, not on a message
    blocks: tuple[dict[str, Any], ...]  # the clicked message's blocks, if Slack sent them
    text: str = ""  # the clicked message's text (kept when it is marked answered)

    @property
    def shared(self) -> bool:
        """The clicked message is one that everyone in a channel or group DM
        sees: one person's answer must not change it for the others."""
        return not self.ephemeral and not self.in_view and self.inbound.where.where != Where.DM


# Whose workspace a person belongs to. People are keyed and allow-listed by
# their own workspace (or Enterprise org, `E…`), never by the one the app is
# installed in: in a Slack Connect channel or DM the two differ, and the
# envelope's `team_id` names the installing side. A payload that does not
# say is read the safe way: the person's workspace is unknown (""), and
# `bot.tenants` lets nobody in from an unknown workspace.


def team_of_command(body: dict[str, Any]) -> str:
    """A slash command's `team_id` is the workspace the person ran it from
    (Slack: "where the user was in Slack when they triggered your app's
    command"), which in a shared channel is their own; commands carry no
    other team field."""
    return body.get("team_id") or ""


def team_of_action(body: dict[str, Any]) -> str:
    """An interaction's `user.team_id` is the person's own workspace (or
    org); `team.id` is only where the click happened, so it is not used."""
    return (body.get("user") or {}).get("team_id") or ""


def team_of_event(body: dict[str, Any]) -> str:
    """An event's `event.user_team`, else `event.team` (the order bolt uses
    for its actor ids). Without either, the installing workspace is theirs
    only when the event is not from a conversation shared with another
    organisation (`is_ext_shared_channel`): then nobody else can be in it."""
    event = body.get("event") or {}
    found = event.get("user_team") or event.get("team")
    if found:
        return found
    return "" if body.get("is_ext_shared_channel") else body.get("team_id") or ""


def where_of(channel_id: str, channel_name: str = "") -> Where:
    if channel_id.startswith("D") or channel_name == "directmessage":
        return Where.DM
    if channel_name.startswith("mpdm-"):
        return Where.GROUP
    return Where.CHANNEL


def clean_text(text: str) -> str:
    """Slack's encoding of typed text back to what the person typed: links and
    e-mail addresses unwrapped, `&amp; &lt; &gt;` decoded. Mentions (`<@U1>`)
    stay, because commands take people by mention."""
    text = _LINK.sub(lambda m: m.group(2) if m.group(1) == "mailto:" else m.group(1) + m.group(2), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def strip_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        return re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>[:,]?\s*", "", text, count=1)
    return re.sub(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[:,]?\s*", "", text, count=1)


def request_id(headers: Mapping[str, Sequence[str]]) -> str | None:
    """What a slash command or a click is deduplicated by (`Inbound.event_id`,
    like an Events API callback's event id). Slack gives them no id, but
    their signature (`X-Slack-Signature`, an HMAC of the timestamp and the
    body) differs for every request it sends, and a replay of one (the same
    body, timestamp and signature, accepted for five minutes) carries the
    same. Kept as a hash: the signature itself is neither stored nor logged.
    `headers` as bolt has them (lowercase names, lists of values); None
    without a signature (over Socket Mode: `socket_delivery_id`)."""
    signatures = headers.get("x-slack-signature") or ()
    if not signatures:
        return None
    return "sig:" + hashlib.sha256(signatures[0].encode()).hexdigest()[:32]


# What a Socket Mode listener finds its delivery's id under in bolt's context.
SOCKET_DELIVERY = "mentorbot_socket_delivery"


def socket_delivery_id(payload: Mapping[str, Any], envelope_id: str) -> str:
    """`request_id` for a slash command or a click over Socket Mode, where
    there is no signature. Slack sends an envelope it saw no ack for again,
    the same payload (`retry_attempt` counts the repeats); two presses, even
    of the same button by the same person, are two interactions, each with
    its own `trigger_id`. So the `trigger_id` (the envelope's id for a payload
    without one), kept as a hash like the signature: it opens a modal."""
    trigger = payload.get("trigger_id")
    seed = f"trigger:{trigger}" if isinstance(trigger, str) and trigger else f"envelope:{envelope_id}"
    return "sm:" + hashlib.sha256(seed.encode()).hexdigest()[:32]


# --------------------------------------------------------------------- command


def from_command(body: dict[str, Any]) -> Inbound:
    """A slash command: `text` is what follows the command name."""
    team = team_of_command(body)
    channel = body.get("channel_id", "")
    return Inbound(
        actor=Actor(Platform.SLACK, team, body.get("user_id", ""), display_name=body.get("user_name") or None),
        where=Address(
            Platform.SLACK,
            team,
            conversation=channel or None,
            user=body.get("user_id"),
            where=where_of(channel, body.get("channel_name", "")),
        ),
        kind=Kind.COMMAND,
        text=clean_text(body.get("text", "")),
    )


# ---------------------------------------------------------------------- events


def from_event(body: dict[str, Any], bot_user_id: str | None = None) -> Inbound | None:
    """`message` in a DM, `app_mention` in a channel, `app_home_opened` (Home tab)."""
    event = body.get("event") or {}
    kind = event.get("type")
    if event.get("bot_id") or event.get("bot_profile") or not event.get("user"):
        return None
    if bot_user_id and event.get("user") == bot_user_id:
        return None
    team = team_of_event(body)
    actor = Actor(Platform.SLACK, team, event["user"])
    event_id = body.get("event_id")
    if kind == "app_home_opened":
        if event.get("tab") != "home":
            return None
        return Inbound(
            actor=actor,
            where=Address(Platform.SLACK, team, conversation=event.get("channel"), user=event["user"], where=Where.DM),
            kind=Kind.OPENED,
            event_id=event_id,
        )
    if kind == "message":
        if event.get("subtype") not in _PERSON_SUBTYPES or event.get("channel_type") != "im":
            return None
        return Inbound(
            actor=actor,
            where=Address(Platform.SLACK, team, conversation=event.get("channel"), user=event["user"], where=Where.DM),
            kind=Kind.TEXT,
            text=clean_text(event.get("text", "")),
            event_id=event_id,
        )
    if kind == "app_mention":
        if event.get("subtype") not in _PERSON_SUBTYPES:
            return None
        channel = event.get("channel", "")
        return Inbound(
            actor=actor,
            where=Address(
                Platform.SLACK,
                team,
                conversation=channel,
                user=event["user"],
                where=where_of(channel),
                thread=event.get("thread_ts") or event.get("ts"),
            ),
            kind=Kind.TEXT,
            text=clean_text(strip_mention(event.get("text", ""), bot_user_id)),
            event_id=event_id,
        )
    return None


# --------------------------------------------------------------------- actions


def from_action(body: dict[str, Any]) -> Click | None:
    """A `block_actions` payload: a button, a menu choice, or a form submitted
    with its button. Value pickers (`~pick`) are not a turn: None."""
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    action_id, is_pick = split_action_id(action.get("action_id", ""))
    if is_pick:
        return None
    user = body.get("user") or {}
    team = team_of_action(body)
    container = body.get("container") or {}
    in_view = container.get("type") == "view"
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    message = body.get("message") or {}
    message_ts = message.get("ts") or container.get("message_ts")
    ephemeral = bool(container.get("is_ephemeral"))

    picks, form = _state(body.get("state") or {})
    kind = Kind.ACTION
    values: dict[str, str | tuple[str, ...]] = {}
    raw, label = _chosen(action)
    value = ",".join(raw) if isinstance(raw, tuple) else raw
    if action.get("type") == "button" and form:
        kind, values = Kind.FORM, form
    elif action.get("type") == "button" and action_id in picks:
        chosen = picks[action_id]
        values = {action_id: tuple(v for v, _ in chosen)}
        value = ",".join(v for v, _ in chosen)
        label = ", ".join(text for _, text in chosen)
    elif isinstance(raw, tuple):
        values = {action_id: raw}

    where = Address(
        Platform.SLACK,
        team,
        conversation=channel,
        user=user.get("id"),
        where=where_of(channel or "D", (body.get("channel") or {}).get("name", "")),
    )
    ref = None
    if channel and message_ts and not in_view:
        ref = MessageRef(Platform.SLACK, channel, message_ts)
    inbound = Inbound(
        actor=Actor(Platform.SLACK, team, user.get("id", ""), display_name=user.get("name") or None),
        where=where if channel else replace(where, where=Where.DM, conversation=None),
        kind=kind,
        action_id=action_id,
        value=value,
        values=values,
        message=ref,
    )
    return Click(
        inbound,
        label,
        body.get("response_url"),
        ephemeral,
        in_view,
        tuple(message.get("blocks") or ()),
        message.get("text", ""),
    )


def _chosen(action: dict[str, Any]) -> tuple[str | tuple[str, ...] | None, str]:
    kind = action.get("type")
    if kind == "button":
        return action.get("value", ""), (action.get("text") or {}).get("text", "")
    if kind in ("static_select", "radio_buttons", "external_select"):
        option = action.get("selected_option") or {}
        return option.get("value"), (option.get("text") or {}).get("text", "")
    if kind in ("multi_static_select", "checkboxes"):
        options = action.get("selected_options") or []
        return (
            tuple(o.get("value") for o in options),
            ", ".join((o.get("text") or {}).get("text", "") for o in options),
        )
    return action.get("value"), action.get("value") or ""


def _state(state: dict[str, Any]) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str | tuple[str, ...]]]:
    """(value pickers by neutral id, form inputs by input id) from `state.values`."""
    picks: dict[str, list[tuple[str, str]]] = {}
    form: dict[str, str | tuple[str, ...]] = {}
    for block_id, elements in (state.get("values") or {}).items():
        for raw_id, element in elements.items():
            neutral, is_pick = split_action_id(raw_id)
            options = element.get("selected_options")
            if options is None and element.get("selected_option"):
                options = [element["selected_option"]]
            chosen = [(o.get("value", ""), (o.get("text") or {}).get("text", "")) for o in options or []]
            if is_pick:
                picks[neutral] = chosen
            elif block_id.startswith(FORM_BLOCK):
                if element.get("type") in ("multi_static_select", "checkboxes"):
                    form[neutral] = tuple(v for v, _ in chosen)
                elif options is not None:
                    form[neutral] = chosen[0][0] if chosen else ""
                else:
                    form[neutral] = element.get("value") or ""
    return picks, form
