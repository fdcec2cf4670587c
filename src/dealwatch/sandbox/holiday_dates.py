"""Retail holiday dates computed by rule (stdlib only), per year and country."""

from __future__ import annotations

from datetime import date, timedelta

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based) `weekday` of a month; n=-1 is the last one."""
    if n < 0:
        nxt = date(year + month // 12, month % 12 + 1, 1)
        last = nxt - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def easter(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def thanksgiving(year: int) -> date:
    """US Thanksgiving: the fourth Thursday of November."""
    return nth_weekday(year, 11, THU, 4)


def black_friday(year: int) -> date:
    """The Friday after US Thanksgiving."""
    return thanksgiving(year) + timedelta(days=1)


def cyber_monday(year: int) -> date:
    """The Monday after Black Friday."""
    return thanksgiving(year) + timedelta(days=4)


def presidents_day(year: int) -> date:
    """US Presidents Day: third Monday of February."""
    return nth_weekday(year, 2, MON, 3)


def memorial_day(year: int) -> date:
    """US Memorial Day: last Monday of May."""
    return nth_weekday(year, 5, MON, -1)


def labor_day(year: int) -> date:
    """US Labor Day: first Monday of September."""
    return nth_weekday(year, 9, MON, 1)


def marketplace_summer_event(year: int) -> date:
    """First day of the two-day mid-July marketplace event (Prime-Day-like): second Tuesday of July."""
    return nth_weekday(year, 7, TUE, 2)


def mothers_day(year: int, country: str) -> date:
    """Mother's Day as kept in `country` (US, UK, DE, FR, ES)."""
    if country == "UK":  # Mothering Sunday: fourth Sunday of Lent
        return easter(year) - timedelta(days=21)
    if country == "FR":  # last Sunday of May, moved to June when it is Pentecost
        last = nth_weekday(year, 5, SUN, -1)
        return last + timedelta(days=7) if last == easter(year) + timedelta(days=49) else last
    if country == "ES":
        return nth_weekday(year, 5, SUN, 1)
    return nth_weekday(year, 5, SUN, 2)


def summer_sales_start(year: int, country: str) -> date:
    """Start of the summer end-of-season sales in `country`."""
    if country == "FR":  # soldes d'été: last Wednesday of June
        return nth_weekday(year, 6, WED, -1)
    if country == "ES":
        return date(year, 7, 1)
    if country == "DE":  # Sommerschlussverkauf: last Monday of July
        return nth_weekday(year, 7, MON, -1)
    return nth_weekday(year, 6, FRI, -1)


def winter_sales_start(year: int, country: str) -> date:
    """Start of the January end-of-season sales in `country`."""
    if country == "FR":  # soldes d'hiver: second Wednesday of January
        return nth_weekday(year, 1, WED, 2)
    if country == "ES":
        return date(year, 1, 7)
    if country == "DE":  # Winterschlussverkauf: last Monday of January
        return nth_weekday(year, 1, MON, -1)
    return nth_weekday(year, 1, MON, 2)


def back_to_school(year: int, country: str) -> date:
    """Start of the back-to-school season in `country`."""
    if country == "FR":  # la rentrée: mid-August push
        return nth_weekday(year, 8, MON, 3)
    if country == "ES":  # vuelta al cole
        return nth_weekday(year, 8, MON, -1)
    return nth_weekday(year, 8, FRI, 1)
