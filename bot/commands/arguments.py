"""A command's typed arguments: each word read as its parameter's kind
(`bot.commands.registry.Param`), named values by their name in either
language, a person's name over as many words as the parameters after it
leave (`_words_for`), free text as typed; every wrong argument answered at
once (`parse_args`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date, time
from itertools import pairwise

from bot.commands.choices import choice_value
from bot.commands.dates import MONTHS, day_words, parse_date
from bot.commands.lengths import UNITS, has_unit, length_words, parse_length
from bot.commands.registry import Command, Param
from bot.commands.words import Word, free_text, looks_named, quote_hint, quoted_line, refuse_unclosed, typed_in_quotes
from bot.errors import UserError
from bot.inputs import paragraphs, parse_whole
from bot.meetings import DEFAULT_MINUTES, MAX_MINUTES, MIN_MINUTES
from bot.names import name_key

_TIME = re.compile(r"^([0-9]{1,2})(?:[:.]([0-9]{2}))?$")  # `13:30`, `13.30`, or an hour alone: `9` is 09:00
_BARE_NUMBER = re.compile(r"^[0-9]{1,2}$")


class _AfterValue(str):
    """A bare number typed right after a named value without quotes
    (`place=Sal 2`): as likely the value's last word as an hour, so where
    a time is asked it is not taken for one (the answer is then how the
    value is quoted: `quote_hint`)."""


_RANGE = re.compile(r"^([+-]?[0-9]{1,6})-([+-]?[0-9]{1,6})$")  # `-5-10`: a range, below the bounds
# A date with its month's name first and its day as a bare number (`Nov 30`),
# which a length's number might as well be (`Nov 30 min`: `date_or_length`).
_MONTH_THEN_NUMBER = re.compile(r"^([^\W\d_]+)\.?\s+([0-9]{1,2})$")


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


def _nearest_option(key: str, named: dict[str, Param]) -> str | None:
    """The option an unknown one (`titel=`) is close to in either language
    (`title=`, `rubrik=`): its parameter's name, which the answer shows in
    the reader's words; None when none is close."""
    close = difflib.get_close_matches(key.lower(), list(named), n=1, cutoff=0.7)
    return named[close[0]].name if close else None


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

        raise (
            date_or_length(cmd, tokens, today)
            or quote_hint(cmd.name, tokens, lambda t: t.partition("=")[0].lower() in named, reads)
            or err
        ) from None


def date_or_length(cmd: Command, tokens: list[str], today: date) -> UserError | None:
    """`met Nov 30 min`: a date with its month's name first (`Nov 30`, a day
    that has been) and then a unit alone (`min`, `h`) read as well as `Nov
    30` with its length missing as `30 min` with its day missing. Which one
    was meant is not guessed (nothing is done): the answer gives the line
    for each, `met Nov 30 90 min` and `met 30 min` (today); not where the
    length would be no meeting's (`Nov 30 h`). `tokens`: the words as
    `parse_args` joined them (`day_words`, `length_words`); None where the
    line is not so, or the command takes no date before a length."""
    positional = [p for p in cmd.params if not p.named]
    param = next((p for p, q in pairwise(positional) if (p.kind, q.kind) == ("date", "length")), None)
    if param is None:
        return None
    for first, unit in pairwise(tokens):
        m = _MONTH_THEN_NUMBER.match(first)
        if m is None or m[1].casefold() not in MONTHS or unit.casefold().rstrip(".") not in UNITS:
            continue
        try:
            parse_date(first, param.name, today, param.happened)
        except UserError:
            continue  # no such day (`Nov 31`): it is not read as a date either way
        if not (isinstance(first, Word) and isinstance(unit, Word) and first.line and first.line == unit.line):
            return None
        line, end = first.line, unit.start + len(unit)
        if line[unit.start : end] != unit:
            return None  # typed in quotes: not a line to write out
        length = f"{m[2]} {unit}"
        if not MIN_MINUTES <= parse_length(length) <= MAX_MINUTES:
            return None  # `Nov 30 h`: no meeting is 30 hours long
        return UserError(
            "errors/date_or_length",
            typed=line[first.start : end],
            date_typed=str(first),
            length_typed=length,
            date_line=f"{line[: first.start]}{first} {DEFAULT_MINUTES} min{line[end:]}".strip(),
            length_line=f"{line[: first.start]}{length}{line[end:]}".strip(),
        )
    return None


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


def longer_org(cmd: Command, org: str, tokens: list[str], known: Iterable[str]) -> UserError | None:
    """`broadcast org=Solna stad Hej alla` where both `Solna` and `Solna
    stad` take part (`known`: the names of those that do): the value `org`,
    typed without quotes, and the words after it (`tokens`: the command's
    words as typed) name a longer organisation, so which one is meant is
    not guessed. The answer names both, with the line written out for each
    (the value in quotes); a value or a word after it typed in quotes is
    read as meant. None when the line reads one way only. (Where `Solna`
    does not take part the handler's refusal gets its quote hint:
    `org_in_quotes`.)"""
    named = _named_keys(cmd)
    names = {name_key(name): str(name) for name in known}

    def is_named(word: str) -> bool:
        return "=" in word and word.partition("=")[0].lower() in named

    for i, token in enumerate(tokens):
        key, _, value = token.partition("=")
        if not is_named(token) or named[key.lower()].name != "org":
            continue
        shorter = names.get(name_key(value))
        short_line = quoted_line(tokens, i, 0, _in_quotes(key, value))
        if shorter is None or name_key(value) != name_key(org) or short_line is None:
            return None  # another organisation, or typed in quotes (`org="Solna"`): as meant
        after: list[str] = []
        for word in tokens[i + 1 :]:
            if is_named(word) or getattr(word, "unclosed", False):
                break
            after.append(word)
        for taken in range(len(after) - 1, 0, -1):  # the longest name first; some text is left
            joined = " ".join([value, *after[:taken]])
            longer = names.get(name_key(joined))
            line = quoted_line(tokens, i, taken, _in_quotes(key, joined))
            if longer is not None and line is not None:
                return UserError(
                    "errors/org_ambiguous",
                    typed=" ".join([token, *after[:taken]]),
                    name=shorter,
                    longer=longer,
                    line=line,
                    short_line=short_line,
                )
        return None
    return None


def _in_quotes(key: str, value: str) -> str:
    quote = "'" if '"' in value else '"'
    return f"{key}={quote}{value}{quote}"


def _continues_value(word: str, named: dict[str, Param]) -> bool:
    """Whether `word` is a named value typed without quotes (`place=Sal`),
    which the word after it may be the rest of."""
    key, sep, _ = word.partition("=")
    return bool(sep) and key.lower() in named and not getattr(word, "free", False) and not typed_in_quotes(word)


def _skips(p: Param, after: list[Param], word: str) -> bool:
    """An optional date not typed before a length that is (`met 90 min`):
    the word is the length's. A bare number stays the date's (`met 12`)."""
    return not p.required and p.kind == "date" and bool(after) and after[0].kind == "length" and has_unit(word)


def _read_args(cmd: Command, tokens: list[str], named: dict[str, Param], today: date) -> dict[str, object]:
    positional = [p for p in cmd.params if not p.named]
    raw: dict[str, object] = {}
    loose: list[str] = []
    wrong: list[UserError] = []
    previous = ""
    for tok in tokens:
        after, previous = previous, tok
        key, sep, value = tok.partition("=")
        if getattr(tok, "free", False):
            loose.append(tok)
        elif sep and key.lower() in named:
            raw[named[key.lower()].name] = value
        elif looks_named(tok) and not any(p.rest for p in positional):
            wrong.append(
                UserError(
                    "errors/unknown_option",
                    command=cmd.name,
                    option=key,
                    suggestion=_nearest_option(key, named),
                    usage=cmd,
                )
            )
        elif _BARE_NUMBER.match(tok) and _continues_value(after, named):
            loose.append(_AfterValue(tok))
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
            raw[p.name] = loose[0] if p.kind == "time" else " ".join(loose[:taken])  # a time: one word, as read
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
        bare_after_value = m is not None and m[2] is None and isinstance(value, _AfterValue)
        if not m or int(m[1]) > 23 or int(m[2] or 0) > 59 or bare_after_value:
            raise UserError("errors/bad_time", argument=p.name, value=str(value))
        return time(int(m[1]), int(m[2] or 0))
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
