"""Consent comes first: no answer is stored before the person agrees.

The consent question says what is stored, why, who sees it (the
coordinator; the matched mentor sees the adept's needs) and how to see or
delete it later. Agreeing records the time in `Enrollment.consent_at` and
moves the enrollment to `onboarding`; refusing ends the dialogue with nothing
kept and tells the person how to come back. Cancelling the intake later
clears the consent time again, so a half-finished intake leaves no trace.

```mermaid
stateDiagram-v2
    [*] --> consent
    consent --> first_question: yes (consent_at = now, status onboarding)
    consent --> declined: no
    consent --> consent: anything else (re-prompt)
    declined --> [*]: nothing stored (the enrollment is declined), "write join when you change your mind"
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogs.flow import DECLINED, Ctx, State
from bot.dialogs.steps import YesNoStep
from bot.messages import Outbound
from bot.store.models import EnrollmentStatus

if TYPE_CHECKING:
    from bot.turn import Turn


def consent_step(role: str) -> YesNoStep:
    """The consent question for an adept or a mentor (what the matched
    partner sees differs)."""
    return YesNoStep("consent", ask=f"dialogs/ask/consent_{role}")


async def record_consent(turn: Turn, ctx: Ctx, state: State, agreed: bool) -> list[str]:
    if agreed:
        ctx.member.consent_at = turn.now
        ctx.member.status = EnrollmentStatus.ONBOARDING
        ctx.member.updated_at = turn.now
        turn.session.add(ctx.member)
        await turn.audit("consent.given", program=ctx.program, enrollment=ctx.member.id)
        return [turn.render("dialogs/consent_thanks")]
    # Refused, perhaps after going back to the question: consent is withdrawn.
    ctx.member.consent_at = None
    turn.session.add(ctx.member)
    return []


def after_consent(first_question: str):
    """The transition out of the consent step."""

    def transition(answers: dict, ctx: Ctx) -> str:
        return first_question if ctx.member.consent_at is not None else DECLINED

    return transition


async def consent_declined(turn: Turn, ctx: Ctx, state: State) -> list[Outbound]:
    from bot.dialogs.intake import forget_progress

    await forget_progress(turn, ctx, state, EnrollmentStatus.DECLINED)
    return [turn.say("dialogs/consent_declined", program=ctx.program.name)]
