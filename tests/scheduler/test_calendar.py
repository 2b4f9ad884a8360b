from datetime import UTC, date, datetime, time

from bot.reminders.calendar import ProgramCalendar, spread_seconds

CAL = ProgramCalendar("Europe/Stockholm", "SE", (("07-01", "07-31"),))


def test_weekends_holidays_and_july_are_not_nudge_days():
    assert CAL.is_nudge_day(date(2027, 3, 2))  # a Tuesday
    assert not CAL.is_nudge_day(date(2027, 3, 6))  # Saturday
    assert not CAL.is_nudge_day(date(2027, 3, 26))  # Good Friday
    assert not CAL.is_nudge_day(date(2027, 5, 6))  # Ascension Day
    assert not CAL.is_nudge_day(date(2027, 7, 14))  # quiet July
    assert CAL.nudge_day_on_or_after(date(2027, 7, 1)) == date(2027, 8, 2)


def test_window_prefers_a_day_inside_it_before_pushing_past_it():
    # 26-29 March 2027 is Good Friday, the weekend and Easter Monday: all blocked.
    assert CAL.nudge_day_in_window(date(2027, 3, 26), date(2027, 3, 29), date(2027, 3, 27)) == date(2027, 3, 30)
    assert CAL.nudge_day_in_window(date(2027, 3, 1), date(2027, 3, 8), date(2027, 3, 6)) == date(2027, 3, 8)
    assert CAL.nudge_day_in_window(date(2027, 3, 1), date(2027, 3, 7), date(2027, 3, 6)) == date(2027, 3, 5)


def test_morning_is_local_time_on_both_sides_of_daylight_saving():
    winter = CAL.at(date(2027, 3, 26), time(8, 0))
    summer = CAL.at(date(2027, 3, 29), time(8, 0))  # DST began 28 March 2027
    assert winter == datetime(2027, 3, 26, 7, 0, tzinfo=UTC)
    assert summer == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)


def test_spread_is_stable_and_covers_the_window():
    assert spread_seconds("nudge:pair1", 9000) == spread_seconds("nudge:pair1", 9000)
    offsets = {spread_seconds(f"nudge:pair{i}", 9000) // 900 for i in range(2000)}
    assert offsets == set(range(10))  # every 15-minute slice of the morning gets some


def test_quiet_period_may_wrap_the_new_year():
    cal = ProgramCalendar("Europe/Stockholm", "SE", (("12-20", "01-06"),))
    assert cal.is_quiet(date(2027, 12, 28)) and cal.is_quiet(date(2028, 1, 3))
    assert not cal.is_quiet(date(2028, 1, 10))
