"""The calendar, cadence and `dealwatch` (backtest-selected) next-sale models, and their calibration.

Every model here is a *point rule* (history + origin day -> first sale start after the origin) wrapped
by one calibration step: the rule is replayed at rolling origins over the store's own past (every 7
days over the last year, each origin seeing only the days before it), and the residuals of those
replays give the 80% interval (conformal quantiles) and the probabilities of a start within 7 and 30
days. `dealwatch` replays every rule the same way and keeps, per store, the one with the lowest
recent error; stores with too little history get a cold-start prior (cadence, else the calendar with
pooled event affinities). Unknown days (flag None) are missing data: they never count as "no sale",
gaps spanning them are not used as cadence evidence, and event windows mostly unknown are not scored.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter

from dealwatch.promo.forecast import DailyFlags, Forecast
from dealwatch.promo.forecast_events import EVENTS, events_in_year

#: How far back the rolling-origin replay reaches, and how often it issues a forecast.
BACKTEST_DAYS = 365
BACKTEST_STEP = 7
#: Origins whose next start is further than this are scored as "no sale in the horizon".
OUTCOME_HORIZON = 180
#: Fewer replayed outcomes than this and the interval falls back to the spread of the gaps.
MIN_RESIDUALS = 6
#: Half-width of the window around an event in which a sale start counts as "for" that event.
EVENT_WINDOW = 10
#: Pooled cold-start prior: share of stores that run a sale for the event (weight of one year).
EVENT_PRIOR: dict[str, float] = {
    "black_friday": 0.6,
    "cyber_monday": 0.45,
    "boxing_day": 0.35,
    "memorial_day": 0.3,
    "labor_day": 0.3,
    "july_4th": 0.3,
    "presidents_day": 0.25,
    "mid_july_marketplace": 0.2,
}
_DEFAULT_PRIOR = 0.1

PointRule = Callable[["History", int], int | None]


@dataclass(slots=True)
class History:
    """A store's daily flags up to `today`, indexed by date ordinal for fast replays."""

    base: int
    today: int
    starts: list[int]
    runs: list[int]
    known_prefix: list[int]
    _gaps: list[int] = field(default_factory=list)
    _gap_ok: list[bool] = field(default_factory=list)
    _events: dict[str, list[tuple[int, int, bool, int | None]]] | None = None

    @classmethod
    def from_flags(cls, flags: DailyFlags, today: date) -> History:
        end = today.toordinal()
        known = [(d.toordinal(), f) for d, f in flags if d <= today]
        if any(a[0] >= b[0] for a, b in itertools.pairwise(known)):
            known = sorted(dict(known).items(), key=itemgetter(0))
        base = known[0][0] if known else end
        status: list[bool | None] = [None] * (end - base + 1)
        for ordinal, flag in known:
            status[ordinal - base] = flag
        prefix = [0]
        starts: list[int] = []
        runs: list[int] = []
        previous: bool | None = None
        for offset, flag in enumerate(status):
            prefix.append(prefix[-1] + (flag is not None))
            if flag is None:
                continue
            if flag and previous is False:
                starts.append(base + offset)
                runs.append(1)
            elif flag and previous and runs:
                runs[-1] += 1
            previous = flag
        history = cls(base, end, starts, runs, prefix)
        history._index_gaps()
        return history

    def _index_gaps(self) -> None:
        for a, b in zip(self.starts, self.starts[1:], strict=False):
            self._gaps.append(b - a)
            # A gap that spans unknown days may hide a start: it is not cadence evidence.
            self._gap_ok.append(self.known(a, b) >= 0.9)

    def known(self, first: int, last: int) -> float:
        """Share of days in [first, last] (ordinals) whose flag is known."""
        lo, hi = max(first, self.base), min(last, self.today)
        if hi < lo:
            return 0.0
        count = self.known_prefix[hi - self.base + 1] - self.known_prefix[lo - self.base]
        return count / (last - first + 1)

    def count_before(self, origin: int) -> int:
        """How many starts fall on or before `origin`."""
        return bisect_right(self.starts, origin)

    def gaps_before(self, origin: int) -> list[int]:
        """Gaps between starts up to `origin`, only those fully observed, oldest first."""
        k = self.count_before(origin)
        return [g for g, ok in zip(self._gaps[: max(0, k - 1)], self._gap_ok, strict=False) if ok]

    def event_hits(self) -> dict[str, list[tuple[int, int, bool, int | None]]]:
        """Per event: (event day, window end, window observed, offset of the nearest start or None)."""
        if self._events is None:
            events: dict[str, list[tuple[int, int, bool, int | None]]] = {name: [] for name in EVENTS}
            first_year = date.fromordinal(self.base).year
            last_year = date.fromordinal(self.today).year
            for year in range(first_year, last_year + 1):
                for name, day in events_in_year(year):
                    lo, hi = day - EVENT_WINDOW, day + EVENT_WINDOW
                    if hi > self.today:
                        continue
                    observed = self.known(lo, hi) >= 0.6
                    i, j = bisect_left(self.starts, lo), bisect_right(self.starts, hi)
                    offset = min((s - day for s in self.starts[i:j]), key=abs, default=None)
                    events[name].append((day, hi, observed, offset))
            self._events = events
        return self._events

    def median_run(self) -> int | None:
        """Typical sale length in days (median run of consecutive sale days)."""
        return int(_median([float(r) for r in self.runs])) if self.runs else None


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    pairs = sorted(pairs)
    half = sum(w for _, w in pairs) / 2
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]


# -- point rules ------------------------------------------------------------------------------------


def interval_point(history: History, origin: int) -> int | None:
    """The seed's rule: last start + mean gap, stepped past the origin."""
    k = history.count_before(origin)
    if k < 2:
        return None
    starts = history.starts
    step = max(1, round((starts[k - 1] - starts[0]) / (k - 1)))
    predicted = starts[k - 1] + step
    if predicted <= origin:
        predicted += step * ((origin - predicted) // step + 1)
    return predicted


def cadence_point(history: History, origin: int) -> int | None:
    """Renewal rule: conditional median of recent-weighted gaps given the time since the last start.

    Overdue stores (no recent gap that long) are assumed to have skipped a cycle: the next multiple
    of the typical gap. Monthly stores follow their day-of-month or n-th-weekday rule, and starts
    that keep to one weekday are snapped to it.
    """
    k = history.count_before(origin)
    if k < 2:
        return None
    last = history.starts[k - 1]
    gaps = history.gaps_before(origin)[-24:]
    if not gaps:
        gaps = [last - history.starts[k - 2]]
    n = len(gaps)
    weighted = [(float(g), 0.5 ** ((n - 1 - i) / 6)) for i, g in enumerate(gaps)]
    period = max(1.0, _weighted_median(weighted))
    recent = history.starts[max(0, k - 8) : k]
    if k >= 4 and 26 <= period <= 35:
        monthly = _monthly_point(recent, origin)
        if monthly is not None:
            return monthly
    elapsed = origin - last
    longer = [(g, w) for g, w in weighted if g > elapsed]
    if longer and sum(w for _, w in longer) >= 0.15 * sum(w for _, w in weighted):
        predicted = last + round(_weighted_median(longer))
    else:
        predicted = last + round(period) * (math.floor(elapsed / period) + 1)
    predicted = _snap_weekday(recent, predicted, origin) if period >= 5 else predicted
    return max(predicted, origin + 1)


def _snap_weekday(recent: list[int], predicted: int, origin: int) -> int:
    weekdays = Counter(s % 7 for s in recent)
    weekday, count = weekdays.most_common(1)[0]
    if len(recent) < 3 or count / len(recent) < 0.7:
        return predicted
    shift = (weekday - predicted % 7 + 3) % 7 - 3
    snapped = predicted + shift
    return snapped if snapped > origin else snapped + 7


def _monthly_point(recent: list[int], origin: int) -> int | None:
    days = [date.fromordinal(s) for s in recent]
    weekday, w_count = Counter(d.weekday() for d in days).most_common(1)[0]
    nth, n_count = Counter((d.day - 1) // 7 + 1 for d in days).most_common(1)[0]
    doms = sorted(d.day for d in days)
    today = date.fromordinal(origin)
    candidates: list[date] = []
    for step in range(3):
        year, month = today.year + (today.month + step - 1) // 12, (today.month + step - 1) % 12 + 1
        if w_count / len(days) >= 0.75 and n_count / len(days) >= 0.75 and nth <= 4:
            first = date(year, month, 1)
            candidates.append(first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1)))
        elif doms[-1] - doms[0] <= 3 or doms[len(doms) * 3 // 4] - doms[len(doms) // 4] <= 1:
            day = min(int(_median([float(d) for d in doms])), 28)
            candidates.append(date(year, month, day))
        else:
            return None
    return next(c.toordinal() for c in candidates if c.toordinal() > origin)


def calendar_point(history: History, origin: int, *, require_lift: bool = True) -> int | None:
    """Earliest upcoming retail event this store usually runs a sale for, at its usual offset.

    Affinity = share of observed years with a start within ±10 days of the event (shrunk toward a
    pooled prior); an event counts when affinity >= 0.5 and, with `require_lift`, clearly above the
    chance of a start in any 21-day window for a store this frequent. None when no event qualifies.
    """
    k = history.count_before(origin)
    chance = 0.0
    if require_lift and k >= 2:
        span = max(1, history.starts[k - 1] - history.starts[0])
        chance = 1 - math.exp(-(2 * EVENT_WINDOW + 1) * (k - 1) / span)
        if chance > 0.6:
            return None
    year = date.fromordinal(origin).year
    best: int | None = None
    for name, rows in history.event_hits().items():
        seen = [(offset) for _, end, observed, offset in rows if end <= origin and observed]
        hits = [o for o in seen if o is not None]
        # The pooled prior speaks only for cold stores; a store with history speaks for itself.
        prior = EVENT_PRIOR.get(name, _DEFAULT_PRIOR) if k < 2 else _DEFAULT_PRIOR
        affinity = (len(hits) + prior) / (len(seen) + 1)
        if affinity < 0.5 or (require_lift and affinity < chance + 0.25):
            continue
        offset = round(_median([float(h) for h in hits])) if hits else 0
        for candidate_year in (year, year + 1):
            day = dict(events_in_year(candidate_year))[name]
            predicted = day + offset
            if predicted <= origin:
                continue
            if day - EVENT_WINDOW <= origin and _started_in(history, day - EVENT_WINDOW, origin):
                continue  # this year's sale for the event already began
            if best is None or predicted < best:
                best = predicted
            break
    return best


def _started_in(history: History, first: int, last: int) -> bool:
    return bisect_right(history.starts, last) > bisect_left(history.starts, first)


def calendar_or_interval_point(history: History, origin: int) -> int | None:
    """The calendar model as a standalone forecaster: events first, the seed's rule otherwise."""
    predicted = calendar_point(history, origin)
    if predicted is None:
        predicted = interval_point(history, origin)
    if predicted is None and history.count_before(origin) < 2:
        predicted = calendar_point(history, origin, require_lift=False)
    return predicted


# -- calibration ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Replay:
    """A point rule replayed at past origins: residuals (actual - predicted) and misses."""

    residuals: list[tuple[int, int]]  # (origin, actual - predicted)
    censored: list[int]  # origins with no start within OUTCOME_HORIZON


def replay(history: History, rule: PointRule) -> Replay:
    """Run `rule` at every BACKTEST_STEP days over the last year, each origin seeing only its past."""
    residuals: list[tuple[int, int]] = []
    censored: list[int] = []
    today = history.today
    for back in range(BACKTEST_STEP, BACKTEST_DAYS + 1, BACKTEST_STEP):
        origin = today - back
        if origin - history.base < 28:
            break
        predicted = rule(history, origin)
        if predicted is None:
            continue
        i = bisect_right(history.starts, origin)
        if i < len(history.starts) and history.starts[i] - origin <= OUTCOME_HORIZON:
            residuals.append((origin, history.starts[i] - predicted))
        elif origin + OUTCOME_HORIZON <= today and history.known(origin + 1, today) >= 0.5:
            censored.append(origin)
    return Replay(residuals, censored)


def calibrated_forecast(
    history: History,
    predicted: int | None,
    replayed: Replay,
    *,
    method: str,
    version: str,
    reason: str | None = None,
) -> Forecast:
    """Turn a point prediction and its replayed residuals into a full Forecast."""
    today = history.today
    duration = history.median_run()
    if predicted is None:
        reason = reason or "no sale start can be predicted from this history"
        return Forecast.without_date(method, len(history.starts), version, reason, duration)
    predicted = max(predicted, today + 1)
    errors = sorted(r for _, r in replayed.residuals)
    n = len(errors)
    if n >= MIN_RESIDUALS:
        lo_rank = max(1, math.floor(0.1 * (n + 1)))
        hi_rank = min(n, math.ceil(0.9 * (n + 1)))
        low, high = errors[lo_rank - 1], errors[hi_rank - 1]
    else:
        gaps = history.gaps_before(today)
        spread = max(2, round(0.3 * _median([float(g) for g in gaps]))) if gaps else 7
        low, high = -spread, spread
    lower = max(today + 1, predicted + min(0, low))
    upper = max(predicted + max(0, high), lower)
    return Forecast(
        predicted_date=date.fromordinal(predicted),
        lower=date.fromordinal(lower),
        upper=date.fromordinal(upper),
        prob_7d=_probability(history, predicted, replayed, 7),
        prob_30d=_probability(history, predicted, replayed, 30),
        method=method,
        data_points=len(history.starts),
        model_version=version,
        reason=reason,
        expected_duration=duration,
    )


def _probability(history: History, predicted: int, replayed: Replay, horizon: int) -> float:
    """P(start within `horizon` days): the replayed errors shifted onto today's prediction.

    Outcomes with no start in the horizon count as misses; the renewal estimate from the gaps is
    the prior (weight 2), so thin histories stay near it.
    """
    limit = history.today + horizon
    hits = sum(1 for _, r in replayed.residuals if predicted + r <= limit)
    n = len(replayed.residuals) + len(replayed.censored)
    prior = _renewal_probability(history, horizon)
    return round((hits + 2 * prior) / (n + 2), 4)


def _renewal_probability(history: History, horizon: int) -> float:
    gaps = history.gaps_before(history.today)
    if not gaps:
        return horizon / (horizon + 60)
    elapsed = history.today - history.starts[-1]
    longer = [g for g in gaps if g > elapsed]
    if not longer:
        return 1 - math.exp(-horizon / (sum(gaps) / len(gaps)))
    return (sum(1 for g in longer if g <= elapsed + horizon) + 0.5) / (len(longer) + 1)


# -- forecasters ------------------------------------------------------------------------------------


class _RuleForecaster:
    name = ""
    version = ""

    @staticmethod
    def rule(history: History, origin: int) -> int | None:
        raise NotImplementedError

    def forecast(self, flags: DailyFlags, today: date) -> Forecast:
        history = History.from_flags(flags, today)
        return calibrated_forecast(
            history,
            self.rule(history, history.today),
            replay(history, self.rule),
            method=self.name,
            version=self.version,
        )


class CadenceForecaster(_RuleForecaster):
    """Periodic stores: every N days/weeks with jitter, monthly n-th weekday or day of month."""

    name = "cadence"
    version = "cadence-1"
    rule = staticmethod(cadence_point)


class CalendarForecaster(_RuleForecaster):
    """Event-driven stores: per-store affinity and offset to rule-computed retail events."""

    name = "calendar"
    version = "calendar-1"
    rule = staticmethod(calendar_or_interval_point)


class CalibratedIntervalForecaster(_RuleForecaster):
    """The seed's average-gap rule with replay-calibrated intervals (a candidate inside `dealwatch`)."""

    name = "interval"
    version = "interval-cal-1"
    rule = staticmethod(interval_point)


#: The rules `dealwatch` chooses between, in tie-break order.
CANDIDATES: dict[str, PointRule] = {
    "cadence": cadence_point,
    "calendar": calendar_or_interval_point,
    "interval": interval_point,
}
#: Fewer scored replays than this and the store is "cold": the prior picks the rule.
MIN_SCORED = 4


class DealwatchForecaster:
    """Per store, the rule with the lowest recency-weighted replay error, calibrated by its replay."""

    name = "dealwatch"
    version = "dealwatch-1"

    def __init__(self, candidates: dict[str, PointRule] | None = None) -> None:
        self.candidates = candidates or CANDIDATES

    def forecast(self, flags: DailyFlags, today: date) -> Forecast:
        history = History.from_flags(flags, today)
        replays = {name: replay(history, rule) for name, rule in self.candidates.items()}
        choice, reason = self.choose(history, replays)
        return calibrated_forecast(
            history,
            self.candidates[choice](history, history.today),
            replays[choice],
            method=f"{self.name}:{choice}",
            version=self.version,
            reason=reason,
        )

    def choose(self, history: History, replays: dict[str, Replay]) -> tuple[str, str]:
        """The rule to use for this store and why."""
        scored = {name: r.residuals for name, r in replays.items() if len(r.residuals) >= MIN_SCORED}
        if not scored:
            if len(history.starts) >= 2 and "cadence" in self.candidates:
                return "cadence", "cold start: cadence prior (under 4 replayed outcomes)"
            fallback = "calendar" if "calendar" in self.candidates else next(iter(self.candidates))
            return fallback, f"cold start: {fallback} prior with pooled event affinities"

        def weighted_mae(residuals: list[tuple[int, int]]) -> float:
            pairs = [(abs(r), 0.5 ** ((history.today - o) / 120)) for o, r in residuals]
            return sum(e * w for e, w in pairs) / sum(w for _, w in pairs)

        errors = {name: weighted_mae(res) for name, res in scored.items()}
        best = min(errors, key=lambda name: errors[name])
        if "cadence" in errors and errors["cadence"] <= 1.1 * errors[best] + 0.5:
            best = "cadence"  # the most general rule wins near-ties
        return best, f"backtest MAE {errors[best]:.1f} d over {len(scored[best])} replays"
