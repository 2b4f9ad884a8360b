"""A message with a card shows its own text in the card (the card is the
body, bot/messages.py): an invitation's "Hej! Hanna bjuder in dig…" is not
lost on platforms that draw only the card."""

from __future__ import annotations

from bot.messages import Text


async def test_an_invitation_card_opens_with_the_invitation(world):
    await world.chat("Eva").say("hej")
    await world.chat("Hanna").say("invite console:local:eva")
    (invitation,) = [m for m in world.port.inbox.get("eva", []) if m.kind == "commands/invitation"]
    assert invitation.card is not None
    first = invitation.card.blocks[0]
    assert isinstance(first, Text) and first.text == invitation.text
    assert "Hanna" in first.text
    assert sum(isinstance(b, Text) and b.text == invitation.text for b in invitation.card.blocks) == 1
