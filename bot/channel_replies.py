"""Where the answers to a turn asked in a channel or group go: a dialogue
goes on in the person's DM (`dialogue_in_dm`), and every other answer is
for the asker alone unless it says it is for the room (`for_the_asker`)."""

from __future__ import annotations

from dataclasses import replace

from bot.messages import Address, Outbound, Where
from bot.turn import Turn


def _personal(message: Outbound) -> bool:
    """A reply of a dialogue (its questions, summaries, cards)."""
    return message.to is None and message.replace is None and (message.kind or "").startswith("dialogs/")


def for_the_asker(turn: Turn, replies: list[Outbound]) -> list[Outbound]:
    """In a channel or group, an answer is for the person who asked, never
    the room: a coordinator's `participants` or `match` there names people.
    What is meant for a conversation says so: an address of its own (a
    broadcast, an announcement) or `public` (`channel`'s confirmation); a
    card updated in place stays where it is."""
    if turn.inbound.where.where == Where.DM:
        return replies
    kept = [m.to is not None or m.replace is not None or m.ephemeral or m.public for m in replies]
    return [m if keep else replace(m, ephemeral=True) for m, keep in zip(replies, kept, strict=True)]


def dialogue_in_dm(turn: Turn, replies: list[Outbound]) -> list[Outbound]:
    """A dialogue started in a channel or group (`join` there) goes on in
    the person's DM: its questions and answers are theirs alone."""
    inbound = turn.inbound
    if inbound.where.where == Where.DM or not any(_personal(m) for m in replies):
        return replies
    actor = inbound.actor
    dm = Address(actor.platform, actor.tenant, user=actor.user_id, where=Where.DM)
    moved = [replace(m, to=dm, ephemeral=False) if _personal(m) else m for m in replies]
    return [turn.say("core/continue_in_dm", ephemeral=True), *moved]
