"""Retail events computed by rule for any year: the calendar the calendar model learns affinities to.

Dates come from fixed rules (Black Friday = day after the 4th Thursday of November, Easter by the
Gregorian computus, which gives the `holidays` package's dates); nothing is looked up at run time.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

#: Every event name the calendar model knows, in calendar order.
EVENTS: tuple[str, ...] = (
    "january_sales",
    "presidents_day",
    "end_of_winter",
    "easter",
    "mothers_day",
    "memorial_day",
    "end_of_spring",
    "july_4th",
    "mid_july_marketplace",
    "back_to_school",
    "labor_day",
    "october_marketplace",
    "singles_day",
    "black_friday",
    "cyber_monday",
    "christmas",
    "boxing_day",
)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (Mon=0) of the month; n=-1 is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> date:
    """Western Easter Sunday (anonymous Gregorian algorithm; same dates as `holidays`)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def events_in_year(year: int) -> tuple[tuple[str, int], ...]:
    """(event name, date ordinal) for every known retail event in `year`, in date order."""
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    days = {
        "january_sales": date(year, 1, 2),
        "presidents_day": _nth_weekday(year, 2, 0, 3),
        "end_of_winter": date(year, 3, 15),
        "easter": _easter(year),
        "mothers_day": _nth_weekday(year, 5, 6, 2),
        "memorial_day": _nth_weekday(year, 5, 0, -1),
        "end_of_spring": date(year, 6, 21),
        "july_4th": date(year, 7, 4),
        "mid_july_marketplace": _nth_weekday(year, 7, 1, 2),
        "back_to_school": _nth_weekday(year, 8, 0, 1),
        "labor_day": _nth_weekday(year, 9, 0, 1),
        "october_marketplace": _nth_weekday(year, 10, 1, 2),
        "singles_day": date(year, 11, 11),
        "black_friday": thanksgiving + timedelta(days=1),
        "cyber_monday": thanksgiving + timedelta(days=4),
        "christmas": date(year, 12, 25),
        "boxing_day": date(year, 12, 26),
    }
    return tuple(sorted(((name, day.toordinal()) for name, day in days.items()), key=lambda e: e[1]))


@lru_cache(maxsize=256)
def event_days(year: int) -> dict[str, int]:
    """Date ordinal of every known retail event in `year`, by name (callers must not modify it)."""
    return dict(events_in_year(year))
