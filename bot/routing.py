"""What a turn runs (`bot.core.Core.handle` calls `route` inside the turn's
transaction): a pressed button's handler, a typed answer to an open
question, a yes or no to the Yes/No question just asked, or a command line,
each only for someone allowed to."""

from __future__ import annotations

import re
from dataclasses import replace

from bot import dialogs
from bot.asked import TypedPress, answered_in_place, typed_answer
from bot.channel_replies import dialogue_in_dm, for_the_asker
from bot.commands.arguments import org_in_quotes, parse_args
from bot.commands.registry import (
    COORDINATOR,
    ROLES,
    action_role,
    find_action,
    lookup_command,
)
from bot.commands.smalltalk import card_number, is_greeting, is_yes_no
from bot.commands.topics import (
    commands_below,
    is_group_word,
    mistyped_subcommand,
    subcommand_typo,
    unknown_command,
    visible_roles,
)
from bot.commands.words import has_unclosed, refuse_unclosed, tokenize
from bot.errors import UserError
from bot.messages import Kind, Outbound, Where
from bot.person_refs import split_name_hint
from bot.telemetry import note_refusal
from bot.turn import Turn

# "mentor" (or "/mentor") before a command typed in a channel is not part of it.
LEADING = re.compile(r"^\s*(?:/?mentor\b[:,]?\s*)", re.IGNORECASE)


class RolledBack(Exception):
    """A person's mistake: the turn is rolled back and `answer` explains it
    (followed by `after`: the open question that still waits)."""

    def __init__(self, answer: Outbound, after: tuple[Outbound, ...] = ()):
        super().__init__(answer.kind)
        self.answer = answer
        self.after = after


async def route(turn: Turn) -> list[Outbound]:
    """The turn's replies, each in the language it was written in: a reply
    is rendered for the person of the turn (`Turn.render`), so one that
    does not say its language is in theirs (the adapters' own words on
    its card, a menu's "Choose", follow it)."""
    replies = [m if m.locale else replace(m, locale=turn.locale) for m in await _answer(turn)]
    return for_the_asker(turn, replies)


async def _answer(turn: Turn) -> list[Outbound]:
    inbound = turn.inbound
    if inbound.kind in (Kind.ACTION, Kind.FORM):
        return await _press(turn)
    if inbound.kind == Kind.OPENED:
        return await run(turn, ["home"])
    text = inbound.text if inbound.kind == Kind.COMMAND else LEADING.sub("", inbound.text)
    typed = await typed_answer(turn, text)  # a yes or no right after a Yes/No question: its button
    if inbound.kind == Kind.TEXT and inbound.where.where == Where.DM and not isinstance(typed, TypedPress):
        answered = await dialogs.continue_active(turn, text)  # answers are given in private only
        if answered is not None:
            return answered
    tokens = tokenize(text)
    if not tokens:
        tokens = ["help"]
    if has_unclosed(tokens) and not isinstance(typed, TypedPress) and lookup_command(tokens) is None:
        refuse_unclosed(tokens)  # a quote that never closes is free text only in a command's free text
    if isinstance(typed, TypedPress):
        turn.inbound = typed.inbound  # the question's button, pressed by typing
        replies = await _press(turn)
    elif is_greeting(tokens):
        replies = [turn.say("core/greeting")]
    elif is_yes_no(tokens) or card_number(tokens):  # a dialogue's open question took it above: none is open
        if typed is not None:  # the Yes/No question asked last may not be answered by typing: what to do
            raise typed
        closed = await dialogs.ended_by_close(turn)  # an intake's question that `program close` ended
        if closed is not None:  # answered as its card's buttons are
            raise closed
        replies = [
            turn.say(
                "core/no_open_question",
                coordinator=await turn.coordinates(),
                number=card_number(tokens),
                ephemeral=True,
            )
        ]
    else:
        replies = await _run_typed(turn, tokens)
    if inbound.kind == Kind.TEXT and not any(r.kind.startswith("dialogs/") or r.card for r in replies):
        # A command typed while a question is open: the question waits
        # (not said under a card that itself asks something).
        waiting = await dialogs.still_waiting(turn)
        replies += [waiting] if waiting is not None else []
    if isinstance(typed, TypedPress):  # the question's card shown answered first, as a press would
        replies = [*answered_in_place(turn, typed, replies), *replies]
    return dialogue_in_dm(turn, replies)


async def _press(turn: Turn) -> list[Outbound]:
    """A button pressed (or a form sent): its handler, if the person may press it."""
    handler = find_action(turn.inbound.action_id or "")
    if handler is None:
        raise UserError("errors/stale_action")
    role, name = action_role(turn.inbound.action_id or "")
    if role == COORDINATOR and not await turn.coordinates():
        return await _refuse(turn, name, command=turn.inbound.action_id)
    return await handler(turn)


async def _run_typed(turn: Turn, tokens: list[str]) -> list[Outbound]:
    """A typed command. One that fails at an open question (`met` without
    a pair) leaves it open, as one that ran does, and says so after the
    error (read before the rollback, flushing nothing of the command's)."""
    try:
        return await run(turn, tokens)
    except UserError as err:
        if turn.inbound.kind != Kind.TEXT or turn.inbound.where.where != Where.DM:
            raise
        with turn.session.no_autoflush:
            waiting = await dialogs.still_waiting(turn)
        if waiting is None:
            raise
        answer = turn.core.error_reply(turn.locale, err, turn.inbound)
        raise RolledBack(answer, (replace(waiting, locale=waiting.locale or turn.locale),)) from err


async def run_line(turn: Turn, text: str) -> list[Outbound]:
    """Run a command line in this turn (a confirmed command runs again with `confirm=yes`)."""
    return await run(turn, tokenize(LEADING.sub("", text)) or ["help"])


async def _refuse(turn: Turn, name: str, *, command: str | None = None) -> list[Outbound]:
    """A coordinator's command or button used by someone else: audited
    (the turn commits), counted, and answered in words."""
    await turn.audit("refused", command=command or name)
    note_refusal("errors/not_coordinator")
    return [replace(turn.say("errors/not_coordinator", command=name, ephemeral=True), refused=True)]


async def run(turn: Turn, tokens: list[str]) -> list[Outbound]:
    found = lookup_command(tokens)
    if found is None:
        refuse_unclosed(tokens)
        if is_group_word(tokens):  # `samordnare`, `event`: the group's commands, as `help GROUP` shows them
            return await run(turn, ["help", *tokens])
        raise unknown_command(tokens, await visible_roles(turn))  # the nearest command the reader may run
    cmd, rest = found
    if cmd.role == COORDINATOR and not await turn.coordinates():
        return await _refuse(turn, cmd.name)
    turn.coordinator_command = cmd.role == COORDINATOR  # which program it works on is asked, not guessed
    turn.words = rest
    try:
        args = parse_args(cmd, rest, turn.today)
    except UserError as err:  # perhaps a word of one of the commands it heads, mistyped (`match aprove`)
        raise subcommand_typo(cmd, tokens, rest, await visible_roles(turn)) or err from None
    if rest and commands_below(cmd, ROLES):  # `goal remvoe 2`: read as a goal, meant as `goal remove 2`
        typo = mistyped_subcommand(cmd, tokens, rest, await visible_roles(turn), turn.today)
        if typo is not None:
            raise typo
    for p in cmd.params:  # a named program becomes the Program before the handler sees it
        named = args.get(p.name)
        if p.kind == "program" and isinstance(named, str):  # parse_args gives the name as typed
            args[p.name] = await turn.program(named)
    try:
        replies = await cmd.handler(turn, args)
    except UserError as err:  # perhaps a name typed without quotes, split between two arguments
        with turn.session.no_autoflush:  # the command's half-made changes are rolled back, not written
            raise org_in_quotes(cmd, err, rest) or await split_name_hint(turn.session, err, cmd, args, rest) from None
    if cmd.role == COORDINATOR:
        detail = {k: v for k, v in args.items() if v is not None and k != "program"}
        await turn.audit(cmd.name, program=turn.program_in_use, **detail)
    return replies
