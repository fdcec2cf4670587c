from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dealwatch.core.clock import FrozenClock
from dealwatch.promo.forecast import IntervalForecaster, latest_prediction, sale_starts, save_prediction
from dealwatch.promo.stores import add_store, parse_spec

START = date(2025, 1, 1)


def flags_from(starts: list[int], days: int, length: int = 3) -> list[tuple[date, bool | None]]:
    on = {s + k for s in starts for k in range(length)}
    return [(START + timedelta(days=d), d in on) for d in range(days)]


def test_sale_starts_skip_unknown_days_and_a_sale_running_on_day_one() -> None:
    flags = flags_from([0, 20, 40], 60)
    flags[19] = (flags[19][0], None)  # an unknown day right before a sale
    flags[41] = (flags[41][0], None)  # an unknown day inside a sale does not split it
    assert sale_starts(flags) == [START + timedelta(days=20), START + timedelta(days=40)]


def test_interval_model_predicts_a_regular_cadence_exactly() -> None:
    flags = flags_from([3, 31, 59, 87], 100)
    forecast = IntervalForecaster(7).forecast(flags, START + timedelta(days=99))
    assert forecast.predicted_date == START + timedelta(days=115)
    assert forecast.lower == START + timedelta(days=108) and forecast.upper == START + timedelta(days=122)
    assert forecast.data_points == 4 and forecast.method == "interval"
    assert forecast.prob_7d is not None and forecast.prob_30d is not None
    assert forecast.prob_7d < forecast.prob_30d


def test_interval_model_never_predicts_the_past_and_needs_two_starts() -> None:
    flags = flags_from([3, 13], 80)
    forecast = IntervalForecaster().forecast(flags, START + timedelta(days=79))
    assert forecast.predicted_date is not None and forecast.predicted_date > START + timedelta(days=79)
    thin = IntervalForecaster().forecast(flags_from([3], 30), START + timedelta(days=29))
    assert thin.predicted_date is None and thin.data_points == 1 and "at least 2" in (thin.reason or "")


@pytest.mark.parametrize("elapsed", [1, 10, 25])
def test_probability_of_a_sale_rises_with_the_horizon(elapsed: int) -> None:
    flags = flags_from([0, 28, 56, 84], 84 + elapsed + 1)
    forecast = IntervalForecaster().forecast(flags, START + timedelta(days=84 + elapsed))
    assert forecast.prob_7d is not None and forecast.prob_30d is not None
    assert 0 <= forecast.prob_7d <= forecast.prob_30d <= 1


def test_one_prediction_per_store_per_issue_day(sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    with sessions.begin() as session:
        add_store(session, parse_spec({"url": "https://acme.example/", "name": "Acme"}), clock)
    flags = flags_from([3, 31, 59], 70)
    today = START + timedelta(days=69)
    for _ in range(2):
        with sessions.begin() as session:
            save_prediction(session, "acme", IntervalForecaster().forecast(flags, today), today, clock)
    with sessions() as session:
        prediction = latest_prediction(session, "acme")
        assert prediction is not None and prediction.issued_on == today
        assert prediction.predicted_date == START + timedelta(days=87)


def test_track_record_scores_each_prediction_once_when_the_sale_starts(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    from dealwatch.promo.forecast import Forecast, score_predictions, track_record

    with sessions.begin() as session:
        add_store(session, parse_spec({"url": "https://acme.example/", "name": "Acme"}), clock)
        for issued, predicted in ((10, 40), (20, 35), (30, 47)):
            guess = Forecast(START + timedelta(days=predicted), None, None, None, None, "interval", 2, "v")
            save_prediction(session, "acme", guess, START + timedelta(days=issued), clock)
    flags = flags_from([5, 45], 50)  # the sale after the predictions started on day 45
    with sessions.begin() as session:
        assert score_predictions(session, "acme", flags) == 3
        assert score_predictions(session, "acme", flags) == 0  # already scored
    with sessions() as session:
        record = track_record(session, "acme")
    # errors: 40-45 = -5, 35-45 = -10, 47-45 = +2
    assert (record.scored, record.mae_days, record.within_7) == (3, round(17 / 3, 2), round(2 / 3, 3))


def test_the_daily_pass_can_pool_a_prior_from_the_stored_stores(
    sessions: sessionmaker[Session], clock: FrozenClock
) -> None:
    from dealwatch.promo.detect.base import Detection
    from dealwatch.promo.forecast import build_forecaster
    from dealwatch.promo.forecast_prior import pooled_prior
    from dealwatch.promo.history import daily_flags, record_day

    stores = {"old-1": 0, "old-2": 9, "new": 200}  # the old stores run a sale every 20 days
    with sessions.begin() as session:
        for store_id in stores:
            spec = {
                "id": store_id,
                "url": f"https://{store_id}.example/",
                "name": store_id,
                "category": "toys",
                "country": "FR",
            }
            add_store(session, parse_spec(spec), clock)
        for store_id, first in stores.items():
            for d in range(first, 211):
                on = (d - first) % 20 < 3 if store_id != "new" else d in (205, 206)
                detection = Detection(on, 0.9, "rules")
                day = START + timedelta(days=d)
                record_day(
                    session, store_id=store_id, day=day, fetch_outcome="ok", clock=clock, detection=detection
                )
    today = START + timedelta(days=210)
    with sessions() as session:
        pooled = pooled_prior(session, today)
        prior = pooled.for_store("new", "toys", "FR")
        flags = daily_flags(session, "new", today)
    assert sorted(prior.peers) == ["old-1", "old-2"] and prior.group == "category+country"
    forecast = build_forecaster("dealwatch").forecast(flags, today, prior)
    assert forecast.method == "dealwatch:prior" and forecast.predicted_date is not None
    assert 10 <= (forecast.predicted_date - today).days <= 20  # the peers' 20-day rhythm, 5 days in
