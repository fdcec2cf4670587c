import random
import statistics
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from dealwatch.core.errors import InvalidInput
from dealwatch.promo.forecast import FORECASTERS, build_forecaster
from dealwatch.promo.forecast_events import events_in_year
from dealwatch.promo.forecast_models import CANDIDATES, History, Replay, calibrated_forecast
from dealwatch.promo.forecast_prior import PeerStore, PooledPrior

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


def test_every_model_is_buildable_and_unknown_names_are_refused() -> None:
    for name in FORECASTERS[:-1]:
        assert build_forecaster(name).name == name
    with pytest.raises(InvalidInput, match="unknown forecast model"):
        build_forecaster("crystal-ball")


@pytest.mark.parametrize("offset", [0, 3, 9])
def test_a_store_every_14_days_is_predicted_within_two_days(offset: int) -> None:
    starts = [s + (i * 5) % 3 - 1 for i, s in enumerate(range(7, 560, 14))]  # jitter -1, 0, +1
    today = START + timedelta(days=starts[-1] + offset)
    flags = flags_from(starts, (today - START).days + 1)
    forecast = build_forecaster("dealwatch").forecast(flags, today)
    expected = START + timedelta(days=starts[-1] + 14)
    assert forecast.predicted_date is not None
    assert abs((forecast.predicted_date - expected).days) <= 2, forecast.reason


def test_80_percent_intervals_cover_a_jittered_cadence_store_about_80_percent_of_the_time() -> None:
    rng = random.Random(5)
    starts, day = [], 3
    while day < 1100:
        starts.append(day)
        day += 21 + rng.randint(-4, 4)
    flags = flags_from(starts, 1100)
    covered = scored = 0
    for cut in range(760, 1080, 5):
        today = START + timedelta(days=cut)
        actual = next(START + timedelta(days=s) for s in starts if s > cut)
        forecast = build_forecaster("dealwatch").forecast(flags[: cut + 1], today)
        assert forecast.lower is not None and forecast.upper is not None
        covered += forecast.lower <= actual <= forecast.upper
        scored += 1
    assert 0.7 <= covered / scored <= 0.9


def _peer(starts: list[int], category: str = "fashion", country: str = "DE") -> PeerStore:
    return PeerStore(flags_from(starts, 700), category, country)


def test_a_store_with_one_start_follows_its_similar_stores() -> None:
    pooled = PooledPrior(
        {
            "new": _peer([]),  # its own entry is never its own peer
            "fashion-1": _peer(list(range(5, 700, 30))),
            "fashion-2": _peer(list(range(12, 700, 30))),
            "fashion-3": _peer(list(range(20, 700, 30))),
            "garden-us": _peer(list(range(0, 700, 7)), "garden", "US"),
        }
    )
    prior = pooled.for_store("new", "fashion", "DE")
    assert prior.group == "category+country" and sorted(prior.peers) == [
        "fashion-1",
        "fashion-2",
        "fashion-3",
    ]
    flags = flags_from([600], 611)[590:]  # a new store: watched for 3 weeks, one start 10 days ago
    today = START + timedelta(days=610)
    forecast = build_forecaster("dealwatch").forecast(flags, today, prior)
    assert forecast.method == "dealwatch:prior" and "3 similar stores" in (forecast.reason or "")
    assert forecast.predicted_date is not None
    assert abs((forecast.predicted_date - (START + timedelta(days=630))).days) <= 3  # the peers' 30-day gap
    assert forecast.lower is not None and forecast.upper is not None
    assert forecast.lower <= forecast.predicted_date <= forecast.upper
    assert forecast.prob_7d is not None and forecast.prob_30d is not None and forecast.prob_30d > 0.9
    alone = build_forecaster("dealwatch").forecast(flags, today)
    assert alone.predicted_date is None and "no similar stores" in (alone.reason or "")


def test_the_prior_reads_peers_only_up_to_the_forecast_day() -> None:
    pooled = PooledPrior({"a": _peer(list(range(0, 700, 30))), "b": _peer(list(range(400, 700, 7)))})
    early = pooled.for_store("new", None, None)
    history = History.from_flags(flags_from([], 300), START + timedelta(days=299))
    # Up to day 299 peer b has no start, so its weekly sales later on cannot shorten the waits
    # (stretched up to 2x: the store itself has gone 300 days without a sale).
    waits = early.waits(history)
    assert min(waits) >= 1 and max(waits) <= 2 * 30 and statistics.median(waits) > 14


def test_unknown_days_do_not_count_as_no_sale_for_the_selector() -> None:
    starts = list(range(0, 700, 14))
    flags = flags_from(starts, 700)
    today = START + timedelta(days=699)
    # A store blocked for 80 days: the unknown stretch hides starts, it is not a run of "no sale" days.
    blocked = [(d, None if 500 <= (d - START).days < 580 else f) for d, f in flags]
    forecast = build_forecaster("dealwatch").forecast(blocked, today)
    assert forecast.predicted_date == START + timedelta(days=700)
    history = History.from_flags(blocked, today)
    assert all(g == 14 for g in history.gaps_before(history.today))


def test_a_store_quiet_for_long_stretches_its_peers_waits() -> None:
    pooled = PooledPrior({f"peer-{i}": _peer(list(range(i, 700, 20))) for i in range(3)})
    prior = pooled.for_store("quiet", "fashion", "DE")
    quiet = History.from_flags(flags_from([], 400), START + timedelta(days=399))
    fresh = History.from_flags(flags_from([], 400)[380:], START + timedelta(days=399))
    assert prior.rate_ratio(quiet) > 1.5 and 0.9 <= prior.rate_ratio(fresh) <= 1.3
    assert statistics.median(prior.waits(quiet)) > statistics.median(prior.waits(fresh))


def test_peers_that_wait_past_the_horizon_give_probabilities_but_no_date() -> None:
    pooled = PooledPrior({f"yearly-{i}": _peer([10 + i, 375 + i]) for i in range(6)})
    prior = pooled.for_store("new", "fashion", "DE")
    today = START + timedelta(days=400)
    forecast = build_forecaster("dealwatch").forecast(flags_from([390], 401), today, prior)
    assert forecast.predicted_date is None and "over 180 days" in (forecast.reason or "")
    assert forecast.prob_30d is not None and forecast.prob_30d < 0.2


def _flags_on(starts: list[date], last: date, length: int = 3) -> list[tuple[date, bool | None]]:
    return flags_from([(s - START).days for s in starts], (last - START).days + 1, length)


def test_seasonal_model_carries_last_years_sales_a_year_on_with_their_events() -> None:
    good_friday_2023, august_tuesday_2023 = date(2023, 4, 7), date(2023, 8, 22)  # 2023-08-22: no event near
    starts = [good_friday_2023, august_tuesday_2023]
    seasonal = build_forecaster("seasonal")
    winter = seasonal.forecast(_flags_on(starts, date(2024, 1, 10)), date(2024, 1, 10))
    assert winter.predicted_date == date(2024, 3, 29)  # Good Friday 2024: Easter moved a week earlier
    spring = seasonal.forecast(_flags_on([*starts, date(2024, 3, 29)], date(2024, 4, 15)), date(2024, 4, 15))
    assert spring.predicted_date == date(2024, 8, 20)  # 364 days on: still a Tuesday
    # With under a year seen it has nothing to carry, and answers as the seed's rule does.
    young = _flags_on([date(2023, 3, 1), date(2023, 6, 1)], date(2023, 7, 1))
    assert (
        seasonal.forecast(young, date(2023, 7, 1)).predicted_date
        == build_forecaster("interval").forecast(young, date(2023, 7, 1)).predicted_date
    )


def test_seasonal_model_skips_a_sale_that_already_began_this_year() -> None:
    black_friday_2023, black_friday_2024 = date(2023, 11, 24), date(2024, 11, 29)
    starts = [black_friday_2023, date(2023, 12, 26), black_friday_2024 - timedelta(days=6)]
    today = date(2024, 11, 26)  # this year's Black Friday sale started a week early and is still on
    forecast = build_forecaster("seasonal").forecast(_flags_on(starts, today, length=8), today)
    assert forecast.predicted_date == date(2024, 12, 26)  # the Boxing Day sale, not Black Friday again


def test_dealwatch_trusts_a_yearly_store_after_one_near_exact_repeat() -> None:
    # Two sales a year, both kept to the day: a marketplace-event sale in July and Black Friday.
    starts = [date(2023, 7, 11), date(2023, 11, 24), date(2024, 7, 9)]
    today = date(2024, 8, 15)
    forecast = build_forecaster("dealwatch").forecast(_flags_on(starts, today), today)
    assert forecast.method == "dealwatch:seasonal", forecast.reason
    assert forecast.predicted_date == date(2024, 11, 29)
    # The same rhythm but this year's sale came months off last year's: no reason to trust it.
    moved = [date(2023, 7, 11), date(2023, 11, 24), date(2024, 5, 2)]
    other = build_forecaster("dealwatch").forecast(_flags_on(moved, today), today)
    assert other.method != "dealwatch:seasonal"


def _band_width(residual_of: Callable[[int], int]) -> int:
    """The 80% band's width for a fortnightly store whose replay missed its k-th start by residual_of(k)."""
    history = History.from_flags(flags_from(list(range(7, 730, 14)), 730), START + timedelta(days=729))
    origins = [(start - 3, residual_of(k)) for k, start in enumerate(history.starts)]
    forecast = calibrated_forecast(history, history.today + 30, Replay(origins, []), method="t", version="t")
    assert forecast.lower is not None and forecast.upper is not None
    return (forecast.upper - forecast.lower).days


def test_a_band_that_held_more_than_80_percent_in_replays_aims_lower() -> None:
    # Exact four starts in five and a week late on the fifth (Rossmann's promo calendar looks so):
    # holding 80% of whole-day residuals with the finite-sample margin takes the late ones too, and
    # such a band held every replayed start; adapted to that, it is the exact day alone.
    assert _band_width(lambda k: 7 if k % 5 == 0 else 0) == 0
    # Spread evenly, the same band held about 80% in replays and keeps its width.
    assert _band_width(lambda k: k % 10 - 5) >= 7


def test_a_band_that_held_less_than_80_percent_in_replays_aims_higher() -> None:
    # Errors that grew sixfold some months ago: the older, small ones still weigh in the band, and
    # the bands built from them missed most of the larger ones since; adapted, the band holds at
    # least four of the five recent values (-12, -6, 0, 6, 12 days).
    assert _band_width(lambda k: (k % 5 - 2) * (1 if k < 35 else 6)) >= 18


def test_a_rule_the_store_could_not_try_yet_is_judged_on_its_similar_stores() -> None:
    # Three sales a year on the same dates. The peers have three years of it; the new store was first
    # watched on day 330, so in its own replays the seasonal rule (a known year back) never applied yet.
    yearly = [day + 364 * year for year in range(3) for day in (40, 150, 300)]
    pooled = PooledPrior(
        {f"peer-{k}": PeerStore(flags_from([d + k for d in yearly], 1000), "toys", "FR") for k in range(3)}
    )
    flags = [(day, flag) for day, flag in flags_from(yearly, 701) if day >= START + timedelta(days=330)]
    today = START + timedelta(days=700)
    with_peers = build_forecaster("dealwatch").forecast(flags, today, pooled.for_store("new", "toys", "FR"))
    alone = build_forecaster("dealwatch").forecast(flags, today)
    assert alone.method == f"dealwatch:{next(iter(CANDIDATES))}"  # the rule kept without evidence
    assert with_peers.method == "dealwatch:seasonal"
    assert with_peers.predicted_date == START + timedelta(days=768)  # last year's day-404 sale, a year on


def test_alternating_rule_knows_the_rest_follows_the_sale_whatever_its_length() -> None:
    # Sales of 5 or 15 days in turn, each followed by 20 days of rest: gaps of 25 and 35 days.
    starts, day = [], 10
    for k in range(14):
        starts.append(day)
        day += (5 if k % 2 == 0 else 15) + 20
    on = {s + d for k, s in enumerate(starts) for d in range(5 if k % 2 == 0 else 15)}
    last_sale_ends = starts[-1] + 15  # the 14th sale lasted 15 days
    flags = [(START + timedelta(days=n), n in on) for n in range(last_sale_ends + 3)]
    today = START + timedelta(days=last_sale_ends + 2)  # resting for 3 days
    expected = START + timedelta(days=last_sale_ends + 20)
    for name in ("alternating", "dealwatch"):
        assert build_forecaster(name).forecast(flags, today).predicted_date == expected, name
    assert build_forecaster("interval").forecast(flags, today).predicted_date != expected
