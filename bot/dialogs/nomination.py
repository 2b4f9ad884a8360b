"""Answering an invitation or a nomination card.

The lead's `invite` and `nominate` commands send a card whose buttons carry
the enrollment id: `invite.join`, `nomination.accept`, `nomination.decline`.
Accepting starts consent and the intake (the mentor intake for a
nomination, with the nominator already filled in); declining a nomination
marks the enrollment `declined` and tells the nominator, politely. A card can
only be answered by the person it was sent to, and answering it twice is
recognised ("already answered").

```mermaid
stateDiagram-v2
    [*] --> invited: nominate / invite (card sent)
    invited --> consent: accept / join
    invited --> declined: decline (nominator told)
    invited --> consent: accept (nominator told, once)
    declined --> consent: accept later (changed their mind)
    consent --> onboarding: yes
    onboarding --> active: intake confirmed
    onboarding --> pending: confirmed, outside the rules
    active --> active: card clicked again ("already joined")
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.lifecycle import RUNNING
from bot.messages import Outbound
from bot.store.models import Enrollment, EnrollmentStatus, Person, Program, Role
from bot.store.rows import pk

if TYPE_CHECKING:
    from bot.turn import Turn

STARTED = (EnrollmentStatus.ONBOARDING,)
JOINED = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING)


async def own_enrollment(turn: Turn, value: str | None) -> tuple[Enrollment, Program]:
    """The enrollment a card button names, if it belongs to whoever clicked;
    the turn is about its program from here on."""
    number = parse_int(value or "", low=1)
    enrollment = await turn.session.get(Enrollment, number) if number is not None else None
    if enrollment is None or enrollment.person_id != turn.person.id:
        raise stale_button()
    program = await turn.session.get(Program, enrollment.program_id)
    if program is None or program.status not in RUNNING:
        raise UserError("dialogs/program_closed", program=program.name if program else "")
    turn.about(program)  # the card was about it: so is the answer (`bot.language`)
    return enrollment, program


def answered_card(turn: Turn, template: str, **ctx) -> list[Outbound]:
    """Replace the clicked card (so its buttons are gone) where the platform can."""
    if turn.inbound.message is None:
        return []
    return [turn.answered(template, **ctx)]


async def join_from_card(turn: Turn, value: str | None, *, role: str | None = None) -> list[Outbound]:
    """`invite.join` and `nomination.accept`: start (or resume) the intake."""
    from bot.dialogs import begin_intake

    enrollment, program = await own_enrollment(turn, value)
    if role and enrollment.role != role:
        raise stale_button()
    if enrollment.status in JOINED:
        return [
            turn.say(
                "dialogs/already_joined",
                program=program.name,
                role=enrollment.role,
                pending=enrollment.status == EnrollmentStatus.PENDING,
            )
        ]
    if enrollment.status == EnrollmentStatus.LEFT:
        raise UserError("dialogs/left_already", program=program.name)
    notes = []
    if enrollment.status in (EnrollmentStatus.DECLINED, EnrollmentStatus.CANCELLED):
        enrollment.status = EnrollmentStatus.INVITED
        enrollment.updated_at = turn.now
        turn.session.add(enrollment)
        notes.append(turn.render("dialogs/changed_mind"))
    if enrollment.role == Role.MENTOR and enrollment.nominated_by:
        await turn.audit("nomination.accepted", program=program, enrollment=enrollment.id)
        await _tell_nominator(turn, enrollment, program)
    replies = answered_card(turn, "dialogs/card_accepted", program=program.name)
    return replies + await begin_intake(turn, program, enrollment, notes=notes)


async def _tell_nominator(turn: Turn, enrollment: Enrollment, program: Program) -> None:
    """The reply to `nominate` promises to say what the nominee answers:
    told once, on the first acceptance."""
    if enrollment.answers.get("nominator_told"):
        return
    nominator = await turn.session.get(Person, enrollment.nominated_by)
    if nominator is None or nominator.id == turn.person.id:
        return
    await turn.tell(
        pk(nominator),
        "dialogs/nomination_accepted_nominator",
        program=program,
        name=turn.person.name,
        program_name=program.name,
    )
    enrollment.answers = {**enrollment.answers, "nominator_told": True}
    turn.session.add(enrollment)


async def decline(turn: Turn, value: str | None) -> list[Outbound]:
    """`nomination.decline` (a nomination, a returning mentor's invitation or
    a mentee's invitation): noted, and the nominator, if any, is told politely."""
    enrollment, program = await own_enrollment(turn, value)
    if enrollment.status == EnrollmentStatus.DECLINED:
        return [turn.say("dialogs/already_answered", ephemeral=True)]
    if enrollment.status in STARTED + JOINED:
        return [turn.say("dialogs/decline_too_late", program=program.name)]
    enrollment.status = EnrollmentStatus.DECLINED
    enrollment.updated_at = turn.now
    turn.session.add(enrollment)
    await turn.audit("nomination.declined", program=program, enrollment=enrollment.id)
    if enrollment.nominated_by:
        nominator = await turn.session.get(Person, enrollment.nominated_by)
        if nominator is not None:
            await turn.tell(
                pk(nominator),
                "dialogs/nomination_declined_nominator",
                program=program,
                name=turn.person.name,
                program_name=program.name,
            )
    return [
        *answered_card(turn, "dialogs/card_declined", program=program.name),
        # An invitation (a mentee's, a returning mentor's from `program open`) has no nominator to tell.
        turn.say("dialogs/nomination_declined" if enrollment.nominated_by else "dialogs/invitation_declined"),
    ]
