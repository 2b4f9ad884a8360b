"""A coordinator's `unpair N REASON` (`avsluta-par N MOTIVERING`): ends a
live pair, after asking, as every command that undoes people's plans does.
The question names the pair and says what ending it does (both are told if
they were, the pair's reminders stop, the mentee goes back among those to
match) and how to take it back (`unpair undo N`, `bot.commands.unpair_undo`).
Yes runs the same line again with `confirm=yes` (`bot.commands.confirm`),
which may also be typed; the ending itself is `matching.end_pair`. The stall
digest's "End the pair" button and the first-meeting fit notice's "Re-match"
(`bot.commands.firstmeeting`) ask the same question (`ask_to_end`), and its
Yes runs this command too."""

from __future__ import annotations

import shlex

from bot.commands.confirm import CONFIRM, ask
from bot.commands.matching import end_pair
from bot.commands.registry import COORDINATOR, PROGRAM, Param, command
from bot.errors import UserError
from bot.inputs import parse_int
from bot.messages import Outbound
from bot.store.models import Enrollment, Pairing, PairStatus, Person, Program
from bot.store.rows import fetch
from bot.turn import Turn


@command("unpair", role=COORDINATOR, params=(Param("pair"), Param("reason", free=True), CONFIRM, PROGRAM))
async def unpair(turn: Turn, args):
    program = await turn.program(args["program"])
    number = parse_int(str(args["pair"]).lstrip("#"), low=1)
    row = await turn.session.get(Pairing, number) if number is not None else None
    if row is None or row.program_id != program.id or row.status not in (PairStatus.APPROVED, PairStatus.ANNOUNCED):
        raise UserError("matching/errors/unknown_live_pair", ref=args["pair"])
    reason = str(args["reason"]).strip()
    if args["confirm"] != "yes":
        return [await ask_to_end(turn, row, reason)]
    return [await end_pair(turn, program, row, reason)]


async def ask_to_end(turn: Turn, row: Pairing, reason: str, *, program: Program | None = None) -> Outbound:
    """Whether to end the live pair `row`, for `reason`. Typed, Yes runs the
    typed line again; from a button (give the `program`), it runs
    `unpair N REASON program=SLUG`, the line a coordinator would type."""
    names = {}
    for role, enrollment_id in (("adept", row.adept_id), ("mentor", row.mentor_id)):
        enrollment = await fetch(turn.session, Enrollment, enrollment_id)
        names[role] = (await fetch(turn.session, Person, enrollment.person_id)).name
    line = None if program is None else f"unpair {row.id} {shlex.quote(reason)} program={shlex.quote(program.slug)}"
    told = row.status == PairStatus.ANNOUNCED
    of = program or await fetch(turn.session, Program, row.program_id)  # named: several may run
    return ask(
        turn, "matching/unpair_confirm", line=line, pair={"id": row.id, **names}, told=told, reason=reason, program=of
    )
