"""How a typed date is read, wherever a person types one (a command's
`date` parameter, `pause until`): `YYYY-MM-DD`, or a day named from today in
either language (`idag`/`i dag`/`today`, `igår`/`i går`/`yesterday`,
`imorgon`/`i morgon`/`tomorrow`). Today is the caller's: the injected
clock's day in the time zone of the turn (`Turn.today`), never the machine's.
A command's own rule (no meeting in the future, no event in the past) then
applies to the day the word names as to a written one."""

from __future__ import annotations

import calendar
import re
from datetime import MINYEAR, date, timedelta

from bot.commands.words import Word
from bot.errors import UserError

_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
# Days after today (before, for a negative number), by the words that name them.
RELATIVE_DAYS = {
    "today": 0,
    "idag": 0,
    "i dag": 0,
    "yesterday": -1,
    "igår": -1,
    "i går": -1,
    "igar": -1,
    "i gar": -1,
    "tomorrow": 1,
    "imorgon": 1,
    "i morgon": 1,
}
# The second word of a two-word day (`i dag`), typed as two words.
_AFTER_I = frozenset(w.split()[1] for w in RELATIVE_DAYS if " " in w)


def relative_day(text: str, today: date | None) -> date | None:
    """The day `text` names from `today` (`imorgon`, `Yesterday.`), or None."""
    offset = RELATIVE_DAYS.get(" ".join(text.strip().rstrip(".!").casefold().split()))
    return None if offset is None or today is None else today + timedelta(days=offset)


def day_words(tokens: list[str]) -> list[str]:
    """`i` followed by `dag`, `går` or `morgon` as one word (`met i dag 60`),
    also after a name (`date=i morgon`); the first word's place in the line kept."""
    out: list[str] = []
    for token in tokens:
        previous = out[-1] if out else ""
        if token.casefold() in _AFTER_I and re.fullmatch(r"(?:[^=\s]+=)?i", previous, re.IGNORECASE):
            joined = f"{previous} {token}"
            out[-1] = Word(joined, previous.line, previous.start) if isinstance(previous, Word) else joined
        else:
            out.append(token)
    return out


def parse_date(value: str, argument: str = "date", today: date | None = None) -> date:
    """`YYYY-MM-DD`, or a day named from `today` (`relative_day`). A day the
    month does not have (`2027-02-30`) or a month past December is answered
    with what the calendar has, not with the format, which was right."""
    named = relative_day(value, today)
    if named is not None:
        return named
    m = _DATE.match(value.strip())
    year, month, day = (int(g) for g in m.groups()) if m else (0, 0, 0)
    if year < MINYEAR:
        raise UserError("errors/bad_date", argument=argument, value=value)
    if not 1 <= month <= 12:
        raise UserError("errors/no_such_month", argument=argument, value=value, number=month)
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise UserError("errors/no_such_day", argument=argument, value=value, month=date(year, month, 1), days=days)
    return date(year, month, day)
