"""What words name when they are no whole command: a group of commands
(`event`, `träff`, `samordnare`), a help topic (`help event`, `hjälp
träff`), or nothing, when the nearest command is suggested. Words are read
in either language and for the reader's role: a topic that names only
commands the reader may not run says so instead of "unknown command"."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from bot.commands.registry import (
    COMMANDS,
    COORDINATOR,
    NOMINATOR,
    PARTICIPANT,
    Command,
    lookup_command,
    read_words,
)
from bot.commands.swedish import swedish_index, swedish_words
from bot.commands.words import tokenize
from bot.errors import UserError

if TYPE_CHECKING:
    from bot.turn import Turn


async def visible_roles(turn: Turn) -> tuple[str, ...]:
    """The roles whose commands the person may run (and `help` shows)."""
    roles = [PARTICIPANT, NOMINATOR]
    if await turn.coordinates():
        roles.append(COORDINATOR)
    return tuple(roles)


def _forms() -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """Each command's words -> every way they are typed: in English, in
    Swedish (`träff lägg-till`) and mixed (`event lägg-till`)."""
    forms: dict[tuple[str, ...], list[tuple[str, ...]]] = {words: [words] for words in COMMANDS}
    for said, words in swedish_index().items():
        if words in forms:
            forms[words].append(said)
    return forms


def named_by(tokens: list[str]) -> list[Command]:
    """The commands whose words, in either language, begin with these:
    `event` and `träff` name the four event commands, `träff lägg till` one."""
    _, words = read_words(tokens)
    key = tuple(words)
    if not key:
        return []
    return [COMMANDS[w] for w, said in _forms().items() if any(form[: len(key)] == key for form in said)]


def is_group_word(tokens: list[str]) -> bool:
    """A single word that is no command but begins several (`samordnare`,
    `coordinator`, `träff`): the core answers it with that group's help."""
    return len(tokens) == 1 and lookup_command(tokens) is None and bool(named_by(tokens))


def unknown_command(tokens: list[str], roles: tuple[str, ...]) -> UserError:
    """The answer to words that name no command: the nearest command (in
    either language) and, after a group's word, the group's commands, only
    those the reader may run. The template shows them in the reader's words."""
    tokens, words = read_words(tokens)
    group = [c for c in named_by(tokens[:1]) if len(c.words) > 1 and c.role in roles] if words else []
    typed = " ".join(words[:2]) if len(words) > 1 and (words[0],) not in COMMANDS else (words[0] if words else "")
    names = {name: c.name for c in COMMANDS.values() if c.role in roles for name in (c.name, swedish_words(c))}
    close = difflib.get_close_matches(typed, list(names), n=1, cutoff=0.6)
    return UserError(
        "errors/unknown_command",
        typed=" ".join(tokens[:2]) if tokens else "",
        suggestion=names[close[0]] if close else None,
        subcommands=[c.name for c in group],
    )


def subcommand_typo(cmd: Command, tokens: list[str], rest: list[str], roles: tuple[str, ...]) -> UserError | None:
    """`match aprove`, `matcha godkän`: a command that heads others, typed
    with a word close to one of theirs (in either language) that it cannot
    read, is answered as an unknown command is, with the nearest of them
    (`match approve`) and the others the reader may run; None when no
    word is close (the command's own error stands). `tokens` are the line's
    words, `rest` those after the command's."""
    if not rest or "=" in rest[0]:
        return None
    depth = len(cmd.words)
    below = [c for c in COMMANDS.values() if len(c.words) == depth + 1 and c.words[:depth] == cmd.words]
    below = [c for c in below if c.role in roles]
    forms = _forms()
    words = {said[-1]: c.name for c in below for said in forms[c.words] if len(said) == depth + 1}
    close = difflib.get_close_matches(rest[0].lower(), list(words), n=1, cutoff=0.75)
    if not close:
        return None
    tokens, _ = read_words(tokens)
    typed = tokens[: len(tokens) - len(rest) + 1]
    return UserError(
        "errors/unknown_command",
        typed=" ".join(typed),
        suggestion=words[close[0]],
        subcommands=[c.name for c in below],
    )


async def topic(turn: Turn, text: str) -> list[Command]:
    """The commands `help TOPIC` shows: those the topic names that the reader
    may run. A topic naming only others' commands (`help event` from a
    participant) is answered with whose they are; one naming nothing with
    the nearest command."""
    tokens = tokenize(text)
    roles = await visible_roles(turn)
    named = named_by(tokens)
    shown = [c for c in named if c.role in roles]
    if not shown and named:
        raise UserError("errors/topic_for_coordinators", topic=text)
    if not shown:
        raise unknown_command(tokens, roles)
    return shown
