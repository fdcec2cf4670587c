from datetime import date, timedelta

import pytest

from dealwatch.core.errors import InvalidInput
from dealwatch.promo.forecast import FORECASTERS, build_forecaster
from dealwatch.promo.forecast_events import events_in_year

START = date(2023, 1, 2)  # a Monday


def flags_from(starts: list[int], days: int, length: int = 3) -> list[tuple[date, bool | None]]:
    on = {s + k for s in starts for k in range(length)}
    return [(START + timedelta(days=d), d in on) for d in range(days)]


@pytest.mark.parametrize("name", ["cadence", "dealwatch"])
def test_biweekly_cadence_with_jitter_is_predicted_to_the_day(name: str) -> None:
    starts = [s + (1 if i % 5 == 0 else 0) for i, s in enumerate(range(0, 700, 14))]
    flags = flags_from(starts, 705, length=5)
    forecast = build_forecaster(name).forecast(flags, START + timedelta(days=704))
    assert forecast.predicted_date == START + timedelta(days=714)
    assert forecast.lower is not None and forecast.upper is not None
    assert forecast.lower <= forecast.predicted_date <= forecast.upper
    assert forecast.prob_7d is not None and forecast.prob_30d is not None
    assert forecast.prob_7d < forecast.prob_30d and forecast.prob_30d > 0.9
    assert forecast.expected_duration == 5


def test_first_saturday_of_the_month_is_followed() -> None:
    days = [START + timedelta(days=d) for d in range(700)]
    starts = [(d - START).days for d in days if d.weekday() == 5 and d.day <= 7]
    flags = flags_from(starts, 700, length=2)
    forecast = build_forecaster("cadence").forecast(flags, days[-1])
    assert forecast.predicted_date is not None
    assert forecast.predicted_date.weekday() == 5 and forecast.predicted_date.day <= 7


def test_calendar_model_learns_black_friday_and_its_offset() -> None:
    starts = []
    for year in (2023, 2024):
        black_friday = dict(events_in_year(year))["black_friday"]
        starts.append(date.fromordinal(black_friday - 3))  # the store starts on the Tuesday before
    flags = flags_from([(s - START).days for s in starts], 700, length=6)
    today = START + timedelta(days=699)
    forecast = build_forecaster("calendar").forecast(flags, today)
    assert forecast.predicted_date == date(2025, 11, 25)  # Black Friday 2025 is Nov 28


def test_unknown_days_are_missing_data_not_no_sale() -> None:
    flags = flags_from(list(range(0, 700, 14)), 700, length=3)
    blocked = [(d, None if 300 <= (d - START).days < 360 else f) for d, f in flags]
    today = START + timedelta(days=699)
    for name in ("cadence", "dealwatch"):
        clear = build_forecaster(name).forecast(flags, today)
        with_gap = build_forecaster(name).forecast(blocked, today)
        assert with_gap.predicted_date == clear.predicted_date == START + timedelta(days=700)
    # A store blocked since its last sale is not "overdue with no sale": the gap is not evidence.
    tail_blocked = [(d, None if (d - START).days > 560 else f) for d, f in flags]
    forecast = build_forecaster("cadence").forecast(tail_blocked, today)
    assert (
        forecast.predicted_date is not None
        and forecast.predicted_date.toordinal() % 7 == START.toordinal() % 7
    )


def test_cold_start_still_forecasts_and_every_model_is_buildable() -> None:
    forecast = build_forecaster("dealwatch").forecast(flags_from([], 60), START + timedelta(days=59))
    assert forecast.predicted_date is not None and forecast.method == "dealwatch:calendar"
    for name in FORECASTERS[:-1]:
        assert build_forecaster(name).name == name
    with pytest.raises(InvalidInput, match="unknown forecast model"):
        build_forecaster("crystal-ball")
