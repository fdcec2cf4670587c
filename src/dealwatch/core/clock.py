"""The injectable clock. All time in dealwatch is tz-aware UTC and comes from a Clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time."""

    def now(self) -> datetime:
        """The current time, tz-aware UTC."""
        ...


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime given to a clock: {moment!r}; use tz-aware UTC")
    return moment.astimezone(UTC)


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until moved; for tests, the demo and date-stepped runs."""

    def __init__(self, moment: datetime) -> None:
        self._now = _utc(moment)

    @classmethod
    def on(cls, day: date, at: time = time(9, 0)) -> FrozenClock:
        """A clock frozen at `at` UTC on `day`."""
        return cls(datetime.combine(day, at, tzinfo=UTC))

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment`."""
        self._now = _utc(moment)

    def advance(self, delta: timedelta) -> None:
        """Move forward by `delta`."""
        self._now += delta


def today(clock: Clock) -> date:
    """The UTC calendar day of `clock`."""
    return clock.now().date()
