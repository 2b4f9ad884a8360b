"""A yes or a no typed right after a Yes/No question answers it.

The Yes/No cards (`bot.commands.participant.confirm_card`: `leave`,
`forget`, `program close`, `pause`, `unpair` and every question of
`bot.commands.confirm`) carry what their buttons do in the buttons' values,
so the card, in the outbox row that sent it, is the question's whole state.
A turn whose last reply is such a card, in the person's own chat, notes
that row among the person's press records (`bot.presses.note_asked`), which
their next turn forgets whatever it is. So only the very next line they
type may answer it, and a plain yes or no (`typed_yes_no`) does, pressing
the card's Yes or No as a click would, when:

- the question went to this account, in this conversation, and was sent;
- it was asked less than `WITHIN` ago;
- nothing has been sent to the person since (another card, a survey, a
  message from someone else): the question is still the newest thing
  they have read.

A question answered by typing is shown answered where it was asked, as a
press shows it: the turn's replies begin with an update of the card's
message (`answered_in_place`: its words, no buttons, and the answer typed),
so its buttons cannot be pressed later to act a second time. A card whose
message the platform never identified (no `message_id` recorded) cannot be
updated and stays as it was.

A question pressed, answered by typing, or followed by any other turn of
theirs is forgotten; one too old, or with messages after it, is answered
with what to do instead (its buttons, or the command again with
`confirm=yes`), and nothing is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clicked import answers_clicked
from bot.commands.smalltalk import typed_yes_no
from bot.errors import UserError
from bot.messages import Button, Buttons, Card, Choice, Inbound, Input, Kind, MessageRef, Outbound, Text, Where
from bot.outbox import KEPT_COPY, REPLY, address_from_dict, decode, sent_message
from bot.presses import note_asked
from bot.store.models import Reminder, ReminderStatus
from bot.turn import Turn

WITHIN = timedelta(minutes=30)
_SEEN = (ReminderStatus.SENT, ReminderStatus.CLAIMED)


@dataclass(frozen=True)
class TypedPress:
    """A typed yes or no that presses a button of the question just asked:
    the press, and the question's message as it was sent (to show it answered)."""

    inbound: Inbound
    asked: Outbound
    label: str
    message: MessageRef | None  # the platform's message of the question; None when not known


def yes_no_buttons(card: Card | None) -> tuple[Button, Button] | None:
    """The Yes and No buttons of a Yes/No card as `confirm_card` builds it
    (`PREFIX.confirm` and `PREFIX.cancel`, the same value); None for any other card."""
    for block in card.blocks if card is not None else ():
        if isinstance(block, Buttons) and len(block.buttons) == 2:
            yes, no = block.buttons
            prefix = yes.action_id.removesuffix(".confirm")
            if prefix != yes.action_id and no.action_id == f"{prefix}.cancel" and yes.value == no.value:
                return yes, no
    return None


async def remember(session: AsyncSession, inbound: Inbound, replies: list[Outbound], now) -> None:
    """After a turn's replies are staged: note the Yes/No question when it
    is the last of them, the only one, and went to the person's own chat."""
    asking = [m for m in replies if yes_no_buttons(m.card) is not None]
    if len(asking) != 1 or asking[0] is not replies[-1] or asking[0].outbox is None:
        return
    to = asking[0].outbox.address
    if to.where == Where.DM and to.conversation and to.user == inbound.actor.user_id:
        await note_asked(session, inbound, asking[0].outbox.id, now)


async def typed_answer(turn: Turn, text: str) -> TypedPress | UserError | None:
    """The press a typed yes or no makes on the question the person's
    previous turn asked (`Turn.asked`); a UserError saying what to do
    instead when that question may not be answered by typing; None when
    the line is no plain yes or no, or no question of theirs is open here."""
    inbound = turn.inbound
    said = typed_yes_no(text) if turn.asked is not None else None
    if said is None or inbound.kind != Kind.TEXT or inbound.where.where != Where.DM:
        return None
    row = await turn.session.get(Reminder, turn.asked)
    if row is None or row.kind != REPLY or row.person_id != turn.person.id or row.status != ReminderStatus.SENT:
        return None
    if row.address is None or "message" not in row.context:  # a transient row keeps nothing once sent
        return None
    to = address_from_dict(row.address)
    here = (inbound.where.platform, inbound.where.tenant, inbound.where.conversation, inbound.actor.user_id)
    asked = decode(row.context["message"], to)
    buttons = yes_no_buttons(asked.card)
    if buttons is None or (to.platform, to.tenant, to.conversation, to.user) != here:
        return None
    typed_line = buttons[0].action_id == "confirm.confirm"  # `confirm=yes` may be typed instead
    if row.created_at is None or turn.now - row.created_at > WITHIN:
        return UserError("core/typed_answer_stale", old=True, minutes=WITHIN.seconds // 60, typed_command=typed_line)
    since = select(Reminder.id).where(
        col(Reminder.id) > row.id,
        Reminder.person_id == turn.person.id,
        col(Reminder.status).in_(_SEEN),
        ~col(Reminder.key).startswith(KEPT_COPY),  # an adapter's copy: the message it copies has its own row
    )
    if (await turn.session.exec(since.limit(1))).first() is not None:
        return UserError("core/typed_answer_stale", old=False, minutes=WITHIN.seconds // 60, typed_command=typed_line)
    pressed = buttons[0] if said else buttons[1]
    press = replace(inbound, kind=Kind.ACTION, text="", action_id=pressed.action_id, value=pressed.value, message=None)
    return TypedPress(press, asked, pressed.label, sent_message(to, row.message_id))


def answered_in_place(turn: Turn, typed: TypedPress, replies: list[Outbound]) -> list[Outbound]:
    """The question's message shown answered, as a press shows it: its
    words without buttons and the answer that was typed. Only when the
    press was taken (not refused: the card then stays to be answered) and
    the platform's message of the question is known."""
    card = typed.asked.card
    if typed.message is None or card is None or not answers_clicked(replies):
        return []
    said = turn.render("core/answered_by_typing", answer=typed.label)
    kept = tuple(b for b in card.blocks if not isinstance(b, (Buttons, Choice, Input)))
    update = turn.reply(typed.asked.text, kind="core/answered_by_typing", card=Card((*kept, Text(said))))
    return [replace(update, replace=typed.message, shows_answered=True)]
