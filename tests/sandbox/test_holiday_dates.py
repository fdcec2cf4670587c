from datetime import date

import pytest

from dealwatch.sandbox import holiday_dates as hd


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, date(2024, 11, 29)), (2025, date(2025, 11, 28)), (2026, date(2026, 11, 27))],
)
def test_black_friday_is_the_friday_after_the_fourth_thursday_of_november(year: int, expected: date) -> None:
    assert hd.black_friday(year) == expected
    assert hd.cyber_monday(year) == date.fromordinal(expected.toordinal() + 3)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
    ],
)
def test_easter(year: int, expected: date) -> None:
    assert hd.easter(year) == expected


def test_us_retail_holidays_2025() -> None:
    assert hd.presidents_day(2025) == date(2025, 2, 17)
    assert hd.memorial_day(2025) == date(2025, 5, 26)
    assert hd.labor_day(2025) == date(2025, 9, 1)
    assert hd.marketplace_summer_event(2025) == date(2025, 7, 8)


def test_mothers_day_follows_each_countrys_rule() -> None:
    assert hd.mothers_day(2025, "US") == date(2025, 5, 11)
    assert hd.mothers_day(2025, "UK") == date(2025, 3, 30)  # Mothering Sunday, 3 weeks before Easter
    assert hd.mothers_day(2025, "ES") == date(2025, 5, 4)
    assert hd.mothers_day(2025, "FR") == date(2025, 5, 25)
    assert hd.mothers_day(2012, "FR") == date(2012, 6, 3)  # last Sunday of May was Pentecost


def test_end_of_season_sales_start_on_their_legal_or_customary_days() -> None:
    assert hd.winter_sales_start(2025, "FR") == date(2025, 1, 8)
    assert hd.summer_sales_start(2025, "FR") == date(2025, 6, 25)
    assert hd.winter_sales_start(2025, "ES") == date(2025, 1, 7)
    assert hd.summer_sales_start(2025, "DE") == date(2025, 7, 28)


def test_nth_weekday_counts_from_either_end() -> None:
    assert hd.nth_weekday(2025, 12, hd.MON, -1) == date(2025, 12, 29)
    assert hd.nth_weekday(2025, 2, hd.SAT, 1) == date(2025, 2, 1)
    assert hd.nth_weekday(2024, 12, hd.TUE, -1) == date(2024, 12, 31)
