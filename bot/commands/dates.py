"""How a typed date is read, wherever a person types one (a command's
`date` parameter, `pause until`): `YYYY-MM-DD`; day first, with the month
as a number (`30/11`, `30/11/2026`, `30.11`, `30.11.2026`) or by its name
or abbreviation in either language (`30 nov`, `30 november 2026`, `1 maj`,
`1 may`); the month's name first, as in English (`Nov 30`, `November 30,
2026`); or a day
named from today in either language (`idag`/`i dag`/`today`,
`igår`/`i går`/`yesterday`, `imorgon`/`i morgon`/`tomorrow`). A date
without a year is the nearest such day from today: not before it, or, for
what has happened (a meeting: `Param.happened`), not after it. Today is the
caller's: the injected clock's day in the time zone of the turn
(`Turn.today`), never the machine's.
A command's own rule (no meeting in the future, no event in the past) then
applies to the day the word names as to a written one."""

from __future__ import annotations

import calendar
import re
from datetime import MINYEAR, date, timedelta

from bot.commands.words import Word
from bot.errors import UserError

_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
# Day first: `30/11`, `30/11/2026`.
_DAY_FIRST = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{4}))?$")
# Day first with dots, as often in Sweden: `30.11`, `30.11.2026`, `1.5.2027`.
# Without a year, a day or a month of two digits (`01.05`, `1.05`): `1.5`
# is as much one and a half hours (`met 1.5`), and stays unread.
_DOTTED = re.compile(r"^([0-9]{1,2})\.([0-9]{1,2})(?:\.([0-9]{4}))?$")
# Day first, the month by its name: `30 nov`, `30. november 2026`.
_DAY_MONTH = re.compile(r"^([0-9]{1,2})\.?\s*([^\W\d_]+)\.?(?:\s+([0-9]{4}))?$")
# The month's name first, as in English: `Nov 30`, `November 30, 2026`, `Nov. 30th`.
_MONTH_DAY = re.compile(r"^([^\W\d_]+)\.?\s*([0-9]{1,2})(?:st|nd|rd|th)?(?:,?\s+([0-9]{4})|,)?$", re.IGNORECASE)
# The months by their names and abbreviations, in Swedish and in English.
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january", "jan"),
            ("februari", "february", "feb"),
            ("mars", "march", "mar"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "june", "jun"),
            ("juli", "july", "jul"),
            ("augusti", "august", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "october", "okt", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
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
    also after a name (`date=i morgon`), a day, its month's name and its
    year (`30 nov 2026`), and the month's name, its day and its year
    (`Nov 30`, `November 30, 2026`); the first word's place in the line kept."""
    out: list[str] = []
    for token in tokens:
        previous = out[-1] if out else ""
        word = token.casefold().rstrip(".")
        value = previous.split("=")[-1]
        if (
            (
                (word in _AFTER_I and re.fullmatch(r"(?:[^=\s]+=)?i", previous, re.IGNORECASE))
                or (word in MONTHS and re.fullmatch(r"(?:[^=\s]+=)?[0-9]{1,2}\.?", previous))
                or (re.fullmatch(r"[0-9]{1,2}(?:st|nd|rd|th)?,?", word) and value.casefold().rstrip(".") in MONTHS)
                or (re.fullmatch(r"[0-9]{4}", word) and _without_year(value))
            )
            and "=" not in token
            and not getattr(previous, "free", False)
        ):
            joined = f"{previous} {token}"
            out[-1] = Word(joined, previous.line, previous.start) if isinstance(previous, Word) else joined
        else:
            out.append(token)
    return out


def _without_year(text: str) -> bool:
    """Whether `text` is a day and its month's name, no year (`30 nov`, `Nov 30,`)."""
    m = _DAY_MONTH.match(text)
    if m is not None and m[2].casefold() in MONTHS and m[3] is None:
        return True
    m = _MONTH_DAY.match(text)
    return m is not None and m[1].casefold() in MONTHS and m[3] is None


def _day_first(text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a date typed day first (`30/11`,
    `30.11`, `30 nov`) or its month's name first (`Nov 30`), or None."""
    if m := _DAY_FIRST.match(text):
        return int(m[3]) if m[3] else None, int(m[2]), int(m[1])
    if (m := _DOTTED.match(text)) and (m[3] or (1 <= int(m[2]) <= 12 and max(len(m[1]), len(m[2])) == 2)):
        return int(m[3]) if m[3] else None, int(m[2]), int(m[1])
    if (m := _DAY_MONTH.match(text)) and m[2].casefold() in MONTHS:
        return int(m[3]) if m[3] else None, MONTHS[m[2].casefold()], int(m[1])
    if (m := _MONTH_DAY.match(text)) and m[1].casefold() in MONTHS:
        return int(m[3]) if m[3] else None, MONTHS[m[1].casefold()], int(m[2])
    return None


def _nearest(month: int, day: int, today: date, happened: bool) -> date | None:
    """The nearest `day` of `month` from `today`: not after it when it
    `happened`, else not before it (29 February: in the nearest leap year)."""
    step = -1 if happened else 1
    for year in range(today.year, today.year + 9 * step, step):
        if day <= calendar.monthrange(year, month)[1]:
            found = date(year, month, day)
            if (found <= today) if happened else (found >= today):
                return found
    return None


def _nearest_month(month: int, today: date, happened: bool) -> int:
    """The year of the nearest `month` from `today`'s: this month or one
    before it when it `happened`, else this month or one after it. The
    year a date typed without one is told of when its month lacks the day
    (`31/2` on 30 November 2026: February 2027 has 28 days)."""
    if happened:
        return today.year if month <= today.month else today.year - 1
    return today.year if month >= today.month else today.year + 1


def parse_date(value: str, argument: str = "date", today: date | None = None, happened: bool = False) -> date:
    """`YYYY-MM-DD`, a date typed day first (`30/11/2026`, `30.11`, `30 nov`)
    or its month's name first (`Nov 30`) (without a year the nearest one
    from `today`, see `_nearest`), or a day named
    from `today` (`relative_day`). A day the month does not have
    (`2027-02-30`, `31/4`) or a month past December is answered with what
    the calendar has, not with the format, which was right."""
    named = relative_day(value, today)
    if named is not None:
        return named
    text = " ".join(value.strip().split())
    m = _DATE.match(text)
    year, month, day = (int(g) for g in m.groups()) if m else (0, 0, 0)
    typed = None if m else _day_first(text)
    if typed is not None:
        year, month, day = typed[0] if typed[0] is not None else today.year if today else 0, typed[1], typed[2]
        if typed[0] is None and today is not None and 1 <= month <= 12:
            year = _nearest_month(month, today, happened)
    if year < MINYEAR:
        raise UserError("errors/bad_date", argument=argument, value=value)
    if not 1 <= month <= 12:
        raise UserError("errors/no_such_month", argument=argument, value=value, number=month)
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        in_a_leap_year = 1 <= day <= calendar.monthrange(2000, month)[1]  # 29/2 without a year: a leap year's
        if typed is None or typed[0] is not None or not in_a_leap_year:
            raise UserError("errors/no_such_day", argument=argument, value=value, month=date(year, month, 1), days=days)
    if typed is not None and typed[0] is None and today is not None:
        nearest = _nearest(month, day, today, happened)
        if nearest is not None:
            return nearest
    return date(year, month, day)
