"""One enrollment per person and program; changing role is a confirmed step.

`join role=mentor` by someone already enrolled as an adept (or the other way
round) does not create a second enrollment: it asks first, with a card whose
buttons carry the enrollment id and the role asked for (`role.confirm` and
`role.cancel`, so a typed yes or no answers it as on any Yes/No card;
`role.change` and `role.keep` are the same buttons on cards sent before). *Change* turns the
same enrollment into the other role and starts that role's intake from the
beginning (the earlier answers belong to the other role and are dropped);
*Keep* leaves everything as it was. Someone in a pair (drafted, approved or
announced) cannot change role themselves: the coordinator has to unpair first.
A card answered once, or about an enrollment that has changed since, does
nothing (the press is recognised as stale).

```mermaid
stateDiagram-v2
    [*] --> asked: join role=X while enrolled as Y
    asked --> intake_X: change (same enrollment, role X, answers dropped)
    asked --> kept: keep
    asked --> refused: in a pair
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import col, select

from bot.dialogs.flow import ACTIVE, CANCELLED
from bot.dialogs.nomination import answered_card, own_enrollment
from bot.errors import UserError, stale_button
from bot.messages import Button, Buttons, Card, Outbound, Text
from bot.store.models import GONE, DialogState, Enrollment, EnrollmentStatus, Pairing, PairStatus, Program, Role

if TYPE_CHECKING:
    from bot.turn import Turn

ROLES = (Role.ADEPT.value, Role.MENTOR.value)
# An enrollment in one of these states can simply take the other role.
OVER = GONE
IN_A_PAIR = (PairStatus.DRAFT, PairStatus.APPROVED, PairStatus.ANNOUNCED)


async def in_a_pair(turn: Turn, enrollment: Enrollment) -> bool:
    query = select(Pairing.id).where(
        (Pairing.adept_id == enrollment.id) | (Pairing.mentor_id == enrollment.id), col(Pairing.status).in_(IN_A_PAIR)
    )
    return (await turn.session.exec(query)).first() is not None


async def ask(turn: Turn, program: Program, enrollment: Enrollment, role: str) -> list[Outbound]:
    """The confirmation card: enrolled as `enrollment.role`, asked for `role`."""
    if await in_a_pair(turn, enrollment):
        raise UserError("dialogs/role_change_paired", program=program.name, role=enrollment.role)
    # Said as it is: only invited (no answers yet), in the middle of the intake, or signed up.
    context = dict(program=program.name, current=enrollment.role, wanted=role, status=enrollment.status)
    question = turn.render("dialogs/role_change_ask", **context)
    # A Yes/No card as `confirm_card` builds it (`role.confirm` / `role.cancel`, one value),
    # so a typed yes or no right after it answers it (`bot.asked`).
    value = f"{enrollment.id}:{role}"
    card = Card(
        (
            Text(question),
            Buttons(
                (
                    Button("role.confirm", turn.render("dialogs/option/role_change", wanted=role), value, "primary"),
                    Button("role.cancel", turn.render("dialogs/option/role_keep", current=enrollment.role), value),
                )
            ),
        )
    )
    return [turn.reply(question, card=card, kind="dialogs/role_change_ask")]


def retake(enrollment: Enrollment, role: str, now) -> None:
    """The same enrollment, now in `role`, back at the start of its intake."""
    enrollment.role = role
    enrollment.status = EnrollmentStatus.INVITED
    enrollment.answers = {}
    enrollment.consent_at = None
    enrollment.capacity = 1
    enrollment.updated_at = now


async def _card_enrollment(turn: Turn) -> tuple[Enrollment, Program, str]:
    enrollment_id, _, role = (turn.inbound.value or "").partition(":")
    enrollment, program = await own_enrollment(turn, enrollment_id)
    if role not in ROLES:
        raise stale_button()
    return enrollment, program, role


async def change(turn: Turn) -> list[Outbound]:
    """*Change*: the enrollment takes the role the card names."""
    from bot.dialogs import begin_intake

    enrollment, program, role = await _card_enrollment(turn)
    if enrollment.role == role:  # already changed (or asked for what it is): nothing to do
        return [turn.say("dialogs/already_answered", ephemeral=True)]
    if await in_a_pair(turn, enrollment):
        raise UserError("dialogs/role_change_paired", program=program.name, role=enrollment.role)
    previous = enrollment.role
    states = (
        await turn.session.exec(
            select(DialogState).where(
                DialogState.person_id == turn.person.id,
                DialogState.program_id == program.id,
                DialogState.status == ACTIVE,
            )
        )
    ).all()
    for state in states:  # the other role's questions are no longer asked
        state.status, state.data, state.history = CANCELLED, {"enrollment_id": enrollment.id, "answers": {}}, []
        state.version += 1
        turn.session.add(state)
    retake(enrollment, role, turn.now)
    turn.session.add(enrollment)
    await turn.session.flush()
    await turn.audit("enrollment.role_changed", program=program, enrollment=enrollment.id, before=previous, after=role)
    replies = answered_card(turn, "dialogs/role_changed", program=program.name, wanted=role)
    return replies + await begin_intake(turn, program, enrollment)


async def keep(turn: Turn) -> list[Outbound]:
    """*Keep*: nothing changes."""
    enrollment, program, _role = await _card_enrollment(turn)
    replies = answered_card(turn, "dialogs/role_kept", program=program.name, current=enrollment.role)
    return replies or [turn.say("dialogs/role_kept", program=program.name, current=enrollment.role)]
