"""What words name when they are no whole command: a group of commands
(`event`, `träff`, `samordnare`), a help topic (`help event`, `hjälp
träff`), or nothing, when the nearest command is suggested. Words are read
in either language and for the reader's role: a topic that names only
commands the reader may not run says so instead of "unknown command"."""

from __future__ import annotations

import difflib
from datetime import date
from typing import TYPE_CHECKING

from bot.commands.arguments import parse_args
from bot.commands.registry import (
    COMMANDS,
    COORDINATOR,
    NOMINATOR,
    PARTICIPANT,
    Command,
    lookup_command,
    read_words,
)
from bot.commands.swedish import SUGGESTED, swedish_index, swedish_words
from bot.commands.words import QUOTES, Word, tokenize
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


def unknown_command(tokens: list[str], roles: tuple[str, ...], *, then: bool = True) -> UserError:
    """The answer to words that name no command: the nearest command (in
    either language) and, after a group's word, the group's commands, only
    those the reader may run. The template shows them in the reader's words.
    The nearest to the first two words is looked for, then (unless the
    first begins a group's commands) to the first alone (`paus till
    2027-01-10`: `pausa`), or a word people say for a command
    (`SUGGESTED`: `fortsätt`). With `then`, the words after those it names
    follow it as typed (`pausa till 2027-01-10`)."""
    tokens, words = read_words(tokens)
    group = [c for c in named_by(tokens[:1]) if len(c.words) > 1 and c.role in roles] if words else []
    names = {name: c.name for c in COMMANDS.values() if c.role in roles for name in (c.name, swedish_words(c))}
    tries = [2] if len(words) > 1 and (words[0],) not in COMMANDS else []
    if words and not named_by(tokens[:1]):
        tries.append(1)
    for used in tries:
        suggestion = _nearest_command(" ".join(words[:used]), names, roles)
        if suggestion is not None:
            break
    else:
        used, suggestion = min(len(tokens), 2), None
    return UserError(
        "errors/unknown_command",
        typed=" ".join(tokens[:used]),
        suggestion=suggestion,
        subcommands=[c.name for c in group],
        then=_as_typed(tokens[used:]) if then and suggestion and tokens[used:] else "",
        as_text="",
        head="",
    )


def _nearest_command(typed: str, names: dict[str, str], roles: tuple[str, ...]) -> str | None:
    """The command (its name) `typed` is close to among `names` (each way
    of typing one the reader may run), or that it is a word for."""
    said = SUGGESTED.get(typed)
    if said is not None:
        return said if said in names.values() else None
    close = difflib.get_close_matches(typed, list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


def commands_below(cmd: Command, roles: tuple[str, ...]) -> list[Command]:
    """The commands `cmd` heads (`match approve` under `match`) that the reader may run."""
    depth = len(cmd.words)
    return [
        c for c in COMMANDS.values() if len(c.words) == depth + 1 and c.words[:depth] == cmd.words and c.role in roles
    ]


def _nearest_below(cmd: Command, word: str, below: list[Command]) -> Command | None:
    """The command below `cmd` whose last word, in either language, `word` is close to."""
    depth = len(cmd.words)
    forms = _forms()
    words = {said[-1]: c for c in below for said in forms[c.words] if len(said) == depth + 1}
    close = difflib.get_close_matches(word.lower(), list(words), n=1, cutoff=0.75)
    return words[close[0]] if close else None


def subcommand_typo(cmd: Command, tokens: list[str], rest: list[str], roles: tuple[str, ...]) -> UserError | None:
    """`match aprove`, `matcha godkän`: a command that heads others, typed
    with a word close to one of theirs (in either language) that it cannot
    read, is answered as an unknown command is, with the nearest of them
    (`match approve`) and the others the reader may run; None when no
    word is close (the command's own error stands). `tokens` are the line's
    words, `rest` those after the command's."""
    if not rest or "=" in rest[0]:
        return None
    below = commands_below(cmd, roles)
    nearest = _nearest_below(cmd, rest[0], below)
    if nearest is None:
        return None
    tokens, _ = read_words(tokens)
    typed = tokens[: len(tokens) - len(rest) + 1]
    return UserError(
        "errors/unknown_command",
        typed=" ".join(typed),
        suggestion=nearest.name,
        subcommands=[c.name for c in below],
        then="",
        as_text="",
        head="",
    )


def mistyped_subcommand(
    cmd: Command, tokens: list[str], rest: list[str], roles: tuple[str, ...], today: date
) -> UserError | None:
    """`goal remvoe 2`, `unpair undoo 3`, `person lnik Anna slack:T1:U2`: a
    command whose first word is its own text or a name reads a mistyped word
    of one of its sub-commands as that. When the word (or, for a Swedish
    word with a hyphen, the two words typed for it: `ta brot`) is close to
    a sub-command's word in either language AND the words after it read as
    that sub-command's arguments, each looking as its parameter's values
    do (`Param.looks`: a number, an account), the line is answered as a
    mistyped command is, written as it would be (`goal remove 2`), and
    nothing is done; otherwise None, and the command runs (a goal that
    begins with an ordinary word is a goal). A word typed in quotes is
    the command's own (`goal "remvoe 2"`)."""
    if not rest or "=" in rest[0] or _in_quotes(rest[0]):
        return None
    below = commands_below(cmd, roles)
    tries = [(str(rest[0]), 1)] + ([(f"{rest[0]}-{rest[1]}", 2)] if len(rest) > 1 else [])
    for word, used in tries:
        nearest = _nearest_below(cmd, word, below)
        if nearest is None or not _reads(nearest, rest[used:], today):
            continue
        tokens, _ = read_words(tokens)
        typed = tokens[: len(tokens) - len(rest) + used]
        positional = [p for p in cmd.params if not p.named]
        return UserError(
            "errors/unknown_command",
            typed=" ".join(typed),
            suggestion=nearest.name,
            then=_as_typed(rest[used:]),
            subcommands=[c.name for c in below],
            # A command whose first word begins its free text (`goal`): how that text is kept as typed.
            as_text=_as_typed(rest) if positional and positional[0].free else "",
            head=cmd.name,
        )
    return None


def _in_quotes(word: str) -> bool:
    line, start = getattr(word, "line", ""), getattr(word, "start", 0)
    return bool(line) and line[start : start + 1] in QUOTES


def _reads(cmd: Command, words: list[str], today: date) -> bool:
    """Whether `words` read as `cmd`'s arguments, each value looking as its parameter's do."""
    try:
        args = parse_args(cmd, words, today)
    except UserError:
        return False
    return all(p.looks(str(args[p.name])) for p in cmd.params if p.looks and args.get(p.name) is not None)


def _as_typed(words: list[str]) -> str:
    """The words as they stand in the line typed (quotes and spacing kept), else joined."""
    first = words[0] if words else ""
    if isinstance(first, Word) and first.line and all(isinstance(w, Word) and w.line == first.line for w in words):
        return first.line[first.start :].strip()
    return " ".join(words)


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
        raise unknown_command(tokens, roles, then=False)  # a topic: no line to run
    return shown
