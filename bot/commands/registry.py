"""One command grammar for every platform.

A command is declared once, with its words, who may run it and its
parameters; the parser, the usage line and the help text all come from that
declaration. Handlers receive the `Turn` and a dict of typed arguments.

    @command("event", "add", role=COORDINATOR, params=(
        Param("kind", "choice", choices=EVENT_KINDS),
        Param("date", "date"),
        Param("time", "time", required=False),
        Param("place", "text", required=False, named=True),
    ))
    async def event_add(turn, args): ...

Positional parameters are given in order; named ones as `key=value`
(quote values with spaces: `place="Stadshuset, sal 2"`). A `rest` parameter
takes the remainder of the line (a name), a `free` one the remainder of the
line exactly as typed (`bot.commands.words.free_text`), and a `person` as many words
as the parameters after it leave (see `bot.commands.arguments`; lists of people and a
name before free text are read by `bot.person_refs`). The Swedish words for each
command (and the aliases typed by habit) are in `bot.commands.swedish`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace

from bot.commands.swedish import ALIASES, PHRASES, swedish_index
from bot.commands.words import Word
from bot.messages import Outbound

PARTICIPANT = "participant"
NOMINATOR = "nominator"
COORDINATOR = "coordinator"
ROLES = (PARTICIPANT, NOMINATOR, COORDINATOR)

Handler = Callable[..., Awaitable[list[Outbound]]]
# A command's slow part before the write transaction: its result becomes `turn.prepared`.
Prepare = Callable[..., Awaitable[object]]


@dataclass(frozen=True)
class Param:
    name: str
    kind: str = "text"  # text, date, time, int, range, length, choice, person, people, program
    required: bool = True
    named: bool = False  # given as name=value
    choices: tuple[str, ...] = ()
    rest: bool = False  # swallow the rest of the line (a name, a topic)
    # Free text (a broadcast, a goal, a reason): the rest of the line exactly
    # as typed, apostrophes, quotes and line breaks included; named
    # parameters typed after it still count (`words.free_text`). The last
    # positional parameter; implies `rest`.
    free: bool = False
    # A `free` text that keeps the lines it was typed in (a broadcast's body):
    # each line tidied, blank lines between paragraphs made one (`paragraphs`).
    lines: bool = False
    # Longest text accepted (a name, a place); a reason (`rest`) may be longer.
    max_length: int = 200
    unit: str = ""  # what the numbers of an int or range count: "days", "months", "years"
    # The smallest and largest number an int (or each end of a range) may be;
    # None for the kind's own limits (`LIMITS`). Out of them, the answer names
    # the argument, the value and these bounds (`errors/out_of_range`).
    low: int | None = None
    high: int | None = None
    # A text's own check (a time zone, quiet periods): the value to use, or a
    # UserError saying what is wrong, answered with the other arguments' errors.
    check: Callable[[str], object] | None = None
    # A named parameter that stands in for this positional one: given, this
    # one is neither needed nor read (`broadcast all|mentors|adepts|org=NAME TEXT`).
    unless: str = ""
    # The label table whose words for a choice, as a list shows them, also name
    # it (`labels/status`: `status=tackade-nej` where the list says "tackade nej").
    shown: str = ""
    # The label table whose word for each choice is its name (`labels/language`:
    # `svenska`, `English`): typed in either language, case aside, it names the
    # choice, and a value that names none is answered with these names.
    names: str = ""
    # A date of something that has happened (a meeting): typed without a
    # year (`30/11`, `30 nov`) it is the nearest such day not after today,
    # else the nearest not before it (`bot.commands.dates`).
    happened: bool = False
    # What a value looks like where the handler checks it itself (a pair's or
    # a goal's number, an account): a word of a sub-command mistyped in a
    # command that read it as its own text (`goal remvoe 2`) is taken for that
    # sub-command's only when the words after it look so
    # (`topics.mistyped_subcommand`); a goal that begins with an ordinary word
    # stays a goal.
    looks: Callable[[str], bool] | None = None

    @property
    def bounds(self) -> tuple[int, int]:
        low, high = LIMITS.get(self.kind, (0, 0))
        return (low if self.low is None else self.low, high if self.high is None else self.high)


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    role: str
    params: tuple[Param, ...]
    handler: Handler
    slow: bool = False  # takes long enough that adapters should ack first
    # Work done before the turn's write transaction, in a read transaction of
    # its own (the matching solver): its result is `turn.prepared`, and the
    # handler checks that nothing it relied on changed meanwhile.
    prepare: Prepare | None = None

    @property
    def name(self) -> str:
        return " ".join(self.words)

    @property
    def help_template(self) -> str:
        return "help/" + "_".join(self.words)

    @property
    def bounded(self) -> tuple[Param, ...]:
        """The numbers whose bounds the declaration names: `help` lists them."""
        return tuple(p for p in self.params if p.low is not None or p.high is not None)


# The bounds of an int or a range whose declaration names none.
LIMITS = {"int": (0, 999_999), "range": (1, 999_999)}
COMMANDS: dict[tuple[str, ...], Command] = {}
ACTIONS: dict[str, Handler] = {}
# Every coordinator command takes `program=NAME`; the core resolves it to a
# Program before the handler runs (see `Turn.program`).
PROGRAM = Param("program", "program", named=True, required=False)


def command(
    *words: str,
    role: str = PARTICIPANT,
    params: Iterable[Param] = (),
    slow: bool = False,
    prepare: Prepare | None = None,
):
    def register(fn: Handler) -> Handler:
        key = tuple(words)
        if key in COMMANDS:
            raise RuntimeError(f"command {' '.join(key)!r} declared twice")
        declared = tuple(replace(p, rest=True) if p.free else p for p in params)
        positional = [p for p in declared if not p.named]
        if any(p.free or p.lines for p in positional[:-1]) or any(p.lines and not p.free for p in declared):
            raise RuntimeError(f"command {' '.join(key)!r}: free text is its last positional parameter")
        if role == COORDINATOR and not any(p.name == "program" for p in declared):
            declared += (PROGRAM,)
        COMMANDS[key] = Command(key, role, declared, fn, slow, prepare)
        return fn

    return register


# Buttons only some may press: prefix -> (role, the command named in the refusal).
ACTION_ROLES: dict[str, tuple[str, str]] = {}


def action(prefix: str, *, role: str = PARTICIPANT, name: str | None = None, keeps_card: bool = False):
    """Register the handler for card actions whose id starts with `prefix`.
    A `role` other than PARTICIPANT is enforced by the core, as for commands.
    `keeps_card`: the button is one row's of a list card, which its press
    leaves as it is for the other rows, or one that only asks first (the
    card's choice is still open after a No) (`Outbound.keeps_clicked`)."""

    def register(fn: Handler) -> Handler:
        if prefix in ACTIONS:
            raise RuntimeError(f"action prefix {prefix!r} declared twice")
        ACTIONS[prefix] = _keeping_card(fn) if keeps_card else fn
        if role != PARTICIPANT:
            ACTION_ROLES[prefix] = (role, name or prefix.rstrip("."))
        return fn

    return register


def _keeping_card(fn: Handler) -> Handler:
    async def keeping(turn) -> list[Outbound]:
        return [replace(m, keeps_clicked=True) for m in await fn(turn)]

    return keeping


def _best_action(action_id: str) -> str | None:
    return max((p for p in ACTIONS if action_id.startswith(p)), key=len, default=None)


def find_action(action_id: str) -> Handler | None:
    best = _best_action(action_id)
    return ACTIONS[best] if best else None


def action_role(action_id: str) -> tuple[str, str]:
    """(role, command name) that a press of `action_id` needs."""
    best = _best_action(action_id)
    return ACTION_ROLES.get(best or "", (PARTICIPANT, ""))


# ------------------------------------------------------------------- parsing


def _joined(tokens: list[str]) -> list[str]:
    """Multi-word Swedish phrases as one token: ["gå", "med", "x"] -> ["gå-med", "x"]."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        pair = tuple(t.lower() for t in tokens[i : i + 2])
        if pair in PHRASES:
            first = tokens[i]  # where the phrase begins in the line, for free text after it
            out.append(Word(PHRASES[pair], first.line, first.start) if isinstance(first, Word) else PHRASES[pair])
            i += 2
        else:
            out.append(tokens[i])
            i += 1
    return out


def read_words(tokens: list[str]) -> tuple[list[str], list[str]]:
    """The tokens with Swedish phrases joined, and the same words lower-cased
    with the first one's alias resolved."""
    tokens = _joined(tokens)
    words = [t.lower() for t in tokens]
    if words:
        words[0] = ALIASES.get(words[0], words[0])
    return tokens, words


def lookup_command(tokens: list[str]) -> tuple[Command, list[str]] | None:
    """The command these words name and the words after it, or None (no
    suggestion is worked out: for the many lines that are answers, not commands)."""
    tokens, words = read_words(tokens)
    swedish = swedish_index()
    for length in (3, 2, 1):
        key = tuple(words[:length])
        if len(key) == length and key in COMMANDS:
            return COMMANDS[key], tokens[length:]
        if len(key) == length and key in swedish and swedish[key] in COMMANDS:
            return COMMANDS[swedish[key]], tokens[length:]
    return None
