"""A coordinator's `unpair N REASON` (`avsluta-par N MOTIVERING`): ends a
live pair, after asking, as every command that undoes people's plans does.
The question names the pair and says what ending it does (both are told if
they were, the pair's reminders stop, the mentee goes back among those to
match) and how to take it back (`unpair undo N`, `bot.commands.unpair_undo`).
Yes runs the same line again with `confirm=yes` (`bot.commands.confirm`),
which may also be typed; the ending itself is `matching.end_pair`, which
the stall digest's button shares."""

from __future__ import annotations

from bot.commands.confirm import CONFIRM, ask
from bot.commands.matching import end_pair
from bot.commands.registry import COORDINATOR, PROGRAM, Param, command
from bot.errors import UserError
from bot.inputs import parse_int
from bot.store.models import Enrollment, Pairing, PairStatus, Person
from bot.store.rows import fetch
from bot.turn import Turn


@command("unpair", role=COORDINATOR, params=(Param("pair"), Param("reason", rest=True), CONFIRM, PROGRAM))
async def unpair(turn: Turn, args):
    program = await turn.program(args["program"])
    number = parse_int(str(args["pair"]).lstrip("#"), low=1)
    row = await turn.session.get(Pairing, number) if number is not None else None
    if row is None or row.program_id != program.id or row.status not in (PairStatus.APPROVED, PairStatus.ANNOUNCED):
        raise UserError("matching/errors/unknown_live_pair", ref=args["pair"])
    reason = str(args["reason"]).strip()
    if args["confirm"] != "yes":
        names = {}
        for role, enrollment_id in (("adept", row.adept_id), ("mentor", row.mentor_id)):
            enrollment = await fetch(turn.session, Enrollment, enrollment_id)
            names[role] = (await fetch(turn.session, Person, enrollment.person_id)).name
        told = row.status == PairStatus.ANNOUNCED
        return [ask(turn, "matching/unpair_confirm", pair={"id": row.id, **names}, told=told, reason=reason)]
    return [await end_pair(turn, program, row, reason)]
