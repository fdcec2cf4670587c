from datetime import UTC, date, datetime, timedelta

import pytest

from dealwatch.core.clock import FrozenClock, SystemClock, today


def test_frozen_clock_stands_still_and_moves_on_request() -> None:
    clock = FrozenClock.on(date(2025, 3, 1))
    assert clock.now() == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    clock.advance(timedelta(days=1))
    assert today(clock) == date(2025, 3, 2)


def test_clocks_are_utc_and_refuse_naive_times() -> None:
    assert SystemClock().now().tzinfo is UTC
    with pytest.raises(ValueError, match="naive"):
        FrozenClock(datetime(2025, 1, 1))  # noqa: DTZ001
