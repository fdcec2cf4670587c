"""Reading displayed times into tz-aware UTC, relative ones against an injected now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dealwatch.flip.times import from_epoch, from_iso, local_to_utc, month_day, short_date, shown_time

NOW = datetime(2023, 11, 30, 1, 35, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "ago"),
    [
        ("12 mins ago", timedelta(minutes=12)),
        ("48m ago", timedelta(minutes=48)),
        ("2h ago", timedelta(hours=2)),
        ("about an hour ago", timedelta(hours=1)),
        ("3 days ago", timedelta(days=3)),
        ("a week ago", timedelta(weeks=1)),
        ("Listed 2 weeks ago in Bergen op Zoom, NB", timedelta(weeks=2)),
        ("just now", timedelta(0)),
    ],
)
def test_relative_ages_resolve_against_now(text: str, ago: timedelta) -> None:
    assert shown_time(text, NOW) == NOW - ago


def test_absolute_forms() -> None:
    assert shown_time("Tue Jul 15 2025 18:35:30 GMT-0700 (Pacific Daylight Time)", NOW) == datetime(
        2025, 7, 16, 1, 35, 30, tzinfo=UTC
    )
    assert short_date("Sold  Jul 20, 2026") == datetime(2026, 7, 20, tzinfo=UTC)
    assert from_iso("2023-11-29T20:23:46-0500") == datetime(2023, 11, 30, 1, 23, 46, tzinfo=UTC)
    assert from_iso("2023-11-29T20:23:46") is None  # no offset: not guessed
    assert from_epoch(1736478689) == datetime(2025, 1, 10, 3, 11, 29, tzinfo=UTC)
    assert from_epoch(1736478689000) == from_epoch(1736478689)
    assert local_to_utc("2019-12-05 14:34", "America/Los_Angeles") == datetime(
        2019, 12, 5, 22, 34, tzinfo=UTC
    )
    assert local_to_utc("2019-12-05 14:34", None) is None


def test_a_year_less_date_is_the_latest_one_not_in_the_future() -> None:
    assert month_day("6/29", NOW) == datetime(2023, 6, 29, tzinfo=UTC)
    assert month_day("12/31", NOW) == datetime(2022, 12, 31, tzinfo=UTC)
    assert month_day("2/30", NOW) is None
