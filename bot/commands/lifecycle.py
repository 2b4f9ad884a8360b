"""A program's lifecycle in chat (see `bot.lifecycle`):

    program use NAME          the program this coordinator's commands mean
    program open [NAME]       draft -> active
    program close [NAME] [force=yes]   asks to confirm; -> closed
    program archive NAME      closed -> archived
"""

from __future__ import annotations

from sqlmodel import select

from bot import lifecycle, plan
from bot.commands.participant import answered, confirm_card
from bot.commands.registry import COORDINATOR, Param, action, command
from bot.errors import UserError
from bot.store.models import Pairing, PairStatus, Program
from bot.turn import Turn

NAMED = Param("program", "program", required=False)


@command("program", "use", role=COORDINATOR, params=(Param("program", "program"),))
async def program_use(turn: Turn, args):
    program = await turn.program(args["program"])
    if program.status == lifecycle.ARCHIVED:
        raise UserError("lifecycle/archived", program=program)
    turn.person.coordinating_program_id = program.id
    turn.session.add(turn.person)
    return [turn.say("lifecycle/using", program=program)]


def _require(program: Program, *allowed: str) -> None:
    if program.status not in allowed:
        raise UserError("lifecycle/wrong_status", program=program, status=program.status, allowed=list(allowed))


@command("program", "open", role=COORDINATOR, params=(NAMED,))
async def program_open(turn: Turn, args):
    program = await turn.program(args["program"])
    _require(program, lifecycle.DRAFT)
    program.status = lifecycle.ACTIVE
    turn.session.add(program)
    await turn.session.flush()
    await plan.program_changed(turn, program)
    return [turn.say("lifecycle/opened", program=program)]


async def awaiting_closeout(session, program: Program) -> list[Pairing]:
    """Pairs still running: the close-out has not settled them yet."""
    return list((await session.exec(select(Pairing).where(
        Pairing.program_id == program.id, Pairing.status == PairStatus.ANNOUNCED))).all())


@command("program", "close", role=COORDINATOR, params=(
    NAMED, Param("force", "choice", named=True, required=False, choices=("yes", "no")),
))
async def program_close(turn: Turn, args):
    program = await turn.program(args["program"])
    _require(program, lifecycle.ACTIVE, lifecycle.CLOSING)
    waiting = await awaiting_closeout(turn.session, program)
    forced = args["force"] == "yes"
    if waiting and not forced:
        raise UserError("lifecycle/pairs_waiting", program=program, count=len(waiting))
    value = f"{program.id}:{'force' if forced else 'plain'}"
    return [confirm_card(turn, "lifecycle/close_confirm", "program.close", value, program=program,
                         count=len(waiting), forced=forced)]


@action("program.close.")
async def program_close_answer(turn: Turn):
    if not turn.is_coordinator:
        await turn.audit("refused", command=turn.inbound.action_id)
        return [turn.say("errors/not_coordinator", command="program close", ephemeral=True)]
    ref, _, mode = (turn.inbound.value or "").partition(":")
    program = await turn.session.get(Program, int(ref)) if ref.isdigit() else None
    if program is None:
        raise UserError("errors/stale_action")
    if turn.inbound.action_id != "program.close.confirm":
        return answered(turn, "lifecycle/close_kept", program=program)
    _require(program, lifecycle.ACTIVE, lifecycle.CLOSING)
    waiting = await awaiting_closeout(turn.session, program)
    if waiting and mode != "force":  # a pair was announced since the question
        raise UserError("lifecycle/pairs_waiting", program=program, count=len(waiting))
    for pairing in waiting:
        pairing.status, pairing.ended_at, pairing.end_reason = PairStatus.COMPLETED, turn.now, "program closed"
        turn.session.add(pairing)
    program.status, program.closed_at = lifecycle.CLOSED, turn.now
    turn.session.add(program)
    await turn.session.flush()
    await plan.program_changed(turn, program)  # a closed program's pending rows are cancelled
    await turn.audit("program closed", program=program, forced=mode == "force", completed=len(waiting))
    return answered(turn, "lifecycle/closed", program=program)


@command("program", "archive", role=COORDINATOR, params=(Param("program", "program"),))
async def program_archive(turn: Turn, args):
    program = await turn.program(args["program"])
    _require(program, lifecycle.CLOSED)
    program.status = lifecycle.ARCHIVED
    turn.session.add(program)
    return [turn.say("lifecycle/archived_done", program=program)]
