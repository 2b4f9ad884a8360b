"""The one place that knows the program calendar: working days, public
holidays, quiet periods, morning send times and daylight-saving time.

Everything is decided in the program's own time zone and returned as aware
UTC datetimes, so a reminder "at 08:00 on the event day" is 08:00 in
Stockholm in January (07:00 UTC) and in May (06:00 UTC).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Nudges go out over the working morning so thousands of pairs do not fire in
# the same second; event reminders go early in the morning.
NUDGE_WINDOW = (time(9, 0), time(11, 30))
EVENT_MORNING_WINDOW = (time(8, 0), time(9, 0))
# How far the search for an allowed day may go (a quiet July plus holidays).
_MAX_SEARCH_DAYS = 120


@lru_cache(maxsize=64)
def _holidays_for(country: str, year: int) -> frozenset[date]:
    """Public holidays plus the de facto ones where the country has them (in
    Sweden: Midsummer Eve, Christmas Eve and New Year's Eve, when nobody
    wants a nudge)."""
    try:
        found = holidays.country_holidays(country, years=year, categories=("public", "de_facto"))
    except ValueError:  # no de facto holidays listed for this country
        found = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return frozenset()
    return frozenset(found.keys())


def spread_seconds(key: str, window_seconds: int) -> int:
    """A stable offset in [0, window_seconds) for `key`: the same reminder
    always lands on the same second, different ones spread evenly."""
    if window_seconds <= 0:
        return 0
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % window_seconds


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


@dataclass(frozen=True)
class ProgramCalendar:
    timezone: str = "Europe/Stockholm"
    country: str = "SE"
    quiet_periods: tuple[tuple[str, str], ...] = (("07-01", "07-31"),)

    @classmethod
    def of(cls, program) -> ProgramCalendar:
        return cls(
            timezone=program.timezone or "Europe/Stockholm",
            country=program.country or "SE",
            quiet_periods=tuple(tuple(p) for p in (program.quiet_periods or [])),
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # ------------------------------------------------------------ days

    def is_holiday(self, day: date) -> bool:
        return day in _holidays_for(self.country, day.year)

    def is_quiet(self, day: date) -> bool:
        """Inside one of the program's quiet periods ("07-01".."07-31"); a
        period whose end is before its start wraps the new year."""
        md = (day.month, day.day)
        for start, end in self.quiet_periods:
            lo, hi = _month_day(start), _month_day(end)
            if lo <= hi:
                if lo <= md <= hi:
                    return True
            elif md >= lo or md <= hi:
                return True
        return False

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def is_nudge_day(self, day: date) -> bool:
        """A day a pair may be nudged: a working day outside quiet periods."""
        return self.is_working_day(day) and not self.is_quiet(day)

    def nudge_day_on_or_after(self, day: date) -> date:
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_nudge_day(day):
                return day
            day += timedelta(days=1)
        return day

    def nudge_day_in_window(self, earliest: date, latest: date, preferred: date) -> date:
        """An allowed day in [earliest, latest], as near `preferred` as
        possible (later first); if the whole window is blocked (a quiet July),
        the first allowed day after it."""
        preferred = min(max(preferred, earliest), latest)
        day = preferred
        while day <= latest:
            if self.is_nudge_day(day):
                return day
            day += timedelta(days=1)
        day = preferred - timedelta(days=1)
        while day >= earliest:
            if self.is_nudge_day(day):
                return day
            day -= timedelta(days=1)
        return self.nudge_day_on_or_after(latest + timedelta(days=1))

    def working_day_on_or_before(self, day: date) -> date:
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                return day
            day -= timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    # ----------------------------------------------------------- times

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def at(self, day: date, clock_time: time) -> datetime:
        """`clock_time` on `day` in the program's zone, as UTC. Wall times that
        do not exist (the spring-forward hour) move forward by the gap."""
        local = datetime.combine(day, clock_time, tzinfo=self.zone)
        # Round-trip through UTC normalises a non-existent wall time.
        return local.astimezone(UTC)

    def in_window(self, day: date, window: tuple[time, time], key: str) -> datetime:
        start = self.at(day, window[0])
        end = self.at(day, window[1])
        return start + timedelta(seconds=spread_seconds(key, int((end - start).total_seconds())))

    def nudge_time(self, day: date, key: str) -> datetime:
        return self.in_window(day, NUDGE_WINDOW, key)

    def morning_time(self, day: date, key: str) -> datetime:
        return self.in_window(day, EVENT_MORNING_WINDOW, key)
