"""Commands that want a second look before they act (an event outside the
program, a second closing, a program that has already started): the handler
answers with a question, and "Yes" runs the same line again with `confirm=yes`.

    if doubts and not args["confirm"]:
        return [ask(turn, "events/confirm_outside", ...)]
"""

from __future__ import annotations

from bot.commands.participant import answered, confirm_card
from bot.commands.registry import Param, action
from bot.errors import UserError, stale_button
from bot.messages import Outbound
from bot.turn import Turn

CONFIRM = Param("confirm", "choice", named=True, required=False, choices=("yes", "no"))
MAX_LINE = 1500  # a button value must stay well within every platform's limit


def ask(turn: Turn, template: str, /, *, line: str | None = None, **ctx) -> Outbound:
    """The question, with Yes running the typed line again with `confirm=yes`;
    a button that asks (it has no typed line) gives the `line` Yes runs."""
    line = (turn.inbound.text or "" if line is None else line).strip()
    if not line or len(line) > MAX_LINE:
        raise UserError("errors/confirm_by_typing")
    return confirm_card(turn, template, "confirm", f"{turn.actor_key} {line} confirm=yes", **ctx)


@action("confirm.")
async def confirmed(turn: Turn):
    asked, _, line = (turn.inbound.value or "").partition(" ")
    if asked != turn.actor_key or not line.endswith(" confirm=yes"):
        raise stale_button()  # someone else's question (or a forged one): only who was asked answers
    if turn.inbound.action_id != "confirm.confirm":
        return answered(turn, "commands/confirm_dropped")
    # The same command again, with the same role check and audit as typed.
    return await turn.core.run_line(turn, line)
