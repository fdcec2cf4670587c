"""Times as marketplaces print them, read into tz-aware UTC.

Relative ages ("12 mins ago", "48m ago", "about an hour ago", "2 weeks ago") resolve against the
`now` the caller injects; epoch seconds and ISO stamps with an offset are exact; a date shown
without a time ("Jul 20, 2026", "6/29") is taken as 00:00 UTC that day, the year of a year-less
date being the latest one not after `now`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
    "w": 7 * 86400,
    "wk": 7 * 86400,
    "week": 7 * 86400,
    "mo": 30 * 86400,
    "month": 30 * 86400,
    "y": 365 * 86400,
    "yr": 365 * 86400,
    "year": 365 * 86400,
}
_AGE = re.compile(
    r"(?:about |over |almost |less than )?(\d+|an?|one)\s*"
    r"(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)"
    r"\s+ago\b",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})\s*$")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_SHORT_DATE = re.compile(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b")
# JavaScript's Date.toString(): "Tue Jul 15 2025 18:35:30 GMT-0700 (Pacific Daylight Time)".
_JS_DATE = re.compile(r"([A-Za-z]{3})\s+(\d{1,2})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+GMT([+-]\d{4})")


def relative_age(text: str, now: datetime) -> datetime | None:
    """The moment an age like "3 days ago" points at, from `now`; None when the text holds none."""
    lowered = text.strip().lower()
    if lowered in {"just now", "now", "moments ago", "a few seconds ago"}:
        return now.astimezone(UTC)
    if lowered == "yesterday":
        return (now - timedelta(days=1)).astimezone(UTC)
    match = _AGE.search(text)
    if not match:
        return None
    count_text, unit = match.group(1).lower(), match.group(2).lower()
    count = 1 if count_text in {"a", "an", "one"} else int(count_text)
    seconds = _UNITS[unit] if unit in _UNITS else _UNITS[unit.rstrip("s")]
    return (now - timedelta(seconds=count * seconds)).astimezone(UTC)


def from_epoch(seconds: int | float | str | None) -> datetime | None:
    """UTC from epoch seconds (milliseconds are recognised by size); None when absent."""
    if seconds is None or seconds == "":
        return None
    value = float(seconds)
    if value > 10**11:
        value /= 1000
    return datetime.fromtimestamp(value, UTC)


def from_iso(text: str | None) -> datetime | None:
    """UTC from an ISO stamp that carries its offset ("2023-11-29T20:23:46-0500"); else None."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        try:
            moment = datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return None
    return moment.astimezone(UTC) if moment.utcoffset() is not None else None


def local_to_utc(text: str, zone: str | None, fmt: str = "%Y-%m-%d %H:%M") -> datetime | None:
    """A naive local stamp in IANA `zone`, as UTC; None when the zone is unknown or the text is not one."""
    if zone is None:
        return None
    try:
        tz = ZoneInfo(zone)
        naive = datetime.strptime(text.strip(), fmt)  # noqa: DTZ007 - the zone is attached on the next line
    except (ValueError, ZoneInfoNotFoundError):
        return None
    return naive.replace(tzinfo=tz).astimezone(UTC)


def month_day(text: str, now: datetime) -> datetime | None:
    """A year-less "6/29" as 00:00 UTC on the latest such day not after `now`."""
    match = _MONTH_DAY.match(text)
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    for year in (now.year, now.year - 1):
        try:
            moment = datetime(year, month, day, tzinfo=UTC)
        except ValueError:
            continue
        if moment.date() <= now.astimezone(UTC).date():
            return moment
    return None


def short_date(text: str) -> datetime | None:
    """The first "Jul 20, 2026" / "March 7 2026" in `text`, as 00:00 UTC that day."""
    match = _SHORT_DATE.search(text)
    if not match:
        return None
    month = _MONTHS.get(match.group(1).lower())
    if month is None:
        return None
    try:
        return datetime(int(match.group(3)), month, int(match.group(2)), tzinfo=UTC)
    except ValueError:
        return None


def js_date(text: str) -> datetime | None:
    """UTC from JavaScript's Date string ("Tue Jul 15 2025 18:35:30 GMT-0700 (...)"); else None."""
    match = _JS_DATE.search(text)
    if not match:
        return None
    month = _MONTHS.get(match.group(1).lower())
    if month is None:
        return None
    stamp = (
        f"{match.group(3)}-{month:02d}-{int(match.group(2)):02d}T"
        f"{match.group(4)}:{match.group(5)}:{match.group(6)}{match.group(7)}"
    )
    return from_iso(stamp)


def shown_time(text: str, now: datetime) -> datetime | None:
    """Whatever time a card shows: an age, a JavaScript date, a "6/29" or a "Jul 20, 2026"."""
    return relative_age(text, now) or js_date(text) or month_day(text, now) or short_date(text)
