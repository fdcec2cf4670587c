"""Next-sale forecast: the Forecaster seam, the seed's interval model (average gap, ±7 days), the factory.

Other models live beside this module: `forecast_models` (calendar, cadence, seasonal and the backtest-selected
`dealwatch`), `forecast_prophet` (the seed's Prophet baseline, optional extra); `forecast_prior` pools
similar stores' histories into the cold-start prior a forecaster may be given. `build_forecaster(name)`
builds any of them by name.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from dealwatch.core.clock import Clock
from dealwatch.promo.models import Prediction

if TYPE_CHECKING:
    from dealwatch.promo.forecast_prior import StorePrior

DailyFlags = Sequence[tuple[date, bool | None]]


@dataclass(frozen=True, slots=True)
class Forecast:
    """When the next sale should start, how sure we are, and from how much history."""

    predicted_date: date | None
    lower: date | None
    upper: date | None
    prob_7d: float | None
    prob_30d: float | None
    method: str
    data_points: int
    model_version: str
    reason: str | None = None
    expected_duration: int | None = None  # median sale length in days
    #: The model replayed weekly over the store's last two years: mean days off per sale start, and
    #: how many starts that is (None for models that are not replayed, or with no start replayed).
    backtest_mae: float | None = None
    backtest_starts: int | None = None

    @classmethod
    def without_date(
        cls, method: str, data_points: int, version: str, reason: str, expected_duration: int | None
    ) -> Forecast:
        """No next start can be predicted yet; says why."""
        return cls(None, None, None, None, None, method, data_points, version, reason, expected_duration)


class Forecaster(Protocol):
    """A next-sale model."""

    name: str

    def forecast(self, flags: DailyFlags, today: date, prior: StorePrior | None = None) -> Forecast:
        """Predict the first sale start after `today` from daily flags up to `today`.

        `prior` is what similar stores say (see `forecast_prior`); models that cannot use it ignore it.
        """
        ...


def sale_starts(flags: DailyFlags) -> list[date]:
    """Days a sale was first seen after a day seen without one. Unknown days are skipped, not 'no sale'.

    A sale already running on the first known day has an unknown start and is not counted.
    """
    starts: list[date] = []
    previous: bool | None = None
    for day, flag in flags:
        if flag is None:
            continue
        if flag and previous is False:
            starts.append(day)
        previous = flag
    return starts


class IntervalForecaster:
    """The seed's fallback: last start + average gap between starts, with a ±N-day interval."""

    name = "interval"
    version = "interval-1"

    def __init__(self, half_width_days: int = 7) -> None:
        self.half_width = timedelta(days=half_width_days)

    def forecast(self, flags: DailyFlags, today: date, prior: StorePrior | None = None) -> Forecast:
        known = [(d, f) for d, f in flags if d <= today]
        starts = sale_starts(known)
        if len(starts) < 2:
            reason = f"needs at least 2 observed sale starts, has {len(starts)}"
            return Forecast.without_date(self.name, len(starts), self.version, reason, median_run(known))
        gaps = [(b - a).days for a, b in itertools.pairwise(starts)]
        step = max(1, round(sum(gaps) / len(gaps)))
        predicted = starts[-1] + timedelta(days=step)
        while predicted <= today:
            predicted += timedelta(days=step)
        elapsed = (today - starts[-1]).days
        return Forecast(
            predicted_date=predicted,
            lower=max(predicted - self.half_width, today + timedelta(days=1)),
            upper=predicted + self.half_width,
            prob_7d=_prob_within(gaps, elapsed, 7),
            prob_30d=_prob_within(gaps, elapsed, 30),
            method=self.name,
            data_points=len(starts),
            model_version=self.version,
            expected_duration=median_run(known),
        )


def median_run(flags: DailyFlags) -> int | None:
    """Median length in days of the sales that started in `flags` (unknown days neither end nor count)."""
    runs: list[int] = []
    previous: bool | None = None
    for _, flag in flags:
        if flag is None:
            continue
        if flag and previous is False:
            runs.append(1)
        elif flag and previous and runs:
            runs[-1] += 1
        previous = flag
    return sorted(runs)[len(runs) // 2] if runs else None


#: Every model name `build_forecaster` accepts, best first.
FORECASTERS = ("dealwatch", "cadence", "calendar", "seasonal", "alternating", "interval", "prophet")


def build_forecaster(name: str = "dealwatch") -> Forecaster:
    """The named model. Raises NotConfigured for `prophet` without the `forecast` extra, and
    InvalidInput for an unknown name."""
    from dealwatch.core.errors import InvalidInput

    if name == "interval":
        return IntervalForecaster()
    if name == "prophet":
        from dealwatch.promo.forecast_prophet import ProphetForecaster

        return ProphetForecaster()
    from dealwatch.promo import forecast_models

    models: dict[str, type[Forecaster]] = {
        "dealwatch": forecast_models.DealwatchForecaster,
        "cadence": forecast_models.CadenceForecaster,
        "calendar": forecast_models.CalendarForecaster,
        "seasonal": forecast_models.SeasonalForecaster,
        "alternating": forecast_models.AlternatingForecaster,
    }
    if name not in models:
        raise InvalidInput(f"unknown forecast model {name!r}; choose one of {', '.join(FORECASTERS)}")
    return models[name]()


def _prob_within(gaps: list[int], elapsed: int, horizon: int) -> float:
    """P(next start within `horizon` days | `elapsed` days since the last), from the empirical gaps.

    Laplace-smoothed; once the store is overdue (no gap that long seen), assume a memoryless wait.
    """
    longer = [g for g in gaps if g > elapsed]
    if not longer:
        mean_gap = sum(gaps) / len(gaps)
        return round(1 - math.exp(-horizon / mean_gap), 4)
    hits = sum(1 for g in longer if g <= elapsed + horizon)
    return round((hits + 0.5) / (len(longer) + 1), 4)


def save_prediction(
    session: Session, store_id: str, forecast: Forecast, issued_on: date, clock: Clock
) -> Prediction:
    """Store the forecast issued for `store_id` on `issued_on` (one per store per day; re-runs replace it)."""
    row = session.scalar(
        select(Prediction).where(Prediction.store_id == store_id, Prediction.issued_on == issued_on)
    )
    if row is None:
        row = Prediction(store_id=store_id, issued_on=issued_on)
        session.add(row)
    row.issued_at = clock.now()
    row.predicted_date = forecast.predicted_date
    row.lower = forecast.lower
    row.upper = forecast.upper
    row.prob_7d = forecast.prob_7d
    row.prob_30d = forecast.prob_30d
    row.method = forecast.method
    row.data_points = forecast.data_points
    row.model_version = forecast.model_version
    row.expected_duration = forecast.expected_duration
    row.backtest_mae = forecast.backtest_mae
    row.backtest_starts = forecast.backtest_starts
    session.flush()
    return row


def score_predictions(session: Session, store_id: str, flags: DailyFlags) -> int:
    """Record the error of every open prediction whose next sale has now been seen to start.

    The actual date is the first sale start after the prediction's issue day; returns how many were scored.
    """
    starts = sale_starts(flags)
    if not starts:
        return 0
    open_rows = session.scalars(
        select(Prediction).where(
            Prediction.store_id == store_id,
            Prediction.actual_date.is_(None),
            Prediction.predicted_date.is_not(None),
            Prediction.issued_on < starts[-1],
        )
    ).all()
    for row in open_rows:
        actual = next(start for start in starts if start > row.issued_on)
        assert row.predicted_date is not None
        row.actual_date = actual
        row.error_days = (row.predicted_date - actual).days
    session.flush()
    return len(open_rows)


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """How a store's stored forecasts turned out."""

    scored: int
    mae_days: float | None
    within_7: float | None


def track_record(session: Session, store_id: str) -> TrackRecord:
    """Mean absolute error (days) and share within 7 days of the store's scored predictions."""
    return track_records(session, [store_id]).get(store_id, TrackRecord(0, None, None))


def track_records(session: Session, store_ids: Collection[str] | None = None) -> dict[str, TrackRecord]:
    """`track_record` of every store with a scored prediction, in one query (all stores when None)."""
    error = func.abs(Prediction.error_days)
    query = (
        select(
            Prediction.store_id,
            func.count(Prediction.error_days),
            func.sum(error),
            func.sum(case((error <= 7, 1), else_=0)),
        )
        .where(Prediction.error_days.is_not(None))
        .group_by(Prediction.store_id)
    )
    if store_ids is not None:
        query = query.where(Prediction.store_id.in_(store_ids))
    # Sums of whole days are exact, so the rounding matches a mean taken in Python.
    return {
        store_id: TrackRecord(int(n), round(int(total) / int(n), 2), round(int(within) / int(n), 3))
        for store_id, n, total, within in session.execute(query)
    }


def scored_predictions(session: Session, store_id: str) -> list[Prediction]:
    """The store's predictions whose next sale has been seen to start, oldest issue day first."""
    query = select(Prediction).where(Prediction.store_id == store_id, Prediction.actual_date.is_not(None))
    return list(session.scalars(query.order_by(Prediction.issued_on)))


def latest_prediction(session: Session, store_id: str) -> Prediction | None:
    """The most recently issued prediction for the store."""
    return session.scalar(
        select(Prediction)
        .where(Prediction.store_id == store_id)
        .order_by(Prediction.issued_on.desc())
        .limit(1)
    )


def latest_predictions(session: Session, store_ids: Collection[str] | None = None) -> dict[str, Prediction]:
    """`latest_prediction` of every store, in one query (all stores when None)."""
    newest = select(Prediction.store_id, func.max(Prediction.issued_on).label("issued_on")).group_by(
        Prediction.store_id
    )
    if store_ids is not None:
        newest = newest.where(Prediction.store_id.in_(store_ids))
    latest = newest.subquery()
    query = select(Prediction).join(
        latest,
        (Prediction.store_id == latest.c.store_id) & (Prediction.issued_on == latest.c.issued_on),
    )
    return {row.store_id: row for row in session.scalars(query)}
