"""Dates, times and numbers in the reader's language and the program's time
zone: the templates' Babel filters (`date`, `date_range`, `datetime`,
`long_date`, `long_datetime`, `time`, `month`, `long_month`, `month_days`,
`number`, `plural`), one style per kind, chosen here and nowhere else.
`bot.i18n` documents each and registers them as `FILTERS`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval, format_skeleton, format_time, get_timezone_name
from babel.numbers import format_decimal
from jinja2 import pass_context

from bot.markup import Trusted

DEFAULT_LOCALE = "sv"
_BABEL = {"sv": "sv_SE", "en": "en_GB"}


def _babel(ctx) -> str:
    return _BABEL.get(ctx.get("locale", DEFAULT_LOCALE), "sv_SE")


def _tz(ctx) -> ZoneInfo:
    return ZoneInfo(ctx.get("tz") or "Europe/Stockholm")


# The patterns of the kinds that Babel has no name for, per language.
# The long kinds leave the year out, and say it for a day in another year
# than the reader's today (`_in_another_year`): `*_year`.
_PATTERNS = {
    "sv": {
        "datetime": "d MMM y 'kl.' HH:mm",
        "long_date": "EEEE d MMMM",
        "long_datetime": "EEEE d MMMM 'kl.' HH:mm",
        "long_date_year": "EEEE d MMMM y",
        "long_datetime_year": "EEEE d MMMM y 'kl.' HH:mm",
    },
    "en": {
        "datetime": "d MMM y 'at' HH:mm",
        "long_date": "EEEE d MMMM",
        "long_datetime": "EEEE d MMMM 'at' HH:mm",
        "long_date_year": "EEEE d MMMM y",
        "long_datetime_year": "EEEE d MMMM y 'at' HH:mm",
    },
}


def _pattern(ctx, kind: str) -> str:
    return _PATTERNS.get(ctx.get("locale", DEFAULT_LOCALE), _PATTERNS[DEFAULT_LOCALE])[kind]


def _day(ctx, value: date | datetime) -> date:
    """The calendar day of `value` in the program's zone."""
    return value.astimezone(_tz(ctx)).date() if isinstance(value, datetime) else value


def _in_another_year(ctx, value: date | datetime) -> bool:
    """Whether `value` falls in another year than the reader's today: the
    context's `written_at` (the turn's or the dispatcher's injected clock), in the
    program's zone. Without it the year is left out, as a reminder a
    few days ahead reads best."""
    now = ctx.get("written_at")
    return isinstance(now, datetime) and _day(ctx, value).year != _day(ctx, now).year


def _long(ctx, value: date | datetime, kind: str) -> str:
    return f"{kind}_year" if _in_another_year(ctx, value) else kind


@pass_context
def _f_date(ctx, value: date | datetime) -> str:
    """Short: lists, replies, errors."""
    return Trusted(format_date(_day(ctx, value), format="medium", locale=_babel(ctx)))


@pass_context
def _f_date_range(ctx, start: date | datetime, end: date | datetime) -> str:
    """Short, from `start` to `end`, the shared month and year said once."""
    return Trusted(format_interval(_day(ctx, start), _day(ctx, end), "yMMMd", locale=_babel(ctx)))


@pass_context
def _f_long_date(ctx, value: date | datetime) -> str:
    """Long: reminders (the weekday, the month in full)."""
    return Trusted(
        format_date(_day(ctx, value), format=_pattern(ctx, _long(ctx, value, "long_date")), locale=_babel(ctx))
    )


@pass_context
def _f_month(ctx, value: date | datetime) -> str:
    return Trusted(format_skeleton("yMMM", _day(ctx, value), locale=_babel(ctx)))


@pass_context
def _f_long_month(ctx, value: date | datetime) -> str:
    """A month in full: februari 2027 / February 2027."""
    return Trusted(format_skeleton("yMMMM", _day(ctx, value), locale=_babel(ctx)))


@pass_context
def _f_month_days(ctx, period) -> str:
    """A period that comes back every year, ("MM-DD", "MM-DD") -> 1–31 juli."""

    def day(text: str) -> date:
        return date(2001, int(text[:2]), int(text[3:5]))  # not a leap year: 02-29 is refused earlier

    start, end = (day(p) for p in period)
    if end < start:  # over the new year
        return Trusted(
            f"{format_date(start, 'd MMMM', locale=_babel(ctx))}–{format_date(end, 'd MMMM', locale=_babel(ctx))}"
        )
    return Trusted(format_interval(start, end, "MMMMd", locale=_babel(ctx)))


def _zone_note(ctx, value: datetime) -> str:
    """ " (centraleuropeisk tid)" when the reader's own time zone (`reader_tz`)
    shows this moment at another hour than the program's (`tz`), else ""."""
    reader = ctx.get("reader_tz")
    if not reader or not isinstance(value, datetime) or value.tzinfo is None:
        return ""
    try:
        theirs = value.astimezone(ZoneInfo(reader)).utcoffset()
    except (KeyError, ValueError):
        return ""
    ours = value.astimezone(_tz(ctx))
    if theirs == ours.utcoffset():
        return ""
    return " (" + get_timezone_name(ours, width="long", locale=_babel(ctx)) + ")"


def _moment(ctx, value: datetime, kind: str) -> str:
    return Trusted(
        format_datetime(value, format=_pattern(ctx, kind), tzinfo=_tz(ctx), locale=_babel(ctx)) + _zone_note(ctx, value)
    )


@pass_context
def _f_datetime(ctx, value: datetime) -> str:
    """Short with the time: lists of events."""
    return _moment(ctx, value, "datetime")


@pass_context
def _f_long_datetime(ctx, value: datetime) -> str:
    """Long with the time: reminders of an event (the year when it is not this one)."""
    return _moment(ctx, value, _long(ctx, value, "long_datetime"))


@pass_context
def _f_time(ctx, value: datetime) -> str:
    """The time of day in the program's zone (`tz`), naming the zone when
    the reader lives in another one."""
    return Trusted(format_time(value, format="short", tzinfo=_tz(ctx), locale=_babel(ctx)) + _zone_note(ctx, value))


@pass_context
def _f_number(ctx, value: float, fmt: str | None = None) -> str:
    return Trusted(format_decimal(value, format=fmt, locale=_babel(ctx)))


@pass_context
def _f_plural(ctx, count: float, one: str, other: str) -> str:
    """`{{ n | plural("par", "par") }}`, `{{ n | plural("pair", "pairs") }}`:
    the number (in the reader's format) and the form Babel's plural rules of
    the reader's language pick for it."""
    form = Locale.parse(_babel(ctx)).plural_form(abs(count))
    return Trusted(f"{format_decimal(count, locale=_babel(ctx))} {one if form == 'one' else other}")


FILTERS: dict[str, Callable[..., str]] = {
    "date": _f_date,
    "date_range": _f_date_range,
    "datetime": _f_datetime,
    "long_date": _f_long_date,
    "long_datetime": _f_long_datetime,
    "time": _f_time,
    "month": _f_month,
    "long_month": _f_long_month,
    "month_days": _f_month_days,
    "number": _f_number,
    "plural": _f_plural,
}
