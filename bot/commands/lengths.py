"""How a typed length of time is read (a command's `length` parameter: how
long a pair met): whole minutes (`90`), or a number with its unit in either
language, the unit joined to it or not (`90 min`, `90 minuter`, `90 minutes`,
`1,5 h`, `1.5h`, `1,5 timmar`, `1.5 hours`), or hours and minutes
(`1 h 30 min`, `1h30`). The command's own rule (how long a meeting may be)
then applies to the minutes the length comes to; what cannot be read is
answered with the forms that can (`errors/bad_length`)."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.commands.dates import MONTHS
from bot.commands.words import Word
from bot.errors import UserError

# The words for each unit, as people type them, by how many minutes one is.
UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minut", "minuter", "minuten", "minute", "minutes"), 1),
    **dict.fromkeys(("h", "hr", "hrs", "t", "tim", "timme", "timmar", "timmen", "hour", "hours"), 60),
}
_UNIT = "|".join(sorted(UNITS, key=len, reverse=True))
_NUMBER = r"[0-9]{1,6}(?:[.,][0-9]{1,4})?"
# One number with its unit, or hours then minutes (`1 h 30 min`, `1h30`, `1 timme och 30 minuter`).
_LENGTH = re.compile(
    rf"^(?P<number>{_NUMBER})\s*(?P<unit>{_UNIT})"
    rf"(?:\s*(?:och|and)?\s*(?P<minutes>[0-9]{{1,3}})\s*(?P<minute_unit>{_UNIT})?)?$"
)
_WHOLE = re.compile(r"^[0-9]{1,6}$")
_HOUR_UNIT = "|".join(sorted((u for u, n in UNITS.items() if n == 60), key=len, reverse=True))
# Hours, perhaps after a name (`minutes=1 h`): whole minutes may follow (`1 h 30`).
_HOURS = re.compile(rf"^(?:[^=\s]+=)?[0-9]{{1,2}}\s*(?:{_HOUR_UNIT})$")
# A number its unit may follow: alone (`90`, `1,5`) or the minutes after hours (`1 h 30`).
_BEFORE_UNIT = re.compile(rf"^(?:[^=\s]+=)?(?:{_NUMBER}|[0-9]{{1,2}}\s*(?:{_HOUR_UNIT})\s+[0-9]{{1,3}})$")
_MINUTES = re.compile(rf"^[0-9]{{1,3}}\s*(?:{_UNIT})?$")


def _tidy(text: str) -> str:
    return " ".join(text.strip().rstrip(".").casefold().split())


# A number and a word after it: a length with its unit, perhaps mistyped (`90 minuer`).
_WITH_WORD = re.compile(rf"^(?:[^=\s]+=)?({_NUMBER})\s*([^\W\d_]+)\.?(?:\s.*)?$")


def has_unit(text: str) -> bool:
    """Whether `text` is typed as a length: a number with its unit (`90 min`,
    `1,5 h`), or with a word after a number no day has (`90 minuer`, `1,5
    timmer`); not `30 januray`, which is a date mistyped."""
    m = _WITH_WORD.match(_tidy(text))
    if m is None or m[2] in MONTHS:
        return False
    return m[2] in UNITS or not (m[1].isdigit() and int(m[1]) <= 31)


def parse_length(value: str, argument: str = "minutes") -> int:
    """The whole minutes `value` comes to; a length that does not come to
    whole minutes (`90,5 min`, `1,01 h`) or cannot be read is answered with
    the forms that can (`errors/bad_length`)."""
    text = _tidy(value)
    if _WHOLE.match(text):
        return int(text)
    m = _LENGTH.match(text)
    if m is None:
        raise UserError("errors/bad_length", argument=argument, value=value, fraction=False)
    amount = Decimal(m["number"].replace(",", ".")) * UNITS[m["unit"]]
    if m["minutes"] is not None:  # `1 h 30 min`: hours, then minutes
        if UNITS[m["unit"]] != 60 or "." in m["number"] or "," in m["number"]:
            raise UserError("errors/bad_length", argument=argument, value=value, fraction=False)
        if m["minute_unit"] is not None and UNITS[m["minute_unit"]] != 1:
            raise UserError("errors/bad_length", argument=argument, value=value, fraction=False)
        amount += int(m["minutes"])
    if amount != amount.to_integral_value():
        raise UserError("errors/bad_length", argument=argument, value=value, fraction=True)
    return int(amount)


def length_words(tokens: list[str]) -> list[str]:
    """A number and the unit typed after it as one word (`90 min`, `1,5
    timmar`), and the minutes after hours (`1 h 30 min`); the first word's
    place in the line kept."""
    out: list[str] = []
    for token in tokens:
        previous = out[-1] if out else ""
        word = token.casefold().rstrip(".")
        before = previous.casefold()
        unit = word in UNITS or re.fullmatch(r"[^\W\d_]+", word) is not None  # a unit, perhaps mistyped
        joins = (unit and _BEFORE_UNIT.match(before)) or (_MINUTES.match(word) and _HOURS.match(before))
        if joins and "=" not in token and not getattr(token, "free", False):
            joined = f"{previous} {token}"
            out[-1] = Word(joined, previous.line, previous.start) if isinstance(previous, Word) else joined
        else:
            out.append(token)
    return out
