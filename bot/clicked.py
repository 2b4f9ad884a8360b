"""A clicked card as the bot sent it, to show it answered.

A click on a card comes back with only what the card's button carried, and a
client may send anything there (a Teams `Action.Submit`'s data is whatever
the request says). So a card is shown answered from the bot's own records:
the outbox row that sent it, believed only when that row was sent as the
clicked message to the person who clicked, rendered again the way the
dispatcher renders it, and the label of the pressed button as that card has
it. Nothing the click carried is shown, and a click the core did not take
(a stale or unknown button, a refusal) marks nothing answered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Buttons, Card, Choice, Inbound, Outbound, Where
from bot.outbox import address_from_dict
from bot.people import identity_of
from bot.reminders.render import Ready, Renderer
from bot.store.models import Reminder, ReminderStatus

log = logging.getLogger(__name__)


def accepted(replies: Sequence[Outbound]) -> bool:
    """The core took the click: it answered, and not with a refusal. A press
    it said nothing to (a double click, a redelivery, a dropped flood) was
    either shown answered by its first delivery or not taken at all."""
    return bool(replies) and not any(m.refused for m in replies)


def answers_clicked(replies: Sequence[Outbound]) -> bool:
    """Whether the clicked card is shown answered: the core took the click
    (`accepted`), and not on one row of a list card (`Outbound.keeps_clicked`)."""
    return accepted(replies) and not any(m.keeps_clicked for m in replies)


async def sent_card(session: AsyncSession, renderer: Renderer, row_id: int, inbound: Inbound) -> Outbound | None:
    """The card that outbox row `row_id` sent as the clicked message, as the
    bot renders it; None unless that row was sent as that very message to the
    person who clicked, in their personal chat, and still renders as a card."""
    clicked = inbound.message
    if clicked is None or inbound.where.where != Where.DM:
        return None
    row = await session.get(Reminder, row_id)
    if row is None or row.status != ReminderStatus.SENT or row.sent_at is None or row.message_id != clicked.message_id:
        return None
    if not await _went_to_clicker(session, row, inbound):
        return None
    try:
        ready = await renderer.prepare(session, row, row.sent_at)  # its words as they were sent
    except Exception:  # a row whose words are gone (purged, `forget`): nothing of ours to show
        log.info("the clicked card's row %s no longer renders", row_id, exc_info=True)
        return None
    if not isinstance(ready, Ready) or ready.message.card is None:
        return None
    return ready.message


async def _went_to_clicker(session: AsyncSession, row: Reminder, inbound: Inbound) -> bool:
    """Whether `row` was for the person who clicked: written for them (their
    person), or addressed to their own account in this chat."""
    actor = inbound.actor
    if row.person_id is not None:
        identity = await identity_of(session, str(actor.platform), actor.tenant, actor.user_id)
        return identity is not None and identity.person_id == row.person_id
    if not row.address:
        return False
    to = address_from_dict(row.address)
    return (to.platform, to.tenant, to.user, to.where) == (
        actor.platform,
        actor.tenant,
        actor.user_id,
        Where.DM,
    ) and to.conversation in (None, inbound.where.conversation)


def chosen_label(card: Card, inbound: Inbound) -> str | None:
    """What the click chose, in the card's own words: the pressed button's
    label, or the labels of the picked options; None for a form's submit or
    anything that is not on the card."""
    picked = inbound.values.get(inbound.action_id or "")
    values = (picked,) if isinstance(picked, str) else picked or (inbound.value or "",)
    for block in card.blocks:
        if isinstance(block, Buttons):
            for button in block.buttons:
                if button.action_id == inbound.action_id and button.value == (inbound.value or ""):
                    return button.label
        elif isinstance(block, Choice) and block.action_id == inbound.action_id:
            labels = {o.value: o.label for o in block.options}
            chosen = [labels[v] for v in values if v in labels]
            if chosen:
                return ", ".join(chosen)
    return None
