"""Prophet as the seed used it: a baseline to beat, in the optional `forecast` extra.

The seed fitted Prophet on the days a sale was seen (y = 1) with yearly seasonality and predicted
the first future day with yhat > 0.5, falling back to the average-gap model under 10 data points.
It is kept as-is (slow, ~0.2 s per fit) so the harness can show what the newer models improve on.
"""

from __future__ import annotations

import logging
import warnings
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from dealwatch.core.errors import NotConfigured
from dealwatch.promo.forecast import DailyFlags, Forecast, IntervalForecaster, median_run, sale_starts

if TYPE_CHECKING:
    from dealwatch.promo.forecast_prior import StorePrior

MIN_POINTS = 10
HORIZON_DAYS = 180


def _prophet_class() -> Any:
    for noisy in ("prophet", "prophet.plot", "cmdstanpy"):
        logging.getLogger(noisy).disabled = True  # before import: prophet.plot logs at import time
    try:
        from prophet import Prophet
    except ImportError as exc:  # the optional extra is missing
        raise NotConfigured("the prophet model needs the `forecast` extra (pip install prophet)") from exc
    return Prophet


class ProphetForecaster:
    """The seed's Prophet model; raises NotConfigured at construction when prophet isn't installed."""

    name = "prophet"
    version = "prophet-seed-1"

    def __init__(self, half_width_days: int = 7) -> None:
        self._prophet = _prophet_class()
        self.half_width = timedelta(days=half_width_days)
        self._fallback = IntervalForecaster(half_width_days)

    def forecast(self, flags: DailyFlags, today: date, prior: StorePrior | None = None) -> Forecast:
        import pandas as pd

        known = [(d, f) for d, f in flags if d <= today]
        promo_days = [d for d, f in known if f]
        if len(promo_days) < MIN_POINTS:
            fallback = self._fallback.forecast(known, today)
            return Forecast(
                fallback.predicted_date,
                fallback.lower,
                fallback.upper,
                fallback.prob_7d,
                fallback.prob_30d,
                self.name,
                fallback.data_points,
                self.version,
                reason=f"fewer than {MIN_POINTS} promo days: average-gap fallback",
                expected_duration=fallback.expected_duration,
            )
        model = self._prophet(yearly_seasonality=True, weekly_seasonality=False, daily_seasonality=False)
        future = pd.DataFrame({"ds": pd.date_range(today + timedelta(days=1), periods=HORIZON_DAYS)})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # prophet's own pandas deprecations
            model.fit(pd.DataFrame({"ds": pd.to_datetime(promo_days), "y": 1.0}))
            yhat = model.predict(future)["yhat"].to_numpy()
        ahead = [i for i, value in enumerate(yhat) if value > 0.5]
        data_points = len(sale_starts(known))
        if not ahead:
            return Forecast(
                None,
                None,
                None,
                0.0,
                0.0,
                self.name,
                data_points,
                self.version,
                reason=f"no day with yhat > 0.5 in the next {HORIZON_DAYS} days",
                expected_duration=median_run(known),
            )
        predicted = today + timedelta(days=ahead[0] + 1)
        clipped = [min(1.0, max(0.0, float(v))) for v in yhat]
        return Forecast(
            predicted_date=predicted,
            lower=max(predicted - self.half_width, today + timedelta(days=1)),
            upper=predicted + self.half_width,
            prob_7d=round(max(clipped[:7]), 4),
            prob_30d=round(max(clipped[:30]), 4),
            method=self.name,
            data_points=data_points,
            model_version=self.version,
            expected_duration=median_run(known),
        )
