"""Commands that want a second look before they act (an event outside the
program, a second closing, a program that has already started): the handler
answers with a question, and "Yes" runs the same line again with `confirm=yes`.

    if doubts and not args["confirm"]:
        return [ask(turn, "events/confirm_outside", ...)]

A question that names something others may change meanwhile (`event remove
3` names the event's day and time) gives `as_of`, a word for what it named
(`event-3-r2`: its revision); its Yes carries the word, and the command run
by that Yes finds it in `Turn.as_asked`, to refuse the Yes as stale when
the thing has changed since (`confirm=yes` typed by hand carries none).
"""

from __future__ import annotations

from bot.commands.participant import answered, confirm_card
from bot.commands.registry import Param, action
from bot.errors import UserError, stale_button
from bot.messages import Outbound
from bot.turn import Turn

CONFIRM = Param("confirm", "choice", named=True, required=False, choices=("yes", "no"))
MAX_LINE = 1500  # a button value must stay well within every platform's limit


def ask(turn: Turn, template: str, /, *, line: str | None = None, as_of: str = "", **ctx) -> Outbound:
    """The question, with Yes running the typed line again with `confirm=yes`;
    a button that asks (it has no typed line) gives the `line` Yes runs;
    `as_of`: what the question named, as one word, carried by the Yes."""
    line = (turn.inbound.text or "" if line is None else line).strip()
    if not line or len(line) > MAX_LINE:
        raise UserError("errors/confirm_by_typing")
    if any(c.isspace() for c in as_of):
        raise ValueError(f"as_of must be one word: {as_of!r}")
    said = f"{AS_OF}{as_of} " if as_of else ""
    return confirm_card(turn, template, "confirm", f"{turn.actor_key} {said}{line} confirm=yes", **ctx)


AS_OF = "@"  # before the word of what the question named, in the Yes's value (no command starts with it)


@action("confirm.")
async def confirmed(turn: Turn):
    asked, _, line = (turn.inbound.value or "").partition(" ")
    as_of = None
    if line.startswith(AS_OF):
        as_of, _, line = line.removeprefix(AS_OF).partition(" ")
    if asked != turn.actor_key or not line.endswith(" confirm=yes"):
        raise stale_button()  # someone else's question (or a forged one): only who was asked answers
    if turn.inbound.action_id != "confirm.confirm":
        return answered(turn, "commands/confirm_dropped")
    # The same command again, with the same role check and audit as typed.
    turn.as_asked = as_of
    return await turn.core.run_line(turn, line)
