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
as the parameters after it leave (see `_words_for`; lists of people and a
name before free text are read by `bot.person_refs`). The Swedish words for each
command (and the aliases typed by habit) are in `bot.commands.swedish`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, time

from bot.commands.choices import choice_value
from bot.commands.dates import day_words, parse_date
from bot.commands.lengths import has_unit, length_words, parse_length
from bot.commands.swedish import ALIASES, PHRASES, swedish_index
from bot.commands.words import Word, free_text, quote_hint, refuse_unclosed
from bot.errors import UserError
from bot.inputs import paragraphs, parse_whole
from bot.messages import Outbound
from bot.names import name_key

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

_TIME = re.compile(r"^([0-9]{1,2})[:.]([0-9]{2})$")
_RANGE = re.compile(r"^([+-]?[0-9]{1,6})-([+-]?[0-9]{1,6})$")  # `-5-10`: a range, below the bounds


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


def _named_keys(cmd: Command) -> dict[str, Param]:
    """A named parameter by its name and by its name in each language
    (`role=` and `roll=`), as the help shows it."""
    from bot.i18n import LOCALES, label

    keys: dict[str, Param] = {}
    for p in cmd.params:
        if p.named or p.kind == "program" or p.name == "program":  # `program=NAME` also where it is positional
            keys[p.name] = p
            for locale in LOCALES:
                keys.setdefault(label(locale, "labels/arg", name=p.name).lower(), p)
    return keys


def _words_for(p: Param, after: list[Param], loose: int) -> int:
    """How many of the `loose` words a positional parameter takes: one, but a
    person's name as many as the parameters after it leave, when each of
    those takes one word (`approve-participant Anna Berg`, `person link
    Anna Berg slack:T1:U2`). Where that is not clear (a list of people, a
    reason after the name) a name with spaces is quoted."""
    if p.kind != "person" or not all(q.required and not q.rest and q.kind not in ("person", "people") for q in after):
        return 1
    return max(1, loose - len(after))


def _with_free_text(cmd: Command, tokens: list[str], named: dict[str, Param]) -> list[str]:
    """The words, the command's free text (if it takes one) as one word as typed."""
    positional = [p for p in cmd.params if not p.named]
    if not positional or not positional[-1].free:
        return tokens

    def name_of(word: str) -> str | None:
        key, sep, _ = word.partition("=")
        return named[key.lower()].name if sep and key.lower() in named else None

    def before(given: set[str]) -> int:
        return len([p for p in positional[:-1] if not (p.unless and p.unless in given)])

    found = free_text(tokens, before, name_of)
    return tokens if found is None else found


def parse_args(cmd: Command, tokens: list[str], today: date) -> dict[str, object]:
    """The typed arguments of `cmd`. Whatever is wrong is answered at once,
    every wrong argument in one answer (`errors/several`), so a command with
    several settings is never half done nor fixed one error at a time.
    `today` is the day a date typed as `idag`, `igår` or `imorgon` counts
    from (`bot.commands.dates`). A value with spaces typed without quotes
    (`org=Solna stad`) is answered with it in quotes (`words.quote_hint`)."""
    named = _named_keys(cmd)
    tokens = _with_free_text(cmd, tokens, named)
    refuse_unclosed(tokens, cmd)  # a quote that never closes, outside free text
    if any(p.kind == "date" for p in cmd.params):
        tokens = day_words(tokens)
    if any(p.kind == "length" for p in cmd.params):
        tokens = length_words(tokens)
    try:
        return _read_args(cmd, tokens, named, today)
    except UserError as err:

        def reads(words: list[str]) -> bool:
            try:
                _read_args(cmd, words, named, today)
            except UserError:
                return False
            return True

        raise quote_hint(cmd.name, tokens, lambda t: t.partition("=")[0].lower() in named, reads) or err from None


def org_in_quotes(cmd: Command, err: UserError, tokens: list[str]) -> UserError | None:
    """The handler's counterpart of `parse_args`' quote hint: an
    organisation it does not know (`errors/unknown_org`, which names those
    it does) typed without quotes as a named value whose next words complete
    one it knows (`broadcast org=Solna stad Hej alla`: `Solna stad` takes
    part, `Solna` does not) is answered with the value in quotes
    (`words.quote_hint`), not with "no such organisation". The handler
    refused, so nothing was done; None for any other error."""
    known = {name_key(str(name)) for name in err.context.get("known") or ()}
    if err.template != "errors/unknown_org" or not known:
        return None
    named = _named_keys(cmd)

    def org_value(word: str) -> str | None:
        key, sep, value = word.partition("=")
        return value if sep and key.lower() in named and named[key.lower()].name == "org" else None

    refused = name_key(str(err.context.get("name", "")))
    if not any(name_key(value) == refused for t in tokens if (value := org_value(t)) is not None):
        return None  # the refused name is not one typed as `org=`

    def reads(words: list[str]) -> bool:
        return any(name_key(value) in known for w in words if (value := org_value(w)) is not None)

    return quote_hint(cmd.name, tokens, lambda t: t.partition("=")[0].lower() in named, reads)


def _skips(p: Param, after: list[Param], word: str) -> bool:
    """An optional date not typed before a length that is (`met 90 min`):
    the word is the length's. A bare number stays the date's (`met 12`)."""
    return not p.required and p.kind == "date" and bool(after) and after[0].kind == "length" and has_unit(word)


def _read_args(cmd: Command, tokens: list[str], named: dict[str, Param], today: date) -> dict[str, object]:
    positional = [p for p in cmd.params if not p.named]
    raw: dict[str, object] = {}
    loose: list[str] = []
    wrong: list[UserError] = []
    for tok in tokens:
        key, sep, value = tok.partition("=")
        if getattr(tok, "free", False):
            loose.append(tok)
        elif sep and key.lower() in named:
            raw[named[key.lower()].name] = value
        elif sep and re.fullmatch(r"[a-zåäö_]+", key.lower()) and not any(p.rest for p in positional):
            wrong.append(UserError("errors/unknown_option", command=cmd.name, option=key, usage=cmd))
        else:
            loose.append(tok)
    positional = [p for p in positional if not (p.unless and p.unless in raw)]
    for i, p in enumerate(positional):
        if p.kind == "people" or p.rest:
            if loose:
                text = " ".join(loose)
                raw[p.name] = list(loose) if p.kind == "people" else paragraphs(text) if p.lines else text
            loose = []
        elif loose and _skips(p, positional[i + 1 :], loose[0]):
            continue
        elif loose:
            taken = _words_for(p, positional[i + 1 :], len(loose))
            raw[p.name] = " ".join(loose[:taken])
            loose = loose[taken:]
    if loose:
        wrong.append(UserError("errors/too_many_arguments", command=cmd.name, extra=" ".join(loose), usage=cmd))
    args: dict[str, object] = {}
    missing: list[str] = []
    for p in cmd.params:
        if p.name not in raw or raw[p.name] in ("", []):
            if p.required and not (p.unless and p.unless in raw):
                missing.append(p.name)
            args[p.name] = None
            continue
        try:
            args[p.name] = convert(cmd, p, raw[p.name], today)
        except UserError as err:
            wrong.append(err)
    if missing:
        wrong.insert(0, UserError("errors/missing_argument", command=cmd.name, arguments=missing, usage=cmd))
    if len(wrong) > 1:
        raise UserError("errors/several", errors=[(err.template, err.context) for err in wrong])
    if wrong:
        raise wrong[0]
    return args


def convert(cmd: Command, p: Param, value, today: date):
    if p.kind in ("text", "person", "people", "program"):
        limit = p.max_length * (5 if p.rest else 1)
        for item in value if isinstance(value, list) else [value]:
            if len(str(item)) > limit:
                raise UserError("errors/too_long", argument=p.name, length=len(str(item)), max=limit)
        return p.check(str(value)) if p.check else value
    if p.kind == "choice":
        v = choice_value(str(value), p.choices, p.shown, p.names)
        if v is None:
            raise UserError("errors/bad_choice", argument=p.name, value=value, choices=list(p.choices), names=p.names)
        return v
    if p.kind == "date":
        return parse_date(str(value), p.name, today, p.happened)
    if p.kind == "length":
        return parse_length(str(value), p.name)
    if p.kind == "time":
        m = _TIME.match(str(value))
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise UserError("errors/bad_time", argument=p.name, value=value)
        return time(int(m.group(1)), int(m.group(2)))
    if p.kind == "int":
        return _whole(p, str(value).strip())
    if p.kind == "range":
        return _range(p, str(value).strip())
    raise AssertionError(f"unknown parameter kind {p.kind}")


def _out_of_range(p: Param, value: str) -> UserError:
    low, high = p.bounds
    return UserError("errors/out_of_range", argument=p.name, value=value, low=low, high=high, unit=p.unit, kind=p.kind)


def _whole(p: Param, text: str) -> int:
    """A whole number within the parameter's bounds. `-1` and `100000` are
    whole numbers, so they are answered with the bounds, not with "not a
    whole number"; `2,5` is told it will not be rounded."""
    number = parse_whole(text)
    if number is None:
        decimal = bool(re.fullmatch(r"\d+[.,]\d+", text))
        raise UserError("errors/bad_number", argument=p.name, value=text, decimal=decimal, unit=p.unit)
    low, high = p.bounds
    if not low <= number <= high:
        raise _out_of_range(p, text)
    return number


def _range(p: Param, text: str) -> tuple[int, int]:
    """`MIN-MAX`, the smaller first, both ends within the parameter's bounds."""
    m = _RANGE.match(text)
    if not m or int(m.group(1)) > int(m.group(2)):
        raise UserError("errors/bad_range", argument=p.name, value=text, unit=p.unit or "days")
    first, last = int(m.group(1)), int(m.group(2))
    low, high = p.bounds
    if first < low or last > high:
        raise _out_of_range(p, text)
    return first, last
