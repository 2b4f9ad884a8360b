"""Resumable, persisted dialogues: consent and the adept and mentor intakes.

`continue_active(turn, text)` gives a typed message to the person's active
dialogue, if they have one, and returns its replies; None means no dialogue
took it and the text is read as a command. `begin_intake` starts (or resumes)
the intake for an enrollment; clicks on dialogue cards come back through
`bot.commands.join` to `entrances.continue_action`.

The engine is in `engine.py` (with its diagram), how a turn reaches a
dialogue (start, a typed line, a click) in `entrances.py`, the question kinds in
`steps.py`, the dialogues in `consent.py`, `adept_intake.py`,
`mentor_intake.py` and `nomination.py`; `intake.py` documents the answer keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.dialogs import adept_intake, mentor_intake, survey  # noqa: F401  (register the flows)
from bot.dialogs.entrances import continue_text, ended_by_close, open_question, start, still_waiting  # noqa: F401

if TYPE_CHECKING:
    from bot.messages import Outbound
    from bot.store.models import Enrollment, Program
    from bot.turn import Turn


async def continue_active(turn: Turn, text: str) -> list[Outbound] | None:
    return await continue_text(turn, text)


def flow_for(role: str) -> str:
    return mentor_intake.NAME if role == "mentor" else adept_intake.NAME


async def begin_intake(
    turn: Turn, program: Program, enrollment: Enrollment, notes: Sequence[str] = ()
) -> list[Outbound]:
    """Consent and intake for this enrollment, or where it stopped. A
    coordinator is first told that, taking part, they can read the others' answers."""
    if await turn.coordinates():
        notes = [turn.render("dialogs/coordinator_joins", program=program), *notes]
    return await start(turn, flow_for(enrollment.role), program, enrollment, notes=notes)
